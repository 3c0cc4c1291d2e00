"""Uploaded files (issue 10, item 12): stored under a name the server chose with the detected type's extension,
images re-encoded without their metadata, PDFs served as sandboxed downloads."""

from __future__ import annotations

import base64
import datetime as dt
import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from shian.core import files
from shian.core.choices import Role
from shian.core.tests.factories import UserFactory
from shian.registry.tests.factories import BusinessFactory

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
PDF_WITH_JS = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"3 0 obj << /S /JavaScript /JS (app.alert('xss')) >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


def jpeg(size=(40, 20), *, exif: bool = False, orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    meta = Image.Exif()
    if exif:
        meta[0x010F] = "SpyCam Maker"  # Make
        meta[0x0131] = "secret-software"  # Software
        meta[0x8825] = {1: "N", 2: (29.0, 52.0, 12.34), 3: "E", 4: (121.0, 32.0, 56.78)}  # GPS: where it was taken
    if orientation:
        meta[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=meta.tobytes() if (exif or orientation) else b"")
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 0, 0, 0)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width × height`` (its pixel data is not there: it must not be decoded)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b"")


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def clean(name: str, data: bytes, allowed=("image/jpeg", "image/png", "application/pdf")) -> files.CleanUpload:
    return files.clean_upload(upload(name, data), allowed=allowed, max_bytes=10 * 1024 * 1024)


# --- core.files ------------------------------------------------------------------------------------------
def test_a_jpeg_headed_html_file_becomes_a_plain_jpeg_under_a_server_name():
    result = clean("poly.html", jpeg() + HTML)
    assert result.content_type == "image/jpeg" and result.display_name == "poly.jpg"
    assert HTML not in result.content and b"<script" not in result.content
    assert Image.open(io.BytesIO(result.content)).format == "JPEG"
    stored = result.as_file()
    assert stored.name.endswith(".jpg") and "poly" not in stored.name and len(stored.name) == 32 + 4


def test_a_jpeg_header_in_front_of_anything_else_is_refused():
    with translation.override("en"), pytest.raises(ValidationError, match="not a readable JPEG image"):
        clean("poly.html", b"\xff\xd8\xff\xe0" + HTML)


def test_exif_and_gps_are_dropped_and_the_photo_turned_upright():
    original = jpeg((40, 20), exif=True, orientation=6)  # 6: rotate 90° to show it upright
    assert b"SpyCam" in original
    result = clean("IMG_0001.JPG", original)
    image = Image.open(io.BytesIO(result.content))
    assert image.size == (20, 40)
    assert dict(image.getexif()) == {}
    assert b"Exif" not in result.content and b"SpyCam" not in result.content and b"secret" not in result.content


def test_png_text_chunks_are_dropped_and_transparency_kept():
    result = clean("a.png", png_with_text())
    assert b"<script" not in result.content and b"tEXt" not in result.content
    assert Image.open(io.BytesIO(result.content)).mode == "RGBA"


def test_a_huge_image_is_refused_before_it_is_decoded():
    with translation.override("en"), pytest.raises(ValidationError, match="10000 × 6000 pixels"):
        clean("big.png", png_header(10_000, 6_000))
    with pytest.raises(ValidationError):  # far beyond: Pillow's own bomb check, same answer
        clean("bigger.png", png_header(100_000, 100_000))


def test_large_photos_are_scaled_down():
    result = clean("wide.jpg", jpeg((5000, 100)))
    assert Image.open(io.BytesIO(result.content)).size == (files.IMAGE_MAX_SIDE, 82)


def test_a_pdf_keeps_its_bytes_and_gets_a_pdf_name():
    result = clean("report.html", PDF_WITH_JS)
    assert result.content == PDF_WITH_JS and result.display_name == "report.pdf"
    assert result.as_file().name.endswith(".pdf")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("C:\\Users\\me\\照片.PNG", "照片.png"),
        ("evil\u202egnp.html", "evilgnp.png"),  # an RTL override dropped
        ("", "file.png"),
        (".htaccess", "htaccess.png"),
    ],
)
def test_display_names(given, expected):
    assert files.display_name(given, "image/png") == expected


def test_a_signature_is_re_encoded():
    payload = files.clean_upload(upload("s.png", png_with_text()), allowed=("image/png",), max_bytes=10**6).content
    assert b"<script" not in payload
    raw = png_with_text() + HTML
    stored = files.png_from_data_url("data:image/png;base64," + base64.b64encode(raw).decode(), name="1-sig.png")
    data = stored.read()
    assert data.startswith(b"\x89PNG") and HTML not in data and b"<script" not in data
    with pytest.raises(ValidationError):
        files.png_from_data_url(
            "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + HTML).decode(), name="x"
        )


# --- hazards: evidence stored and served -------------------------------------------------------------------
@pytest.fixture
def shop(city):
    return BusinessFactory(name="海曙上传测试店", region=city["haishu_grid"])


@pytest.fixture
def owner(shop):
    return UserFactory(username="uploader", role=Role.BUSINESS_STAFF, business=shop)


@pytest.fixture
def ordered(users, shop):
    from shian.hazards import services

    hazard = services.hazard_create(actor=users["inspector"], business=shop, title="上传测试隐患")
    return services.hazard_transition(
        actor=users["inspector"],
        hazard=hazard,
        action="order",
        deadline=timezone.localdate() + dt.timedelta(days=10),
        order_text="整改",
    )


def test_evidence_poly_html_is_stored_as_a_jpeg(owner, ordered):
    from shian.hazards import services

    evidence = services.evidence_add(actor=owner, hazard=ordered, upload=upload("poly.html", jpeg() + HTML))
    assert evidence.file.name.endswith(".jpg") and "poly" not in evidence.file.name and "html" not in evidence.file.name
    assert evidence.original_name == "poly.jpg" and evidence.content_type == "image/jpeg"
    stored = evidence.file.open("rb").read()
    assert HTML not in stored and evidence.size == len(stored)


def test_evidence_photo_loses_its_gps(owner, ordered):
    from shian.hazards import services

    evidence = services.evidence_add(actor=owner, hazard=ordered, upload=upload("现场.jpg", jpeg(exif=True)))
    stored = evidence.file.open("rb").read()
    assert b"SpyCam" not in stored and dict(Image.open(io.BytesIO(stored)).getexif()) == {}


def test_a_pdf_is_served_as_a_sandboxed_download(web, users, owner, ordered):
    from shian.hazards import services

    evidence = services.evidence_add(actor=owner, hazard=ordered, upload=upload("整改报告.pdf", PDF_WITH_JS))
    response = web(users["inspector"]).get(f"/hazards/{ordered.pk}/evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "sandbox" in response["Content-Security-Policy"] and "default-src 'none'" in response["Content-Security-Policy"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_WITH_JS


def test_an_image_is_served_inline_but_sandboxed(web, users, owner, ordered):
    from shian.hazards import services

    evidence = services.evidence_add(actor=owner, hazard=ordered, upload=upload("poly.html", jpeg() + HTML))
    response = web(users["inspector"]).get(f"/hazards/{ordered.pk}/evidence/{evidence.pk}/")
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;") and "poly.jpg" in response["Content-Disposition"]
    assert "sandbox" in response["Content-Security-Policy"] and response["X-Content-Type-Options"] == "nosniff"


def test_an_old_upload_with_an_unsafe_type_is_only_downloaded(web, users, ordered):
    """Evidence stored before this version keeps its row; whatever type it claims, only the short list is sent."""
    from shian.hazards.models import Evidence

    evidence = Evidence(hazard=ordered, original_name="poly.html", content_type="text/html", size=len(HTML))
    evidence.file.save("poly.html", ContentFile(HTML), save=False)
    evidence.save()
    response = web(users["inspector"]).get(f"/hazards/{ordered.pk}/evidence/{evidence.pk}/")
    assert response["Content-Type"] == "application/octet-stream"
    assert (
        response["Content-Disposition"].startswith("attachment;") and "poly.html" not in response["Content-Disposition"]
    )
    assert "sandbox" in response["Content-Security-Policy"]


# --- inspections: item photos ---------------------------------------------------------------------------
def test_inspection_photos_are_re_encoded_under_server_names(users, city):
    from shian.inspections import services
    from shian.inspections.models import ItemPhoto

    shop = BusinessFactory(name="海曙检查照片店", region=city["haishu_grid"])
    inspection = services.inspection_start(actor=users["inspector"], business=shop)
    item = inspection.results.first().item
    services.inspection_record(
        actor=users["inspector"],
        inspection=inspection,
        results={},
        photos={item.pk: [upload("poly.html", jpeg(exif=True) + HTML, "text/html")]},
    )
    photo = ItemPhoto.objects.get(result__inspection=inspection)
    assert photo.file.name.endswith(".jpg") and "poly" not in photo.file.name
    data = photo.file.open("rb").read()
    assert HTML not in data and b"SpyCam" not in data and photo.content_type == "image/jpeg"
