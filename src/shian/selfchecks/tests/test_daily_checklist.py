"""The daily check on the shared phone checklist: 是 / 否 per item, 全部符合, unanswered refused, the filed
record instead of a live form, and the weekly and monthly headings naming their period."""

import datetime as dt
import re

import pytest
from django.utils import timezone, translation

from shian.core import checklists
from shian.core.choices import Role
from shian.core.tests.factories import UserFactory
from shian.hazards.models import Hazard
from shian.registry.tests.factories import BusinessFactory
from shian.selfchecks import services
from shian.selfchecks.models import Kind, SelfCheck
from shian.selfchecks.periods import period_end, period_label, period_start


@pytest.fixture
def shop(city):
    return BusinessFactory(name="海曙老王面馆", region=city["haishu_grid"])


@pytest.fixture
def officer(shop):
    return UserFactory(username="officer", first_name="小红", last_name="李", role=Role.BUSINESS_STAFF, business=shop)


def _cards(html: str) -> list[str]:
    return re.findall(r'data-item="(\d+)"', html)


def test_the_daily_form_is_the_checklist_with_yes_and_no(officer, shop, web):
    items = services.daily_items(shop)
    html = web(officer).get("/selfchecks/").content.decode()
    form = html[html.index('id="daily-form"') : html.index("</form>", html.index('id="daily-form"'))]
    assert _cards(form) == [str(i.pk) for i in items]
    for i in items:
        assert f'name="answer_{i.pk}" value="yes"' in form and f'name="answer_{i.pk}" value="no"' in form
        assert f'name="note_{i.pk}"' in form
    assert 'data-answer="na"' not in form  # a daily check is 是 / 否
    assert "data-all-ok" in form and "data-require-all" in form
    assert re.search(rf"data-counter.*?<b data-count>0</b>/<span data-total>{len(items)}</span>", form, re.S)
    assert 'name="all_ok"' in form  # 全部符合 without the script
    assert "shian/checklist.js" in html
    assert "勾选存在问题" not in html  # the old "tick what is wrong" wording is gone


def test_an_unanswered_item_is_refused_and_the_answers_are_kept(officer, shop, web):
    items = services.daily_items(shop)
    data = {"kind": "daily", f"answer_{items[0].pk}": "yes", f"answer_{items[1].pk}": "no"}
    data[f"note_{items[1].pk}"] = "冷库温度 8℃"
    response = web(officer).post("/selfchecks/", data)
    assert response.status_code == 200 and not SelfCheck.objects.exists()
    html = response.content.decode()
    assert "项尚未回答" in html and items[2].text in html  # says how many and names the first
    assert f'name="answer_{items[1].pk}" value="no" checked' in html and "冷库温度 8℃" in html
    assert re.search(r"<b data-count>2</b>", html)


def test_every_item_answered_files_the_check(officer, shop, web):
    items = services.daily_items(shop)
    data = {"kind": "daily", **{f"answer_{i.pk}": "yes" for i in items}}
    data[f"answer_{items[3].pk}"] = "no"
    data[f"note_{items[3].pk}"] = "砧板生熟混用"
    data[f"note_{items[0].pk}"] = "a note on a yes item is not kept"
    assert web(officer).post("/selfchecks/", data).status_code == 302
    record = SelfCheck.objects.get(business=shop, kind=Kind.DAILY)
    assert record.problems == 1 and record.filed_by == officer
    by_id = {i["id"]: i for i in record.items}
    assert by_id[items[3].pk] == {
        "id": items[3].pk,
        "text": items[3].text,
        "ok": False,
        "answer": "no",
        "note": "砧板生熟混用",
    }
    assert by_id[items[0].pk] == {"id": items[0].pk, "text": items[0].text, "ok": True, "answer": "yes"}
    assert not Hazard.objects.exists()  # only when asked


def test_all_fine_then_the_exceptions_and_their_hazards(officer, shop, web):
    items = services.daily_items(shop)
    data = {"kind": "daily", "all_ok": "1", "raise_hazards": "1", f"answer_{items[2].pk}": "no"}
    data[f"note_{items[2].pk}"] = "冷藏柜 9℃"
    assert web(officer).post("/selfchecks/", data).status_code == 302
    record = SelfCheck.objects.get(business=shop)
    assert [i["answer"] for i in record.items].count("yes") == len(items) - 1 and record.problems == 1
    hazard = Hazard.objects.get(business=shop)
    assert hazard.title == f"冷藏柜 9℃（不符合：{items[2].text}）"
    assert hazard.origin == f"selfchecks.selfcheck:{record.pk}" and hazard.source == "self_check"


def test_after_filing_the_page_shows_the_record_not_a_form(officer, shop, web):
    items = services.daily_items(shop)
    web(officer).post(
        "/selfchecks/",
        {
            "kind": "daily",
            "all_ok": "1",
            "raise_hazards": "1",
            f"answer_{items[4].pk}": "no",
            f"note_{items[4].pk}": "消毒柜故障",
        },
    )
    record = SelfCheck.objects.get(business=shop)
    page = web(officer).get("/selfchecks/")
    html = page.content.decode()
    daily = html[html.index('id="daily-check"') : html.index("</section>", html.index('id="daily-check"'))]
    assert 'id="daily-form"' not in daily and 'name="answer_' not in daily and "cl-bar" not in daily
    assert "李小红" in daily and timezone.localtime(record.filed_at).strftime("%Y-%m-%d %H:%M") in daily  # who and when
    assert _cards(daily)[0] == str(items[4].pk)  # the problem first
    assert 'data-answered="no"' in daily and "消毒柜故障" in daily
    assert daily.count('data-answered="yes"') == len(items) - 1
    assert Hazard.objects.get().title in daily  # and the hazard it raised, linked
    again = web(officer).post("/selfchecks/", {"kind": "daily", "all_ok": "1"})
    assert again.status_code == 200 and SelfCheck.objects.count() == 1  # once per day, said clearly
    assert f"{timezone.localdate().isoformat()} 的日管控已填报" in again.content.decode()


def test_weekly_and_monthly_headings_name_their_period(officer, shop, web):
    with translation.override("zh-hans"):
        assert period_label(Kind.WEEKLY, dt.date(2026, 11, 23)) == "2026年第48周 (11-23 – 11-29)"
        assert period_label(Kind.MONTHLY, dt.date(2026, 11, 1)) == "2026年11月"
        assert period_label(Kind.WEEKLY, dt.date(2026, 12, 28)) == "2026年第53周 (12-28 – 01-03)"  # ISO week
    with translation.override("en"):
        assert period_label(Kind.WEEKLY, dt.date(2026, 11, 23)) == "Week 48 of 2026 (11-23 – 11-29)"
        assert period_label(Kind.MONTHLY, dt.date(2026, 11, 1)) == "November 2026"
    assert period_end(Kind.MONTHLY, dt.date(2028, 2, 1)) == dt.date(2028, 2, 29)
    today = timezone.localdate()
    with translation.override("zh-hans"):
        week = period_label(Kind.WEEKLY, period_start(Kind.WEEKLY, today))
        month = period_label(Kind.MONTHLY, today.replace(day=1))
    html = web(officer).get("/selfchecks/").content.decode()
    weekly = html[html.index('id="weekly-review"') : html.index("</section>", html.index('id="weekly-review"'))]
    assert f"<span data-period>{week}</span>" in weekly and 'name="report"' in weekly
    monthly = html[html.index('id="monthly-report"') : html.index("</section>", html.index('id="monthly-report"'))]
    assert f"<span data-period>{month}</span>" in monthly
    # filed: the week shows what was reported, by whom, instead of the form
    web(officer).post("/selfchecks/", {"kind": "weekly", "problems": "1", "report": "冷库门封条老化"})
    html = web(officer).get("/selfchecks/").content.decode()
    weekly = html[html.index('id="weekly-review"') : html.index("</section>", html.index('id="weekly-review"'))]
    assert 'name="report"' not in weekly and "冷库门封条老化" in weekly and 'data-filed="weekly"' in weekly
    assert week in html[html.index('id="selfcheck-history"') :]  # the history names the period too


def test_a_refused_review_keeps_its_text_and_bad_numbers_are_errors(officer, shop, web):
    response = web(officer).post("/selfchecks/", {"kind": "monthly", "problems": "2", "report": " "})
    assert response.status_code == 200 and not SelfCheck.objects.exists()
    assert web(officer).post("/selfchecks/", {"kind": "weekly", "problems": "x"}).status_code == 200
    assert web(officer).post("/selfchecks/", {"kind": "weekly", "problems": "-1", "report": "r"}).status_code == 200
    assert web(officer).post("/selfchecks/", {"kind": "daily", "all_ok": "1", "day": "2026-13-45"}).status_code == 200
    assert web(officer).post("/selfchecks/", {"kind": "daily", "answer_1": "maybe"}).status_code == 200
    assert not SelfCheck.objects.exists()


def test_api_answers_item_by_item_and_the_older_form_still_works(officer, shop, api):
    items = services.daily_items(shop)
    client = api(officer)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    partial = client.post(
        "/api/selfchecks", {"business_id": shop.pk, "kind": "daily", "answers": {str(items[0].pk): "yes"}}
    )
    assert partial.status_code == 422 and not SelfCheck.objects.exists()
    answers = {str(i.pk): "yes" for i in items}
    answers[str(items[1].pk)], answers[str(items[5].pk)] = "no", "na"  # N/A counts as answered
    created = client.post(
        "/api/selfchecks",
        {"business_id": shop.pk, "kind": "daily", "answers": answers, "notes": {str(items[1].pk): "票证缺失"}},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["problems"] == 1
    assert [i["answer"] for i in body["items"]].count("na") == 1
    assert next(i for i in body["items"] if i["id"] == items[1].pk)["note"] == "票证缺失"
    older = client.post(
        "/api/selfchecks", {"business_id": shop.pk, "kind": "daily", "day": yesterday, "failed_item_ids": [items[2].pk]}
    )
    assert older.status_code == 201 and older.json()["problems"] == 1
    bad = client.post("/api/selfchecks", {"business_id": shop.pk, "kind": "daily", "answers": {"999999": "yes"}})
    assert bad.status_code == 422


def test_the_daily_items_are_published_for_other_modules(shop):
    published = checklists.items("selfchecks.daily", business=shop)
    assert [(i.id, i.order, i.text) for i in published] == [
        (i.pk, n, i.text) for n, i in enumerate(services.daily_items(shop), 1)
    ]
    assert checklists.items("no.such.checklist", business=shop) == []
