"""Uploaded files: checked by their content (first bytes), not their names, with a size limit; stored under a
name the server chooses with the extension of the detected type; images re-encoded (which drops EXIF, GPS and
anything appended to them); served so that no upload can run as a page of this site (``serve_upload``).

A JPEG-headed file named ``poly.html`` is stored as ``<random>.jpg``, and what is stored is a new JPEG made
from its pixels, so the HTML behind the picture is gone. A PDF cannot be cleaned like that: it is served as an
attachment, with ``Content-Security-Policy: sandbox`` and ``nosniff``, so a script in it never runs as this
site even if a browser shows it.
"""

from __future__ import annotations

import base64
import binascii
import io
import unicodedata
import uuid
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.utils.translation import gettext as _

SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}
IMAGES = ("image/jpeg", "image/png")
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
IMAGE_MAX_PIXELS = 50_000_000  # refused before decoding (a 50-megapixel photo decodes to ~150 MB)
IMAGE_MAX_SIDE = 4096  # stored images are scaled down to this many pixels on their longer side
JPEG_QUALITY = 88
# what an upload may be served with: anything else is sent as bytes to download
SAFE_CONTENT_TYPES = frozenset(EXTENSIONS)
UPLOAD_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


@dataclass(frozen=True)
class CleanUpload:
    """An upload as it is to be stored: its bytes (an image re-encoded), its detected type and extension,
    and a name for people (the uploader's, with the detected type's extension)."""

    content: bytes
    content_type: str
    display_name: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]

    @property
    def size(self) -> int:
        return len(self.content)

    def as_file(self) -> ContentFile:
        """The bytes under a name the server chose (never the client's): ``<random hex><extension>``."""
        return ContentFile(self.content, name=stored_name(self.content_type))


def stored_name(content_type: str) -> str:
    return f"{uuid.uuid4().hex}{EXTENSIONS[content_type]}"


def display_name(client_name: str | None, content_type: str) -> str:
    """The uploader's file name for showing and downloading: its last path part, without control or format
    characters (RTL overrides), at most 200 characters, with the extension of the detected type."""
    base = (client_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().strip(".")
    stem = PurePosixPath(base).stem if "." in base else base
    return f"{stem[:200] or 'file'}{EXTENSIONS[content_type]}"


def _detect(upload, *, allowed: tuple[str, ...], max_bytes: int, field: str) -> str:
    if upload.size > max_bytes:
        raise ValidationError(
            {
                field: _("%(name)s is %(mb).1f MB; files here may be at most %(max)d MB.")
                % {"name": upload.name, "mb": upload.size / 1e6, "max": max_bytes // 1_000_000}
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for content_type in allowed:
        if any(head.startswith(sig) for sig in SIGNATURES[content_type]):
            return content_type
    kinds = " / ".join(t.split("/")[1].upper() for t in allowed)
    raise ValidationError({field: _("%(name)s is not a %(kinds)s file.") % {"name": upload.name, "kinds": kinds}})


def reencode_image(data: bytes, content_type: str, *, name: str, field: str = "file") -> bytes:
    """A new JPEG or PNG made from the image's pixels only: turned upright by its EXIF orientation, scaled
    down to IMAGE_MAX_SIDE, without EXIF (GPS, camera), ICC, text chunks or anything appended. ValidationError
    if it is not a readable image of that type or has more than IMAGE_MAX_PIXELS pixels."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    kind = PILLOW_FORMATS[content_type]
    unreadable = ValidationError(
        {field: _("%(name)s is not a readable %(kind)s image.") % {"name": name, "kind": kind}}
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as img:
                width, height = img.size
                if width * height > IMAGE_MAX_PIXELS:
                    raise ValidationError(
                        {
                            field: _("%(name)s is %(w)d × %(h)d pixels; images may have at most %(max)d million.")
                            % {"name": name, "w": width, "h": height, "max": IMAGE_MAX_PIXELS // 1_000_000}
                        }
                    )
                if kind == "JPEG":
                    img.draft("RGB", (IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))  # decode at a reduced scale when large
                img.load()
                image = ImageOps.exif_transpose(img)
        image.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
        if kind == "JPEG":
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
        elif (
            image.mode == "P" and "transparency" in image.info or image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA")
        ):
            image = image.convert("RGBA")
        image.info = {}  # nothing of the original's metadata goes along
        out = io.BytesIO()
        if kind == "JPEG":
            image.save(out, "JPEG", quality=JPEG_QUALITY)
        else:
            image.save(out, "PNG")
        return out.getvalue()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise unreadable from exc
    except (OSError, SyntaxError, ValueError, MemoryError) as exc:  # truncated or corrupt image data
        raise unreadable from exc


def clean_upload(upload, *, allowed: tuple[str, ...], max_bytes: int, field: str = "file") -> CleanUpload:
    """The upload as it is to be stored (see CleanUpload), or a ValidationError on ``field`` that names the
    file and says what is wrong. The result is kept on the upload, so checking a file in a form and storing it
    in a service decode it once."""
    cached = getattr(upload, "_shian_clean", None)
    if cached is not None and cached[0] == (allowed, max_bytes):
        return cached[1]
    content_type = _detect(upload, allowed=allowed, max_bytes=max_bytes, field=field)
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if content_type in IMAGES:
        data = reencode_image(data, content_type, name=upload.name, field=field)
    result = CleanUpload(content=data, content_type=content_type, display_name=display_name(upload.name, content_type))
    upload._shian_clean = ((allowed, max_bytes), result)
    return result


def check_upload(upload, *, allowed: tuple[str, ...], max_bytes: int, field: str = "file") -> str:
    """Return the content type of ``upload`` if its bytes are one of ``allowed`` (an image also has to be
    readable as one); else ValidationError."""
    return clean_upload(upload, allowed=allowed, max_bytes=max_bytes, field=field).content_type


def png_from_data_url(value: str, *, name: str, max_bytes: int = 1_000_000, field: str = "signature") -> ContentFile:
    """Decode a ``data:image/png;base64,…`` value (an on-screen signature) into a checked, re-encoded PNG."""
    prefix = "data:image/png;base64,"
    if not value.startswith(prefix):
        raise ValidationError({field: _("The signature is not a PNG image.")})
    try:
        data = base64.b64decode(value[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({field: _("The signature is not a PNG image.")}) from None
    if len(data) > max_bytes or not data.startswith(SIGNATURES["image/png"][0]):
        raise ValidationError({field: _("The signature is not a PNG image.")})
    try:
        data = reencode_image(data, "image/png", name=name, field=field)
    except ValidationError:
        raise ValidationError({field: _("The signature is not a PNG image.")}) from None
    return ContentFile(data, name=name)


def open_upload(field_file):
    """An uploaded file opened for reading; a file the database names but storage no longer holds (lost in
    a move, a restore without ``media/``) is *not found* (404, and an error in the log for the operator),
    never a 500."""
    import logging

    from django.http import Http404

    try:
        return field_file.open("rb")
    except FileNotFoundError:
        logging.getLogger("shian.files").error("uploaded file missing from storage: %s", field_file.name)
        raise Http404("the file is missing from storage") from None


def serve_upload(file, *, content_type: str, filename: str, inline_images: bool = True) -> FileResponse:
    """An uploaded file as a response that cannot act as a page of this site: a content type from the short
    list (else ``application/octet-stream``), ``nosniff``, a sandboxing Content-Security-Policy (no script,
    no same origin), and ``attachment`` for everything but images (PDFs are downloaded, not shown inline)."""
    safe_type = content_type if content_type in SAFE_CONTENT_TYPES else "application/octet-stream"
    inline = inline_images and safe_type in IMAGES
    response = FileResponse(file, content_type=safe_type, as_attachment=not inline, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = UPLOAD_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
