import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from shian.core.choices import Role
from shian.core.tests.factories import UserFactory
from shian.hazards.models import Hazard
from shian.inspections import services
from shian.inspections.models import ChecklistTemplate, Conclusion, Inspection, InspectionState, Outcome
from shian.inspections.pdf import inspection_pdf
from shian.registry.tests.factories import BusinessFactory
from shian.supervision.models import BusinessGrade


@pytest.fixture
def shop(city):
    return BusinessFactory(name="海曙老王面馆", region=city["haishu_grid"])


def all_pass(inspection, **overrides):
    results = {r.item_id: {"outcome": Outcome.PASS} for r in inspection.results.all()}
    for order, outcome in overrides.items():
        item = inspection.results.get(item__order=int(order.removeprefix("i"))).item
        results[item.pk] = {"outcome": outcome, "note": "现场记录"}
    return results


def key_and_general(inspection):
    key = inspection.results.filter(item__is_key=True).first().item.order
    general = inspection.results.filter(item__is_key=False).first().item.order
    return key, general


def test_every_business_type_has_a_checklist(db):
    from shian.registry.choices import BusinessType

    active = ChecklistTemplate.objects.filter(active=True)
    assert set(active.values_list("business_type", flat=True)) == set(BusinessType.values)


@pytest.mark.django_db(transaction=False)
def test_conform_basically_nonconform(users, shop, django_capture_on_commit_callbacks):
    inspector = users["inspector"]
    first = services.inspection_start(actor=inspector, business=shop)
    assert first.results.count() == services.template_for(shop).items.count()
    key, general = key_and_general(first)
    services.inspection_record(actor=inspector, inspection=first, results=all_pass(first))
    with django_capture_on_commit_callbacks(execute=True):
        closed = services.inspection_close(actor=inspector, inspection=first, summary="良好")
    assert closed.conclusion == Conclusion.CONFORM and closed.state == InspectionState.CLOSED
    assert BusinessGrade.objects.filter(business=shop).exists()  # regraded when the inspection closed

    second = services.inspection_start(actor=inspector, business=shop)
    services.inspection_record(actor=inspector, inspection=second, results=all_pass(second, **{f"i{general}": "fail"}))
    assert services.inspection_close(actor=inspector, inspection=second).conclusion == Conclusion.BASICALLY
    hazard = Hazard.objects.get(business=shop)
    assert hazard.severity == "general" and hazard.source == "inspection"

    third = services.inspection_start(actor=inspector, business=shop)
    services.inspection_record(actor=inspector, inspection=third, results=all_pass(third, **{f"i{key}": "fail"}))
    closed = services.inspection_close(actor=inspector, inspection=third)
    assert (closed.conclusion, closed.key_failures, closed.general_failures) == (Conclusion.NONCONFORM, 1, 0)
    assert Hazard.objects.filter(business=shop, severity="major").count() == 1


def test_cannot_close_with_unchecked_items_or_change_after_closing(users, shop):
    inspection = services.inspection_start(actor=users["inspector"], business=shop)
    with translation.override("en"), pytest.raises(ValidationError, match="not checked yet"):
        services.inspection_close(actor=users["inspector"], inspection=inspection)
    services.inspection_record(actor=users["inspector"], inspection=inspection, results=all_pass(inspection))
    services.inspection_close(actor=users["inspector"], inspection=inspection)
    with pytest.raises(ValidationError):
        services.inspection_record(actor=users["inspector"], inspection=inspection, results=all_pass(inspection))


def test_two_inspectors_saving_at_once_conflict(users, shop):
    inspection = services.inspection_start(actor=users["inspector"], business=shop)
    results = all_pass(inspection)
    services.inspection_record(actor=users["inspector"], inspection=inspection, results=results, expected_version=1)
    with pytest.raises(services.ConflictError):
        services.inspection_record(actor=users["haishu"], inspection=inspection, results={}, expected_version=1)


def test_pdf_record_is_chinese(users, shop):
    inspection = services.inspection_start(actor=users["inspector"], business=shop)
    services.inspection_record(actor=users["inspector"], inspection=inspection, results=all_pass(inspection))
    services.inspection_close(actor=users["inspector"], inspection=inspection, representative="王老板")
    pdf = inspection_pdf(Inspection.objects.get(pk=inspection.pk))
    assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf and len(pdf) > 2000


def test_ui_fill_and_close(users, web, shop):
    client = web(users["inspector"])
    response = client.post(f"/inspections/start/{shop.pk}/")
    inspection = Inspection.objects.get(business=shop)
    assert response["Location"] == f"/inspections/{inspection.pk}/"
    page = client.get(f"/inspections/{inspection.pk}/")
    assert page.context["editable"] and len(page.context["results"]) == inspection.results.count()
    data = {"version": inspection.version, "close": "1", "summary": "整体良好", "representative": "王老板"}
    for r in inspection.results.all():
        data[f"outcome_{r.item_id}"] = "pass"
    client.post(f"/inspections/{inspection.pk}/", data)
    inspection.refresh_from_db()
    assert inspection.conclusion == Conclusion.CONFORM
    stale = client.post(f"/inspections/{inspection.pk}/", {"version": 1})
    assert stale.status_code in (302, 409)
    pdf = client.get(f"/inspections/{inspection.pk}/record.pdf")
    assert pdf["Content-Type"] == "application/pdf"


def test_scope_and_business_read_only(users, web, api, shop, city):
    other = BusinessFactory(name="江北店", region=city["jiangbei_grid"])
    theirs = services.inspection_start(actor=users["admin"], business=other)
    assert web(users["haishu"]).get(f"/inspections/{theirs.pk}/").status_code == 404
    assert api(users["haishu"]).get(f"/api/inspections/{theirs.pk}").status_code == 404
    mine = services.inspection_start(actor=users["inspector"], business=shop)
    owner = UserFactory(username="owner", role=Role.BUSINESS_STAFF, business=shop)
    assert web(owner).get(f"/inspections/{mine.pk}/").context["editable"] is False
    assert api(owner).put(f"/api/inspections/{mine.pk}/results", {"results": []}).status_code == 403


def test_api_flow(users, api, shop):
    client = api(users["inspector"])
    started = client.post("/api/inspections", {"business_id": shop.pk})
    assert started.status_code == 201
    body = started.json()
    results = [{"item_id": i["item_id"], "outcome": "pass"} for i in body["items"]]
    recorded = client.put(f"/api/inspections/{body['id']}/results", {"version": body["version"], "results": results})
    assert recorded.status_code == 200
    assert client.put(f"/api/inspections/{body['id']}/results", {"version": 1, "results": []}).status_code == 409
    closed = client.post(f"/api/inspections/{body['id']}/close", {"summary": "ok"})
    assert closed.json()["conclusion"] == "conform"
    assert client.get(f"/api/inspections/{body['id']}/pdf").content.startswith(b"%PDF")


def test_a_hazard_from_a_failed_item_names_the_defect(users, shop):
    """Titled by the inspector's note and "不符合" with the requirement, not by the requirement alone
    (which reads as if all were well); no description ends in a bare colon."""
    from django.utils import translation

    from shian.inspections.services import failed_item_title

    inspection = services.inspection_start(actor=users["inspector"], business=shop)
    key, general = key_and_general(inspection)
    results = all_pass(inspection, **{f"i{key}": "fail", f"i{general}": "fail"})
    key_pk = inspection.results.get(item__order=key).item_id
    general_pk = inspection.results.get(item__order=general).item_id
    results[key_pk]["note"] = "冷藏柜 12℃，无温度记录"
    results[general_pk]["note"] = ""
    with translation.override("zh-hans"):
        services.inspection_record(actor=users["inspector"], inspection=inspection, results=results)
        services.inspection_close(actor=users["inspector"], inspection=inspection)
    with_note = Hazard.objects.get(business=shop, severity="major")
    requirement = inspection.results.get(item_id=key_pk).item.text
    assert with_note.title.startswith("冷藏柜 12℃，无温度记录") and f"不符合：{requirement}" in with_note.title
    without_note = Hazard.objects.get(business=shop, severity="general")
    assert without_note.title.startswith("不符合：") and not without_note.description.rstrip().endswith(("：", ":"))
    assert len(failed_item_title("x" * 300, "")) == 200


def test_closed_inspection_page_shows_failures_first_and_the_hazards_raised(users, web, shop):
    inspection = services.inspection_start(actor=users["inspector"], business=shop)
    key, general = key_and_general(inspection)
    services.inspection_record(
        actor=users["inspector"], inspection=inspection, results=all_pass(inspection, **{f"i{general}": "fail"})
    )
    services.inspection_close(actor=users["inspector"], inspection=inspection)
    other = services.inspection_start(actor=users["inspector"], business=shop)
    services.inspection_record(
        actor=users["inspector"], inspection=other, results=all_pass(other, **{f"i{key}": "fail"})
    )
    services.inspection_close(actor=users["inspector"], inspection=other)  # same day, same business
    page = web(users["haishu"]).get(f"/inspections/{inspection.pk}/")
    assert page.context["results"][0].outcome == Outcome.FAIL
    raised = page.context["raised"]
    assert len(raised) == 1 and raised[0].origin == f"inspections.inspection:{inspection.pk}"
    assert f"/hazards/{raised[0].pk}/" in page.content.decode()


def _pdf_title(pdf: bytes) -> str:
    import codecs
    import re

    literal = re.search(rb"/Title \((.*?)\) /", pdf, re.S).group(1)
    return codecs.escape_decode(literal)[0].decode("utf-16")


def test_pdf_record_is_titled_as_the_current_form(users, shop):
    """SAMR Order 49 (2021) Art. 39: the 监督检查结果记录表; it used to say 食品安全监督检查记录表."""
    inspection = services.inspection_start(actor=users["inspector"], business=shop)
    services.inspection_record(actor=users["inspector"], inspection=inspection, results=all_pass(inspection))
    services.inspection_close(actor=users["inspector"], inspection=inspection)
    assert _pdf_title(inspection_pdf(Inspection.objects.get(pk=inspection.pk))) == "食品生产经营监督检查结果记录表"


def test_pdf_record_escapes_stored_markup(users, city):
    """Stored text is text, not reportlab markup: broken tags were a 500, <img> embedded a server file."""
    business = BusinessFactory(
        name="<b>未闭合 & 公司", address='<img src="/etc/hostname" width="9"/>', region=city["haishu_grid"]
    )
    inspection = services.inspection_start(actor=users["inspector"], business=business)
    first = inspection.results.first().item
    results = all_pass(inspection)
    results[first.pk] = {"outcome": "fail", "note": "<font name='x'>坏标记"}
    services.inspection_record(actor=users["inspector"], inspection=inspection, results=results)
    services.inspection_close(
        actor=users["inspector"],
        inspection=inspection,
        summary="</para><img src='/etc/passwd'/>",
        representative="<i>王",
    )
    pdf = inspection_pdf(Inspection.objects.get(pk=inspection.pk))
    assert pdf.startswith(b"%PDF") and b"/Subtype /Image" not in pdf


def test_bad_input_on_the_inspection_form_is_refused_by_name(users, web, shop):
    client = web(users["inspector"])
    client.post(f"/inspections/start/{shop.pk}/")
    inspection = Inspection.objects.get(business=shop)
    outcomes = {f"outcome_{r.item_id}": "pass" for r in inspection.results.all()}
    page = client.post(f"/inspections/{inspection.pk}/", {"version": "<script>", **outcomes}, follow=True)
    assert page.status_code == 200 and [m for m in page.context["messages"] if m.level_tag == "error"]  # not a 500
    data = {"version": inspection.version, "close": "1", "representative": "王" * 51, **outcomes}
    page = client.post(f"/inspections/{inspection.pk}/", data, follow=True)
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.DRAFT and inspection.representative == ""
    text = page.content.decode()
    assert "50" in text and str(Inspection._meta.get_field("representative").verbose_name) in text
    data = {"version": inspection.version, "close": "1", "summary": "好" * 20_001, **outcomes}
    client.post(f"/inspections/{inspection.pk}/", data)
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.DRAFT and inspection.summary == ""
    long_note = {f"note_{inspection.results.first().item_id}": "记" * 256}
    client.post(f"/inspections/{inspection.pk}/", {"version": inspection.version, **outcomes, **long_note})
    assert not inspection.results.filter(note__startswith="记").exists()  # refused, not cut to 255
