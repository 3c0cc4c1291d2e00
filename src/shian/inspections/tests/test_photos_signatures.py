import base64

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shian.inspections import services
from shian.inspections.models import Inspection, ItemPhoto, Outcome
from shian.inspections.pdf import inspection_pdf
from shian.registry.tests.factories import BusinessFactory

# a real 1×1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
SIGNATURE = "data:image/png;base64," + base64.b64encode(PNG).decode()


@pytest.fixture
def inspection(users, city):
    shop = BusinessFactory(name="海曙老王面馆", region=city["haishu_grid"])
    return services.inspection_start(actor=users["inspector"], business=shop)


def test_photos_per_item_checked_by_content(users, inspection):
    item = inspection.results.first().item
    services.inspection_record(
        actor=users["inspector"],
        inspection=inspection,
        results={},
        photos={item.pk: [SimpleUploadedFile("冷库.png", PNG, "image/png")]},
    )
    assert ItemPhoto.objects.filter(result__inspection=inspection, result__item=item).count() == 1
    with pytest.raises(ValidationError) as exc:
        services.inspection_record(
            actor=users["inspector"],
            inspection=inspection,
            results={},
            photos={item.pk: [SimpleUploadedFile("x.png", b"GIF89a....", "image/png")]},
        )
    assert f"photo_{item.pk}" in exc.value.message_dict
    assert ItemPhoto.objects.count() == 1


def test_signatures_stored_and_printed(users, inspection):
    results = {r.item_id: {"outcome": Outcome.PASS} for r in inspection.results.all()}
    services.inspection_record(actor=users["inspector"], inspection=inspection, results=results)
    with pytest.raises(ValidationError):
        services.inspection_close(actor=users["inspector"], inspection=inspection, inspector_signature="data:x")
    closed = services.inspection_close(
        actor=users["inspector"],
        inspection=inspection,
        representative="王老板",
        inspector_signature=SIGNATURE,
        representative_signature=SIGNATURE,
    )
    closed = Inspection.objects.get(pk=closed.pk)
    assert closed.inspector_signature.read().startswith(b"\x89PNG")
    pdf = inspection_pdf(closed)
    assert pdf.count(b"/Subtype /Image") >= 2


def test_ui_upload_sign_and_view(users, web, api, inspection):
    client = web(users["inspector"])
    item = inspection.results.first().item
    data = {
        "version": inspection.version,
        "close": "1",
        "inspector_signature": SIGNATURE,
        f"photo_{item.pk}": SimpleUploadedFile("a.png", PNG, "image/png"),
    }
    for r in inspection.results.all():
        data[f"outcome_{r.item_id}"] = "pass"
    client.post(f"/inspections/{inspection.pk}/", data)
    inspection.refresh_from_db()
    assert inspection.conclusion == "conform" and inspection.inspector_signature
    photo = ItemPhoto.objects.get()
    assert client.get(f"/inspections/{inspection.pk}/files/photo/{photo.pk}/").status_code == 200
    assert client.get(f"/inspections/{inspection.pk}/files/inspector/").status_code == 200
    assert web(users["jiangbei"]).get(f"/inspections/{inspection.pk}/files/photo/{photo.pk}/").status_code == 404
    page = client.get(f"/inspections/{inspection.pk}/").content.decode()
    assert "inspection.js" in page


def test_api_photo(users, api, inspection):
    item = inspection.results.first().item
    client = api(users["inspector"]).client
    ok = client.post(
        f"/api/inspections/{inspection.pk}/items/{item.pk}/photos", {"file": SimpleUploadedFile("a.png", PNG)}
    )
    assert ok.status_code == 201
    bad = client.post(
        f"/api/inspections/{inspection.pk}/items/{item.pk}/photos", {"file": SimpleUploadedFile("a.png", b"no")}
    )
    assert bad.status_code == 422
