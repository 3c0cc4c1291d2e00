import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from shian.registry.choices import BusinessStatus, BusinessType
from shian.registry.models import Business
from shian.registry.tests.factories import BusinessFactory, LicenceFactory, StaffFactory, uscc_for


@pytest.fixture
def many(city):
    rows = []
    for i in range(60):
        b = BusinessFactory(
            name=f"{'面馆' if i % 2 else '超市'}{i:02d}",
            type=BusinessType.CATERING if i % 2 else BusinessType.FOOD_SALES,
            region=city["haishu_grid"] if i < 45 else city["jiangbei_grid"],
            status=BusinessStatus.CLOSED if i % 10 == 0 else BusinessStatus.OPERATING,
        )
        LicenceFactory(business=b)
        StaffFactory(business=b)
        rows.append(b)
    return rows


def test_list_paginates_and_counts(users, web, many):
    response = web(users["admin"]).get("/registry/businesses/")
    assert response.status_code == 200
    assert len(response.context["rows"]) == 50
    assert response.context["page"].paginator.count == 60
    page2 = web(users["admin"]).get("/registry/businesses/?page=2")
    assert len(page2.context["rows"]) == 10


def test_search_filter_and_sort(users, web, many):
    response = web(users["haishu"]).get("/registry/businesses/?q=面馆&status=operating&sort=-name")
    names = [b.name for b, _lic, _extra in response.context["rows"]]
    expected = sorted((b.name for b in many[:45] if "面馆" in b.name and b.status == "operating"), reverse=True)
    assert names == expected


def test_search_by_uscc_and_address(users, web, many):
    target = many[3]
    by_code = web(users["admin"]).get(f"/registry/businesses/?q={target.uscc.lower()}")
    assert [b.pk for b, _l, _e in by_code.context["rows"]] == [target.pk]
    by_address = web(users["admin"]).get(f"/registry/businesses/?q={target.address}")
    assert target.pk in [b.pk for b, _l, _e in by_address.context["rows"]]


def test_region_filter_includes_subtree(users, web, many, city):
    response = web(users["admin"]).get(f"/registry/businesses/?region={city['jiangbei'].pk}")
    assert response.context["page"].paginator.count == 15


def test_bad_filter_value_is_ignored_with_a_message(users, web, many):
    response = web(users["admin"]).get("/registry/businesses/?type=spaceship&sort=nonsense")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 60
    warnings = [str(m) for m in response.context["messages"]]
    assert any("type" in w for w in warnings) and any("sort" in w for w in warnings)


def test_htmx_request_gets_only_the_table(users, web, many):
    response = web(users["admin"]).get("/registry/businesses/?q=面馆", HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert 'id="businesses"' in content
    assert "<html" not in content


def test_list_query_count_does_not_grow_with_rows(users, web, many, city):
    client = web(users["admin"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get("/registry/businesses/?sort=-updated")
        return len(ctx.captured_queries)

    before = queries()
    for i in range(20):  # more rows on the page, in more regions, with licences and staff
        b = BusinessFactory(name=f"新增{i}", region=city["jiangbei_street"] if i % 2 else city["haishu_street"])
        LicenceFactory(business=b)
        StaffFactory(business=b)
    assert queries() == before
    assert before <= 12


def test_export_matches_filter(users, web, many):
    response = web(users["haishu"]).get("/registry/businesses/export.xlsx?type=catering")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    exported = {r[0] for r in rows[1:]}
    assert exported == {b.name for b in many[:45] if b.type == BusinessType.CATERING}


def test_create_through_the_form(users, web, city):
    client = web(users["haishu"])
    data = {
        "name": "表单新店",
        "uscc": uscc_for(4242).lower(),
        "type": "catering",
        "scale": 1,
        "address": "海曙区某路",
        "region": city["haishu_grid"].pk,
        "status": "operating",
    }
    response = client.post("/registry/businesses/new/", data)
    assert response.status_code == 302
    business = Business.objects.get(name="表单新店")
    assert business.uscc == uscc_for(4242)


def test_form_shows_field_errors(users, web, city):
    data = {
        "name": "坏码店",
        "uscc": "91350100M000100Y44",
        "type": "catering",
        "scale": 1,
        "address": "x",
        "region": city["haishu_grid"].pk,
        "status": "operating",
        "contact_phone": "123",
    }
    response = web(users["haishu"]).post("/registry/businesses/new/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "uscc" in form.errors and "contact_phone" in form.errors
    assert not Business.objects.filter(name="坏码店").exists()


def test_form_region_choices_are_scoped(users, web, city):
    form = web(users["haishu"]).get("/registry/businesses/new/").context["form"]
    assert set(form.fields["region"].queryset.values_list("code", flat=True)) == {"330203", "330203001", "330203001001"}
    response = web(users["haishu"]).post(
        "/registry/businesses/new/",
        {
            "name": "越界",
            "uscc": uscc_for(5),
            "type": "catering",
            "scale": 1,
            "address": "x",
            "region": city["jiangbei_grid"].pk,
            "status": "operating",
        },
    )
    assert "region" in response.context["form"].errors


def test_edit_conflict_is_reported(users, web, haishu_shop):
    client = web(users["haishu"])
    form = client.get(f"/registry/businesses/{haishu_shop.pk}/edit/").context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    assert data["version"] == 1  # the hidden field the browser posts back
    Business.objects.filter(pk=haishu_shop.pk).update(version=5)  # someone else saved in between
    response = client.post(f"/registry/businesses/{haishu_shop.pk}/edit/", data | {"name": "我的修改"})
    assert response.status_code == 409
    haishu_shop.refresh_from_db()
    assert haishu_shop.name == "海曙老王面馆"


def test_detail_tabs_and_audit_tab(users, web, haishu_shop):
    client = web(users["haishu"])
    client.post(
        f"/registry/businesses/{haishu_shop.pk}/edit/",
        {
            "name": "改名面馆",
            "uscc": haishu_shop.uscc,
            "type": "catering",
            "scale": 1,
            "address": haishu_shop.address,
            "region": haishu_shop.region_id,
            "status": "operating",
            "version": 1,
        },
    )
    page = client.get(f"/registry/businesses/{haishu_shop.pk}/?tab=audit").content.decode()
    assert "海曙老王面馆" in page and "改名面馆" in page and "haishu" in page
    keys = [t.key for t in client.get(f"/registry/businesses/{haishu_shop.pk}/").context["tabs"]]
    # every tab but profile, licences, staff and audit comes from another app through core.tabs
    assert keys == [
        "profile",
        "rating",
        "licences",
        "staff",
        "grade",
        "inspections",
        "oversight",
        "selfchecks",
        "hazards",
        "audit",
    ]


def test_licence_and_staff_forms(users, web, haishu_shop):
    client = web(users["haishu"])
    response = client.post(
        f"/registry/businesses/{haishu_shop.pk}/licences/new/",
        {"kind": "SC", "number": "SC10633020300012", "issued_on": "2024-01-01", "valid_until": "2029-01-01"},
    )
    assert response.status_code == 302
    assert haishu_shop.licences.filter(number="SC10633020300012").exists()
    response = client.post(
        f"/registry/businesses/{haishu_shop.pk}/licences/new/",
        {"kind": "SC", "number": "JY10633020300012", "issued_on": "2024-01-01", "valid_until": "2029-01-01"},
    )
    assert "number" in response.context["form"].errors
    response = client.post(
        f"/registry/businesses/{haishu_shop.pk}/staff/new/",
        {"role": "director", "name": "张总监", "phone": "13900000000", "active": "on"},
    )
    assert response.status_code == 302
    assert haishu_shop.staff.filter(name="张总监", role="director").exists()


def test_expiring_licence_list(users, web, haishu_shop):
    import datetime as dt

    from django.utils import timezone

    soon = LicenceFactory(business=haishu_shop, valid_until=timezone.localdate() + dt.timedelta(days=10))
    response = web(users["haishu"]).get("/registry/licences/?state=expiring")
    assert [lic.pk for lic in response.context["page"]] == [soon.pk]
    xlsx = web(users["haishu"]).get("/registry/licences/?state=expiring&format=xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == soon.number and len(rows) == 2


def test_dashboard_tiles(users, web, many):
    response = web(users["haishu"]).get("/")
    tiles = {t.key: t for t in response.context["tiles"]}
    assert tiles["businesses"].value == "40"  # 45 in Haishu, 5 of them closed
    assert "staffing_rate" in tiles and "licences_expiring" in tiles
    assert "<svg" in response.content.decode()


def test_pages_render_in_english(users, web, haishu_shop):
    client = web(users["haishu"])
    client.post("/i18n/setlang/", {"language": "en"})
    content = client.get(f"/registry/businesses/{haishu_shop.pk}/").content.decode()
    assert "Licences" in content and "Audit log" in content
    client.post("/i18n/setlang/", {"language": "zh-hans"})
    content = client.get(f"/registry/businesses/{haishu_shop.pk}/").content.decode()
    assert "许可证" in content and "审计日志" in content
