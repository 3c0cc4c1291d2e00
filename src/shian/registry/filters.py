"""One filter for the business list, used by the UI page, the XLSX export and the API alike."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from ninja import Schema
from pydantic import ValidationError as PydanticValidationError
from pydantic import field_validator

from shian.core.fields import hash_lookup
from shian.core.models import Region
from shian.core.personal import phone_query

from .choices import BusinessStatus, BusinessType, LicenceKind
from .models import Business, Licence, Staff
from .search import search_businesses

EXPIRY_WARNING_DAYS = 30

SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "uscc": ("uscc",),
    "-uscc": ("-uscc",),
    "type": ("type", "name", "id"),
    "-type": ("-type", "name", "id"),
    "region": ("region_path", "name", "id"),
    "-region": ("-region_path", "name", "id"),
    "status": ("status", "name", "id"),
    "-status": ("-status", "name", "id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}

LicenceState = Literal["valid", "expiring", "expired", "missing"]
# a business attribute beyond the 业态 (registry.selectors.ATTRIBUTE_FIELDS): importers, chain HQs, …
Attribute = Literal["imports_food", "chain_headquarters", "special_food", "canteen_outsourced"]


class BusinessFilter(Schema):
    q: str | None = None
    type: BusinessType | None = None
    status: BusinessStatus | None = None
    region: int | None = None
    scale: int | None = None
    staffing: Literal["complete", "incomplete"] | None = None
    licence: LicenceState | None = None
    attribute: Attribute | None = None
    sort: Literal[tuple(SORTS)] = "name"  # type: ignore[valid-type]

    @field_validator("q")
    @classmethod
    def _strip(cls, v: str | None) -> str | None:
        v = (v or "").strip()
        return v[:100] or None

    @classmethod
    def from_query(cls, params) -> tuple[BusinessFilter, list[str]]:
        """Parse a GET query; a bad field is dropped (and named) rather than failing the page."""
        data = {k: v for k, v in params.items() if k in cls.model_fields and v not in ("", None)}
        problems: list[str] = []
        while True:
            try:
                return cls(**data), problems
            except PydanticValidationError as exc:
                bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
                if not bad:
                    return cls(), problems
                problems.extend(sorted(bad))
                for key in bad:
                    data.pop(key, None)

    def active(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump(exclude_none=True).items() if k != "sort"}


def licence_state_q(state: str, today: dt.date | None = None, *, issued_by: dt.date | None = None) -> Q:
    """Licence state on ``today``; ``issued_by`` (for a past date) ignores licences issued after it."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    mine = Licence.objects.filter(business=OuterRef("pk"))
    if issued_by is not None:
        mine = mine.filter(issued_on__lte=issued_by)
    any_licence = Exists(mine)
    beyond = Exists(mine.filter(Q(valid_until__gt=soon) | Q(kind=LicenceKind.FILING)))
    current = Exists(mine.filter(Q(valid_until__gte=today) | Q(kind=LicenceKind.FILING)))
    return {
        "missing": ~any_licence,
        "valid": beyond,
        "expiring": current & ~beyond,
        "expired": any_licence & ~current,
    }[state]


def apply_business_filter(qs: QuerySet[Business], f: BusinessFilter) -> QuerySet[Business]:
    # every word must match (name, USCC or address): "三江 饺子" finds 三江's dumpling shops; each word
    # has LIKE semantics, answered from the bigram index (search.py). Full-width spaces separate too.
    phone = phone_query(f.q)
    if phone:  # an exact phone number: the business's or one of its staff's, through the keyed hashes
        staff = Staff.objects.filter(**hash_lookup(Staff, "phone", phone)).values("business_id")
        qs = qs.filter(Q(**hash_lookup(Business, "contact_phone", phone)) | Q(pk__in=staff))
    for word in (f.q or "").split()[:5] if not phone else []:
        qs = search_businesses(qs, word)
    if f.type:
        qs = qs.filter(type=f.type)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.scale:
        qs = qs.filter(scale=f.scale)
    if f.region:
        path = Region.objects.filter(pk=f.region).values_list("path", flat=True).first()
        qs = qs.filter(region_path__startswith=path) if path else qs.none()
    if f.staffing:
        qs = qs.filter(staffing_complete=(f.staffing == "complete"))
    if f.licence:
        qs = qs.filter(licence_state_q(f.licence))
    if f.attribute:
        qs = qs.filter(**{f.attribute: True})
    return qs.order_by(*SORTS[f.sort])
