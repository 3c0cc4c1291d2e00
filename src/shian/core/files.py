"""Checking uploaded files by their content (first bytes), not their names, with a size limit."""

from __future__ import annotations

import base64
import binascii

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}
IMAGES = ("image/jpeg", "image/png")


def check_upload(upload, *, allowed: tuple[str, ...], max_bytes: int, field: str = "file") -> str:
    """Return the content type of ``upload`` if its bytes are one of ``allowed``; else ValidationError."""
    if upload.size > max_bytes:
        raise ValidationError(
            {
                field: _("%(name)s is %(mb).1f MB; files here may be at most %(max)d MB.")
                % {"name": upload.name, "mb": upload.size / 1e6, "max": max_bytes // 1_000_000}
            }
        )
    head = upload.read(16)
    upload.seek(0)
    for content_type in allowed:
        if any(head.startswith(sig) for sig in SIGNATURES[content_type]):
            return content_type
    kinds = " / ".join(t.split("/")[1].upper() for t in allowed)
    raise ValidationError({field: _("%(name)s is not a %(kinds)s file.") % {"name": upload.name, "kinds": kinds}})


def png_from_data_url(value: str, *, name: str, max_bytes: int = 1_000_000, field: str = "signature") -> ContentFile:
    """Decode a ``data:image/png;base64,…`` value (an on-screen signature) into a checked PNG file."""
    prefix = "data:image/png;base64,"
    if not value.startswith(prefix):
        raise ValidationError({field: _("The signature is not a PNG image.")})
    try:
        data = base64.b64decode(value[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({field: _("The signature is not a PNG image.")}) from None
    if len(data) > max_bytes or not data.startswith(SIGNATURES["image/png"][0]):
        raise ValidationError({field: _("The signature is not a PNG image.")})
    return ContentFile(data, name=name)
