"""The inspection form on the shared phone checklist (core/_checklist.html): a card per item with 是 / 否 /
合理缺项 over the outcome radios, key items badged, 全部符合, the counter, the sticky bar with save and close;
the same fields post as before; a closed inspection is read-only with the failed items first."""

import re

import pytest

from shian.inspections import services
from shian.inspections.models import Inspection, InspectionState, Outcome
from shian.registry.tests.factories import BusinessFactory


@pytest.fixture
def inspection(users, city):
    shop = BusinessFactory(name="海曙老王面馆", region=city["haishu_grid"])
    return services.inspection_start(actor=users["inspector"], business=shop)


def cards(html: str) -> list[str]:
    return re.findall(r'data-item="(\d+)"', html)


def test_the_form_is_one_card_per_item_with_big_answers(users, web, inspection):
    results = list(inspection.results.select_related("item"))
    html = web(users["inspector"]).get(f"/inspections/{inspection.pk}/").content.decode()
    assert 'id="inspection-form"' in html and "shian/checklist.js" in html and "shian/inspection.js" in html
    assert cards(html) == [str(r.item_id) for r in results]
    for r in results:
        for answer, value in (("yes", "pass"), ("no", "fail"), ("na", "na")):
            assert re.search(
                rf'data-answer="{answer}"><input type="radio" name="outcome_{r.item_id}" value="{value}">', html
            ), (r.item_id, answer)
        assert f'name="note_{r.item_id}"' in html and f'type="file" name="photo_{r.item_id}"' in html
    assert html.count("data-key>") == sum(1 for r in results if r.item.is_key)
    assert html.count("data-all-ok") == 1 and 'name="all_ok"' in html
    assert re.search(rf"data-counter[^>]*>[^<]*<b data-count>0</b>/<span data-total>{len(results)}</span>", html)
    bar = html[html.index("data-checklist-bar") :]
    assert 'name="close" value="1"' in bar and 'class="btn">' in bar  # close and save draft in the sticky bar
    assert html.index('data-target="inspector_signature"') < html.index("data-checklist-bar")


def test_answers_round_trip_and_na_counts_as_checked(users, web, inspection):
    results = list(inspection.results.all())
    first, second, third = (r.item_id for r in results[:3])
    client = web(users["inspector"])
    data = {"version": inspection.version, f"outcome_{first}": "pass", f"outcome_{second}": "fail"}
    data[f"note_{second}"] = "地面积水"
    data[f"outcome_{third}"] = "na"
    assert client.post(f"/inspections/{inspection.pk}/", data).status_code == 302
    saved = {r.item_id: (r.outcome, r.note) for r in inspection.results.all()}
    assert (
        saved[first][0] == Outcome.PASS
        and saved[second] == (Outcome.FAIL, "地面积水")
        and saved[third][0] == Outcome.NA
    )
    html = client.get(f"/inspections/{inspection.pk}/").content.decode()
    assert f'name="outcome_{first}" value="pass" checked' in html
    assert f'name="outcome_{second}" value="fail" checked' in html and "地面积水</textarea>" in html
    assert f'name="outcome_{third}" value="na" checked' in html
    assert re.search(f'data-item="{third}" data-state="na"', html)
    assert "<b data-count>3</b>" in html  # N/A is an answer


def test_all_fine_without_the_script_passes_the_unanswered_items(users, web, inspection):
    results = list(inspection.results.all())
    failed = results[4].item_id
    client = web(users["inspector"])
    client.post(
        f"/inspections/{inspection.pk}/",
        {"version": inspection.version, f"outcome_{results[0].item_id}": "na"},
    )
    inspection.refresh_from_db()
    client.post(
        f"/inspections/{inspection.pk}/",
        {"version": inspection.version, "all_ok": "1", f"outcome_{failed}": "fail", f"note_{failed}": "无消毒记录"},
    )
    outcomes = {r.item_id: r.outcome for r in inspection.results.all()}
    assert outcomes[failed] == Outcome.FAIL and outcomes[results[0].item_id] == Outcome.NA  # answered stays
    assert sum(1 for o in outcomes.values() if o == Outcome.PASS) == len(results) - 2
    assert Outcome.PENDING not in outcomes.values()


def test_a_closed_inspection_is_read_only_with_the_failures_first(users, web, inspection):
    results = list(inspection.results.select_related("item").order_by("item__order"))
    general = next(r for r in results if not r.item.is_key)
    key = next(r for r in results if r.item.is_key)
    outcomes = {r.item_id: {"outcome": Outcome.PASS} for r in results}
    outcomes[general.item_id] = {"outcome": Outcome.FAIL, "note": "排水沟堵塞"}
    outcomes[key.item_id] = {"outcome": Outcome.FAIL}
    outcomes[results[-1].item_id] = {"outcome": Outcome.NA}
    services.inspection_record(actor=users["inspector"], inspection=inspection, results=outcomes)
    services.inspection_close(actor=users["inspector"], inspection=inspection)
    assert Inspection.objects.get(pk=inspection.pk).state == InspectionState.CLOSED
    html = web(users["haishu"]).get(f"/inspections/{inspection.pk}/").content.decode()
    assert 'type="radio"' not in html and "data-all-ok" not in html and "data-checklist-bar" not in html
    assert cards(html)[:2] == [str(key.item_id), str(general.item_id)]  # failed, key items first
    assert html.count('data-answered="no"') == 2 and html.count('data-answered="na"') == 1
    assert "排水沟堵塞" in html
    assert re.search(rf"<b data-count>{len(results)}</b>/<span data-total>{len(results)}</span>", html)
