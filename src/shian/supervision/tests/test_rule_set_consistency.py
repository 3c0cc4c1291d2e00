"""The dynamic-score cap (SAMR 2016: static ≤ 40, dynamic ≤ 60) as data on the rule set, and rule tables
edited into contradictions refused with the field named: a cap below a factor's maximum, overlapping or
gapped bands, a band the caps never reach, negative points, frequencies the wrong way round."""

from decimal import Decimal

import pytest

from shian.core.models import AuditEntry
from shian.registry.choices import BusinessType, Scale
from shian.supervision import services
from shian.supervision.grading import RuleBook, RuleSetContradiction
from shian.supervision.models import DynamicFactor, GradeBand, KeySupervisionRule, RiskRuleSet, StaticFactor

HUNDRED = {  # 30 + 24 + 20 + 20 + 6 = 100 dynamic points before the cap
    "hazards_open_serious": 2,
    "hazards_overdue": 3,
    "hazards_escalated_12m": 2,
    "licence_missing": 1,
    "staffing_incomplete": 1,
}


@pytest.fixture
def cn(db):
    return RiskRuleSet.objects.get(code="cn-samr-2016")


def test_the_default_rule_set_caps_static_at_40_and_dynamic_at_60(cn):
    assert (cn.static_max, cn.dynamic_max) == (40, 60)
    assert "≤60" in cn.source or "60" in cn.source
    assert max(cn.static_factors.values_list("points", flat=True)) <= 40
    # the dynamic factors' maxima add up to far more than 60: only the cap keeps the score within 100
    assert sum(cn.dynamic_factors.values_list("max_points", flat=True)) > 60
    assert cn.problems() == []


def test_dynamic_factors_totalling_100_give_dynamic_60(cn):
    result = RuleBook(cn).grade(BusinessType.CATERING, Scale.SMALL, HUNDRED)
    assert result.dynamic_points == 60
    assert result.score == 15 + 60 and result.grade == "D"
    cap = [r for r in result.reasons if r["factor"] == "cap"]
    assert cap == [
        {"factor": "cap", "key": "dynamic_max", "points": -40.0, "cap": 60.0, "note": "dynamic points capped at 60.0"}
    ]
    # shown in the viewer's language, not as the stored English note
    from django.utils import translation

    from shian.supervision.selectors import reason_label, reason_note

    with translation.override("zh-hans"):
        assert (reason_label(cap[0]), reason_note(cap[0])) == ("动态风险分值上限", "动态分按上限 60.0 分计")
    # the reasons still add up to the score
    assert sum(Decimal(str(r["points"])) for r in result.reasons) == result.score


def test_the_cap_is_data_a_rule_set_without_it_does_not_cap(cn):
    RiskRuleSet.objects.filter(pk=cn.pk).update(dynamic_max=None)
    result = RuleBook(RiskRuleSet.objects.get(pk=cn.pk)).grade(BusinessType.CATERING, Scale.SMALL, HUNDRED)
    assert result.dynamic_points == 100


def _post(web, admin, table, row, **changes):
    from django.forms.models import model_to_dict

    from shian.supervision.views import RULE_FIELDS

    data = {k: ("" if v is None else v) for k, v in model_to_dict(row, fields=RULE_FIELDS[table]).items()}
    data.update(changes)
    return web(admin).post(f"/supervision/rules/{table}/{row.pk}/edit/", data)


def _errors(response) -> dict:
    assert response.status_code == 200, "refused edits re-show the form"
    return response.context["form"].errors


@pytest.mark.parametrize(
    ("table", "pick", "changes", "field"),
    [
        # a cap below a factor's maximum (inspections_nonconform_12m: at most 40)
        ("ruleset", lambda rs: rs, {"dynamic_max": "30"}, "dynamic_max"),
        ("ruleset", lambda rs: rs, {"static_max": "35"}, "static_max"),  # central kitchen, large: 40
        ("ruleset", lambda rs: rs, {"static_max": "-1"}, "static_max"),
        # a factor above the cap
        ("dynamic", lambda rs: rs.dynamic_factors.get(indicator="hazards_open"), {"max_points": "61"}, "max_points"),
        ("static", lambda rs: rs.static_factors.filter(attribute="").first(), {"points": "45"}, "points"),
        # negative points
        ("static", lambda rs: rs.static_factors.filter(attribute="").first(), {"points": "-5"}, "points"),
        ("dynamic", lambda rs: rs.dynamic_factors.first(), {"points_per_unit": "-3"}, "points_per_unit"),
        # overlapping bands: B would start where C starts
        ("band", lambda rs: rs.bands.get(grade="B"), {"min_score": "45"}, "min_score"),
        # a gap: the lowest band starting above 0 leaves scores 0–10 without a grade
        ("band", lambda rs: rs.bands.get(grade="A"), {"min_score": "10"}, "min_score"),
        # a band the caps never reach (40 + 60 = 100)
        ("band", lambda rs: rs.bands.get(grade="D"), {"min_score": "100"}, "min_score"),
        # frequencies the wrong way round
        (
            "band",
            lambda rs: rs.bands.get(grade="C"),
            {"inspections_min": "3", "inspections_max": "2"},
            "inspections_max",
        ),
        # key-supervision rules that cannot mean anything
        ("key", lambda rs: rs.key_rules.first(), {"grades": "E"}, "grades"),
        ("key", lambda rs: rs.key_rules.get(label="中央厨房"), {"business_type": ""}, "sector"),
        (
            "key",
            lambda rs: rs.key_rules.get(label="风险等级为D级的食品经营者"),
            {"business_type": "production"},
            "business_type",
        ),
    ],
)
def test_contradictions_are_refused_naming_the_field(users, web, cn, table, pick, changes, field):
    row = pick(cn)
    model = type(row)
    before = list(model.objects.filter(pk=row.pk).values())
    audits = AuditEntry.objects.count()
    errors = _errors(_post(web, users["admin"], table, row, **changes))
    assert field in errors, errors
    assert list(model.objects.filter(pk=row.pk).values()) == before  # nothing written
    assert AuditEntry.objects.count() == audits


def test_a_consistent_edit_of_the_caps_is_saved_and_audited(users, web, cn):
    response = _post(web, users["admin"], "ruleset", cn, dynamic_max="50")
    assert response.status_code == 302
    cn.refresh_from_db()
    assert cn.dynamic_max == 50
    entry = AuditEntry.objects.filter(object_type="supervision.riskruleset").order_by("-pk").first()
    assert [Decimal(str(v)) for v in entry.changes["dynamic_max"]] == [60, 50]


def test_only_the_city_edits_rule_sets(users, web, cn):
    assert _post(web, users["haishu"], "ruleset", cn, dynamic_max="50").status_code == 403


def test_the_service_refuses_what_the_form_would(cn):
    from django.core.exceptions import ValidationError

    factor = cn.dynamic_factors.get(indicator="hazards_open")
    with pytest.raises(ValidationError) as exc:
        services.rule_row_save(actor=None, row=factor, max_points=Decimal("75"))
    assert "max_points" in exc.value.error_dict
    assert DynamicFactor.objects.get(pk=factor.pk).max_points == 12


def test_a_contradictory_rule_set_is_not_put_in_force_nor_graded_with(users, web):
    uk = RiskRuleSet.objects.get(code="uk-fsa-flcop")
    e, d = GradeBand.objects.filter(rule_set=uk, grade__in=["E", "D"]).order_by("min_score")
    GradeBand.objects.filter(pk=d.pk).update(min_score=e.min_score)  # edited behind the pages: overlap
    response = web(users["admin"]).post(f"/supervision/rules/{uk.pk}/activate/", follow=True)
    assert not RiskRuleSet.objects.get(pk=uk.pk).active
    refusal = " ".join(str(m) for m in response.context["messages"])
    assert "重叠" in refusal or "overlap" in refusal, refusal  # says what is wrong (UI in Chinese first)
    with pytest.raises(RuleSetContradiction):
        RuleBook(uk)


def test_no_condition_key_rule_and_unknown_grade_are_model_errors(cn):
    from django.core.exceptions import ValidationError

    rule = KeySupervisionRule(rule_set=cn, label="所有人", source="none")
    with pytest.raises(ValidationError) as exc:
        rule.full_clean()
    assert "sector" in exc.value.error_dict
    duplicate = StaticFactor(rule_set=cn, business_type="catering", points=Decimal("10"))
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert "min_scale" in exc.value.error_dict


def test_a_source_longer_than_free_text_holds_is_refused(users, web, cn):
    from shian.core.limits import TEXT_MAX_LENGTH

    errors = _errors(_post(web, users["admin"], "ruleset", cn, source="依据" * (TEXT_MAX_LENGTH // 2 + 1)))
    assert "source" in errors
    cn.refresh_from_db()
    assert len(cn.source) < TEXT_MAX_LENGTH
