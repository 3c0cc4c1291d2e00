"""A word that means different things gets its meaning's translation (pgettext), not one shared one:
a closed hazard is 已闭环, not 注销 (deregistered); a rule in force is 启用, not 在岗 (on duty)."""

from django.utils import translation

from shian.core.choices import AuditAction
from shian.hazards.choices import HazardState
from shian.inspections.models import InspectionState, PlannedVisit
from shian.registry.choices import BusinessStatus
from shian.registry.models import Staff, StaffingRule
from shian.supervision.models import GradeChange


def test_words_with_several_meanings_are_translated_by_meaning():
    with translation.override("zh-hans"):
        assert str(HazardState.CLOSED.label) == "已闭环"
        assert str(InspectionState.CLOSED.label) == "已完成"
        assert str(BusinessStatus.CLOSED.label) == "注销"
        assert str(Staff._meta.get_field("active").verbose_name) == "在岗"
        assert str(StaffingRule._meta.get_field("active").verbose_name) == "启用"
        assert str(AuditAction.UPDATE.label) == "更新"
        assert str(GradeChange._meta.get_field("old_grade").verbose_name) == "原等级"
        assert str(PlannedVisit._meta.get_field("window_start").verbose_name) == "起始日期"
    with translation.override("en"):
        assert str(HazardState.CLOSED.label) == "Closed"


def test_the_english_ui_shows_no_chinese_gloss():
    """English msgids may name their Chinese term ("Case opened (立案)", "包保督导率 = …"); the English
    catalogue (scripts/compile_messages.py, scripts/en.py) gives each its English, so no CJK reaches the
    English UI from a msgid."""
    import re
    from pathlib import Path

    import polib
    from django.utils.translation import gettext, npgettext, pgettext

    import shian

    cjk = re.compile(r"[\u4e00-\u9fff]")
    po = polib.pofile(str(Path(shian.__file__).parent / "locale/zh_Hans/LC_MESSAGES/django.po"))
    seen = 0
    with translation.override("en"):
        for e in po:
            if not cjk.search(e.msgid):
                continue
            seen += 1
            if e.msgid_plural:
                text = (
                    npgettext(e.msgctxt, e.msgid, e.msgid_plural, 2)
                    if e.msgctxt
                    else translation.ngettext(e.msgid, e.msgid_plural, 2)
                )
            else:
                text = pgettext(e.msgctxt, e.msgid) if e.msgctxt else gettext(e.msgid)
            assert not cjk.search(text), (e.msgid, text)
    assert seen > 10  # the check ran over the glossed msgids
