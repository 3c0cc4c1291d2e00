"""Issue 9 (registry part): codes as typed are normalised and a wrong one is refused naming its part, in the
form, the API and the importer; importers are an attribute, not a 业态; licence numbers whose division is
not the business's district are flagged, not refused; the new attributes are shown, filtered, exported."""

import datetime as dt
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from shian.registry.exports import businesses_xlsx
from shian.registry.imports import import_businesses
from shian.registry.licensing import county_bureau, licence_warnings
from shian.registry.models import Business, Licence
from shian.registry.tests.factories import BusinessFactory, LicenceFactory, uscc_for
from shian.registry.tests.test_imports import csv_bytes, errors_of, row

FULL_WIDTH = str.maketrans(
    "0123456789ABCDEFGHJKLMNPQRTUWXY", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ"
)


def typed(code: str) -> str:
    """A code as a Chinese input method might give it: full-width, in groups of four with ideographic spaces."""
    wide = code.translate(FULL_WIDTH)
    return "\u3000".join(wide[i : i + 4] for i in range(0, len(wide), 4))


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- API ----------------------------------------------------------------------------------------
def _body(city, **extra):
    return {
        "name": "接口新店",
        "uscc": uscc_for(9101),
        "type": "catering",
        "address": "浙江省宁波市海曙区某路2号",
        "region_id": city["haishu_grid"].pk,
    } | extra


def test_api_normalises_a_typed_code(users, api, city):
    response = api(users["haishu"]).post("/api/businesses", _body(city, uscc=typed(uscc_for(9101))))
    assert response.status_code == 201, response.content
    assert response.json()["uscc"] == uscc_for(9101)


@pytest.mark.parametrize(
    ("code", "part"),
    [
        ("01330212MA281ATH4R", "第1位登记管理部门代码"),  # the API answers in the UI language, Chinese
        ("91000000MA281ATH49", "第3–8位"),
        ("91990101MA281ATH4E", "第3–8位"),
    ],
)
def test_api_refuses_a_badly_structured_code_naming_the_part(users, api, city, code, part):
    response = api(users["haishu"]).post("/api/businesses", _body(city, uscc=code))
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "uscc"]
    assert part in detail["msg"]
    assert not Business.objects.exists()


def test_api_takes_and_returns_the_attributes(users, api, city):
    client = api(users["haishu"])
    created = client.post("/api/businesses", _body(city, type="sales", imports_food=True)).json()
    assert created["imports_food"] and not created["chain_headquarters"]
    patched = client.patch(f"/api/businesses/{created['id']}", {"chain_headquarters": True}).json()
    assert patched["chain_headquarters"] and patched["imports_food"]
    assert client.get("/api/businesses", {"attribute": "imports_food"}).json()["count"] == 1
    assert client.get("/api/businesses", {"attribute": "special_food"}).json()["count"] == 0


def test_api_licence_of_another_district_is_kept_with_a_warning(users, api, city):
    shop = BusinessFactory(region=city["haishu_grid"])
    client = api(users["haishu"])
    today = dt.date.today()
    body = {
        "kind": "JY",
        "number": "jy2 330205 000001 3",  # 江北区's code, typed loosely
        "issued_on": str(today - dt.timedelta(days=10)),
        "valid_until": str(today + dt.timedelta(days=1000)),
        "issuing_authority": "宁波市市场监督管理局",
    }
    response = client.post(f"/api/businesses/{shop.pk}/licences", body)
    assert response.status_code == 201, response.content
    licence = response.json()
    assert licence["number"] == "JY23302050000013"
    assert any("330205" in w for w in licence["warnings"])
    assert any("宁波市海曙区市场监督管理局" in w for w in licence["warnings"])
    assert client.get(f"/api/licences/{licence['id']}").json()["warnings"] == licence["warnings"]


def test_api_refuses_a_filing_in_the_old_local_format(users, api, city):
    shop = BusinessFactory(region=city["haishu_grid"], type="sales")
    body = {"kind": "filing", "number": "备案33020300000001", "issued_on": str(dt.date.today())}
    response = api(users["haishu"]).post(f"/api/businesses/{shop.pk}/licences", body)
    assert response.status_code == 422
    assert "YB" in response.json()["detail"][0]["msg"]


# --- licence warnings -----------------------------------------------------------------------------
def test_licence_from_the_district_bureau_has_no_warning(city):
    shop = BusinessFactory(region=city["haishu_grid"])
    licence = LicenceFactory(business=shop, number="JY23302030000018", issuing_authority=county_bureau(city["haishu"]))
    assert county_bureau(city["haishu"]) == "宁波市海曙区市场监督管理局"
    assert licence_warnings(licence) == []


def test_canteen_under_a_catering_digit_is_flagged(city):
    canteen = BusinessFactory(region=city["haishu_grid"], type="kindergarten_canteen")
    licence = LicenceFactory(business=canteen, number="JY23302030000018")
    assert any("licensed under 3" in w for w in licence_warnings(licence))


# --- form ---------------------------------------------------------------------------------------
def test_form_normalises_a_typed_code(users, web, city):
    client = web(users["haishu"])
    data = {
        "name": "表单新店",
        "uscc": typed(uscc_for(9202)),
        "type": "sales",
        "scale": 1,
        "address": "浙江省宁波市海曙区某路3号",
        "region": city["haishu_grid"].pk,
        "status": "operating",
        "imports_food": "on",
    }
    response = client.post("/registry/businesses/new/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    business = Business.objects.get(name="表单新店")
    assert business.uscc == uscc_for(9202) and business.imports_food


def test_form_names_the_wrong_part(users, web, city):
    data = {
        "name": "表单坏码",
        "uscc": "01330212MA281ATH4R",
        "type": "sales",
        "scale": 1,
        "address": "地址",
        "region": city["haishu_grid"].pk,
        "status": "operating",
    }
    response = web(users["haishu"]).post("/registry/businesses/new/", data)
    assert response.status_code == 200
    assert "第1位登记管理部门代码" in response.content.decode()
    assert not Business.objects.filter(name="表单坏码").exists()


def test_business_page_shows_attributes_and_licence_warnings(users, web, city):
    shop = BusinessFactory(region=city["haishu_grid"], type="sales", imports_food=True)
    LicenceFactory(business=shop, number="JY13302050000012")
    client = web(users["haishu"])
    profile = client.get(f"/registry/businesses/{shop.pk}/").content.decode()
    assert "进口食品" in profile
    licences = client.get(f"/registry/businesses/{shop.pk}/?tab=licences").content.decode()
    assert "330205" in licences and "⚠" in licences


# --- importer -----------------------------------------------------------------------------------
def test_import_reads_importer_rows_as_sellers_that_import(users, city):
    rows = [row(1, type="进口商"), row(2, type="幼儿园食堂", diners_per_meal="180"), row(3, chain_headquarters="是")]
    result = import_businesses(data=csv_bytes(rows), filename="types.csv", actor=users["haishu"])
    assert result.ok, result.run.errors
    importer = Business.objects.get(name="导入餐馆1")
    assert (importer.type, importer.imports_food) == ("sales", True)
    assert Business.objects.get(name="导入餐馆2").type == "kindergarten_canteen"
    assert Business.objects.get(name="导入餐馆3").chain_headquarters


def test_import_normalises_codes_and_names_row_field_and_part(users, city):
    rows = [
        row(1, uscc=typed(uscc_for(50_001)), licence_number="ｊｙ２３３０２０３０００００１１"),
        row(2, uscc="91990101MA281ATH4E"),
        row(3, special_food="也许"),
    ]
    result = import_businesses(data=csv_bytes(rows), filename="codes.csv", actor=users["haishu"])
    assert not result.ok
    errors = errors_of(result)
    assert [(r, c) for r, c, _m in errors] == [(3, "统一社会信用代码"), (4, "特殊食品")]
    assert "characters 3–8" in errors[0][2]
    fixed = [rows[0], row(2), row(3)]
    assert import_businesses(data=csv_bytes(fixed), filename="codes.csv", actor=users["haishu"]).ok
    assert Business.objects.filter(uscc=uscc_for(50_001)).exists()
    assert Licence.objects.filter(number="JY23302030000011").exists()


def test_import_reads_a_filing_and_its_authority(users, city):
    rows = [
        row(
            1,
            type="食品销售",
            licence_number="YB13302030000011",
            licence_valid_until="",
            licence_authority="宁波市海曙区市场监督管理局",
        )
    ]
    result = import_businesses(data=csv_bytes(rows), filename="yb.csv", actor=users["haishu"])
    assert result.ok, result.run.errors
    filing = Licence.objects.get()
    assert (filing.kind, filing.issuing_authority, filing.valid_until) == ("filing", "宁波市海曙区市场监督管理局", None)


# --- export -------------------------------------------------------------------------------------
def test_export_has_the_attribute_columns(city):
    BusinessFactory(region=city["haishu_grid"], type="production", special_food=True)
    sheet = load_workbook(io.BytesIO(businesses_xlsx(Business.objects.all()))).active
    header = [c.value for c in sheet[1]]
    values = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert values["Special foods"] == "yes" and values["Imports food"] == "no"
