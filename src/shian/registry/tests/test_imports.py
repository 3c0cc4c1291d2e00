import csv
import datetime as dt
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook, load_workbook

from shian.core.models import AuditEntry
from shian.registry.choices import ImportStatus
from shian.registry.imports import COLUMNS, import_businesses
from shian.registry.models import Business, Licence, Staff
from shian.registry.tests.factories import uscc_for

HEADER = [c.label for c in COLUMNS]


@pytest.fixture(autouse=True)
def english():
    """Assert on the English messages (the Chinese ones are the same keys, translated)."""
    with translation.override("en"):
        yield


def row(n: int, **over) -> list:
    values = {
        "uscc": uscc_for(50_000 + n),
        "name": f"导入餐馆{n}",
        "type": "餐饮服务",
        "scale": "小型",
        "diners_per_meal": "",
        "address": f"海曙区导入路{n}号",
        "region_code": "330203001001",
        "status": "在营",
        "latitude": "29.87",
        "longitude": "121.54",
        "legal_representative": "张三",
        "contact_phone": "13800000000",
        "licence_number": f"JY2330203{n:06d}1",
        "licence_issued_on": "2024-01-01",
        "licence_valid_until": "2029-01-01",
        "director_name": "",
        "director_phone": "",
        "director_trained_on": "",
        "officer_name": f"安全员{n}",
        "officer_phone": "13900000000",
        "officer_trained_on": "2025-06-01",
    } | over
    return [values.get(c.key, "") for c in COLUMNS]


def csv_bytes(rows, header=HEADER, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER, merge=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def errors_of(result):
    return [(e["row"], e["column"], e["message"]) for e in result.run.errors]


def test_csv_import_creates_everything(users, city):
    result = import_businesses(data=csv_bytes([row(1), row(2)]), filename="a.csv", actor=users["haishu"])
    assert result.ok, result.run.errors
    assert (result.run.created, result.run.updated, result.run.unchanged) == (2, 0, 0)
    business = Business.objects.get(name="导入餐馆1")
    assert business.type == "catering" and business.region == city["haishu_grid"]
    assert business.licences.get().number == "JY23302030000011"
    assert business.staff.get().name == "安全员1"
    assert business.staffing_complete
    assert AuditEntry.objects.filter(object_type="registry.business", object_id=str(business.pk)).count() == 1


def test_xlsx_import_and_reimport_changes_nothing(users, city):
    data = xlsx_bytes([row(i) for i in range(1, 6)])
    first = import_businesses(data=data, filename="b.xlsx", actor=users["haishu"])
    assert first.ok and first.run.created == 5
    audit_count = AuditEntry.objects.count()
    versions = list(Business.objects.order_by("pk").values_list("version", "updated_at"))
    second = import_businesses(data=data, filename="b.xlsx", actor=users["haishu"])
    assert second.ok
    assert (second.run.created, second.run.updated, second.run.unchanged) == (0, 0, 5)
    assert list(Business.objects.order_by("pk").values_list("version", "updated_at")) == versions
    assert AuditEntry.objects.count() == audit_count + 1  # only the import run itself
    assert Business.objects.count() == 5 and Licence.objects.count() == 5 and Staff.objects.count() == 5


def test_reimport_with_a_change_updates_that_row(users, city):
    import_businesses(data=csv_bytes([row(1), row(2)]), filename="c.csv", actor=users["haishu"])
    result = import_businesses(
        data=csv_bytes([row(1, name="导入餐馆1号店"), row(2)]), filename="c.csv", actor=users["haishu"]
    )
    assert (result.run.created, result.run.updated, result.run.unchanged) == (0, 1, 1)
    business = Business.objects.get(uscc=uscc_for(50_001))
    assert business.name == "导入餐馆1号店" and business.version == 2


def test_excel_serial_dates_and_english_headers(users, city):
    header = [c.key for c in COLUMNS]
    r = row(1)
    r[[c.key for c in COLUMNS].index("licence_issued_on")] = 45292  # 2024-01-01 as an Excel serial number
    result = import_businesses(data=xlsx_bytes([r], header=header), filename="d.xlsx", actor=users["haishu"])
    assert result.ok, result.run.errors
    assert Licence.objects.get().issued_on == dt.date(2024, 1, 1)


def test_every_bad_row_reported_and_nothing_written(users, city):
    future = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    rows = [
        row(1),
        row(2, uscc="91350100M000100Y44"),
        row(3, licence_number="JY123"),
        row(4, licence_issued_on=future),
        row(5, contact_phone="12345"),
        row(6, type="太空餐厅"),
        row(7, region_code="999999"),
        row(8, officer_trained_on="yesterday"),
        row(9, name=""),
        row(10, uscc=uscc_for(50_001)),  # duplicate of row 1 (file row 2)
    ]
    result = import_businesses(data=csv_bytes(rows), filename="bad.csv", actor=users["haishu"])
    assert not result.ok
    assert result.run.status == ImportStatus.FAILED
    found = {(r, c) for r, c, _m in errors_of(result)}
    assert found == {
        (3, "统一社会信用代码"),
        (4, "许可证编号"),
        (5, "发证日期"),
        (6, "联系电话"),
        (7, "业态"),
        (8, "区划代码"),
        (9, "安全员培训日期"),
        (10, "名称"),
        (11, "统一社会信用代码"),
    }
    messages = dict(((r, c), m) for r, c, m in errors_of(result))
    assert "row 2" in messages[(11, "统一社会信用代码")] or "第 2 行" in messages[(11, "统一社会信用代码")]
    assert Business.objects.count() == 0 and Licence.objects.count() == 0 and Staff.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "filename", "fragment"),
    [
        (b"", "empty.csv", "empty"),
        (",".join(HEADER).encode(), "header-only.csv", "no data rows"),
        (csv_bytes([row(1)], header=["名称", "地址", "什么列"]), "cols.csv", "unknown columns: 什么列"),
        (csv_bytes([row(1)], encoding="gb18030"), "gbk.csv", "GBK"),
        (os.urandom(10 * 1024 * 1024), "junk.csv", "binary"),
        (os.urandom(4096), "junk.xlsx", "not a readable .xlsx"),
        (b"PK\x03\x04" + os.urandom(2048), "fake.xlsx", "not a readable .xlsx"),
        (b"%PDF-1.4", "doc.pdf", "Unsupported file type"),
    ],
)
def test_malformed_files_rejected_with_a_clear_message(users, city, data, filename, fragment):
    result = import_businesses(data=data, filename=filename, actor=users["haishu"])
    assert not result.ok
    assert len(result.run.errors) == 1
    assert result.run.errors[0]["row"] == 0
    assert fragment.lower() in result.run.errors[0]["message"].lower()
    assert Business.objects.count() == 0


def test_merged_cells_rejected(users, city):
    result = import_businesses(
        data=xlsx_bytes([row(1), row(2)], merge="A2:B2"), filename="m.xlsx", actor=users["haishu"]
    )
    assert not result.ok
    assert "merged cells" in result.run.errors[0]["message"] and "A2:B2" in result.run.errors[0]["message"]


def test_numeric_uscc_cell_is_rejected(users, city):
    r = row(1)
    r[0] = 913302031234567890
    result = import_businesses(data=xlsx_bytes([r]), filename="n.xlsx", actor=users["haishu"])
    assert not result.ok
    assert "format the column as text" in result.run.errors[0]["message"]


def test_cannot_update_business_outside_scope(users, city, jiangbei_shop):
    result = import_businesses(
        data=csv_bytes([row(1, uscc=jiangbei_shop.uscc)]), filename="s.csv", actor=users["haishu"]
    )
    assert not result.ok
    jiangbei_shop.refresh_from_db()
    assert jiangbei_shop.name == "江北阿拉小吃店"


def test_ui_upload_and_error_report_download(users, web, city):
    client = web(users["haishu"])
    upload = SimpleUploadedFile("bad.csv", csv_bytes([row(1), row(2, uscc="bad")]), content_type="text/csv")
    response = client.post("/registry/imports/", {"file": upload}, follow=True)
    assert "统一社会信用代码" in response.content.decode()
    run = response.context["run"]
    report = client.get(f"/registry/imports/{run.pk}/errors.xlsx")
    rows = list(load_workbook(io.BytesIO(report.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == 3 and rows[1][1] == "统一社会信用代码"
    assert Business.objects.count() == 0
    # other districts cannot read this run
    assert web(users["jiangbei"]).get(f"/registry/imports/{run.pk}/").status_code == 404


def test_api_upload(users, api, city):
    client = api(users["haishu"]).client
    ok = client.post("/api/imports/businesses", {"file": SimpleUploadedFile("ok.csv", csv_bytes([row(1)]))})
    assert ok.status_code == 201 and ok.json()["created"] == 1
    bad = client.post("/api/imports/businesses", {"file": SimpleUploadedFile("x.csv", csv_bytes([row(2, uscc="x")]))})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["row"] == 2


def test_template_download_imports_cleanly(users, web, city):
    template = web(users["haishu"]).get("/registry/imports/template.xlsx").content
    result = import_businesses(data=template, filename="template.xlsx", actor=users["haishu"])
    assert result.ok, result.run.errors


def test_cli_import(city, tmp_path, capsys):
    path = tmp_path / "cli.csv"
    path.write_bytes(csv_bytes([row(1)]))
    call_command("import_businesses", str(path))
    assert Business.objects.count() == 1
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([row(2, uscc="x")]))
    report = tmp_path / "report.xlsx"
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_businesses", str(bad), "--report", str(report))
    assert "row 2" in capsys.readouterr().err
    assert report.exists()


def test_a_licence_number_elsewhere_does_not_disclose_the_other_business(users, city):
    """A licence number already held by a business in another district is refused without naming
    that business's USCC; one in the importer's own area is named."""
    from shian.registry.tests.factories import BusinessFactory, LicenceFactory

    elsewhere = BusinessFactory(region=city["jiangbei_grid"])
    LicenceFactory(business=elsewhere, number="JY23302050000011")
    here = BusinessFactory(region=city["haishu_grid"])
    LicenceFactory(business=here, number="JY23302030000011")
    data = csv_bytes([row(1, licence_number="JY23302050000011"), row(2, licence_number="JY23302030000011")])
    result = import_businesses(data=data, filename="x.csv", actor=users["haishu"])
    messages = {e["value"]: e["message"] for e in result.run.errors}
    assert elsewhere.uscc not in messages["JY23302050000011"]
    assert "already registered to another business" in messages["JY23302050000011"]
    assert here.uscc in messages["JY23302030000011"]
