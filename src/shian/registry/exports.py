"""XLSX exports of filtered registry lists."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shian.core.exports import xlsx_bytes
from shian.core.fields import masked
from shian.core.models import Region

from .models import Business, Licence
from .selectors import ATTRIBUTE_FIELDS


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def businesses_xlsx(qs: QuerySet[Business]) -> bytes:
    header = [
        _("Name"),
        _("Unified social credit code"),
        _("Business type"),
        _("Scale"),
        _("Region"),
        _("Address"),
        _("Status"),
        *(capfirst(Business._meta.get_field(name).verbose_name) for name in ATTRIBUTE_FIELDS),
        _("Legal representative"),
        _("Contact phone"),
        _("Two staff complete"),
        _("Missing staff roles"),
        pgettext("column: time of the last change", "Updated"),
    ]
    region_names = dict(Region.objects.values_list("pk", "name"))  # hundreds of rows; no per-row join
    rows = (
        [
            b.name,
            b.uscc,
            b.get_type_display(),
            b.get_scale_display(),
            region_names.get(b.region_id, ""),
            b.address,
            b.get_status_display(),
            *(_("yes") if getattr(b, name) else _("no") for name in ATTRIBUTE_FIELDS),
            b.legal_representative,
            masked(b, "contact_phone"),  # personal data: masked in every export
            _("yes") if b.staffing_complete else _("no"),
            b.staffing_missing_display,
            _local(b.updated_at),
        ]
        for b in qs.iterator(chunk_size=2000)
    )
    return xlsx_bytes(_("Businesses"), header, rows)


def licences_xlsx(qs: QuerySet[Licence]) -> bytes:
    header = [
        _("Licence number"),
        _("Kind"),
        _("Business"),
        _("Unified social credit code"),
        _("Region"),
        _("Issuing authority"),
        _("Issued on"),
        _("Valid until"),
        _("Days left"),
    ]
    rows = (
        [
            lic.number,
            lic.get_kind_display(),
            lic.business.name,
            lic.business.uscc,
            lic.business.region.name,
            lic.issuing_authority,
            lic.issued_on,
            lic.valid_until,
            lic.days_left,
        ]
        for lic in qs.iterator(chunk_size=2000)
    )
    return xlsx_bytes(_("Licences"), header, rows)
