"""Registry reads. Every function starts from ``restrict(user, …)``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from shian.core.choices import RegionLevel
from shian.core.models import User
from shian.core.rollup import RegionTally, child_level, pct
from shian.core.scoping import VIEW

from .choices import BusinessStatus, BusinessType, LicenceKind
from .filters import EXPIRY_WARNING_DAYS, BusinessFilter, apply_business_filter, licence_state_q
from .models import REQUIREMENT_LABELS, Business, BusinessAccount, ImportRun, Licence, Staff, StaffingRule
from .search import businesses_named


def business_list(user: User, f: BusinessFilter | None = None) -> QuerySet[Business]:
    # prefetch, not select_related: a join to core_region makes SQLite drive the scan from the region
    # table through the region_id index; the page needs at most 50 region names (one extra query)
    qs = Business.objects.restrict(user, VIEW).prefetch_related("region")
    return apply_business_filter(qs, f or BusinessFilter())


def licence_summaries(business_ids: list[int]) -> dict[int, dict]:
    """For a page of businesses: the latest expiry and its state, in one query."""
    today = timezone.localdate()
    soon = today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    out: dict[int, dict] = {}
    rows = Licence.objects.filter(business_id__in=business_ids).values_list("business_id", "kind", "valid_until")
    for business_id, kind, valid_until in rows:
        s = out.setdefault(business_id, {"latest": None, "filing": False})
        if kind == LicenceKind.FILING:
            s["filing"] = True
        elif valid_until and (s["latest"] is None or valid_until > s["latest"]):
            s["latest"] = valid_until
    for s in out.values():
        latest = s["latest"]
        if s["filing"] or (latest and latest > soon):
            s["state"] = "valid"
        elif latest and latest >= today:
            s["state"] = "expiring"
        else:
            s["state"] = "expired"
    return out


def licence_list(user: User, *, state: str | None = None, q: str | None = None) -> QuerySet[Licence]:
    today = timezone.localdate()
    qs = Licence.objects.restrict(user, VIEW).select_related("business", "business__region")
    if state == "expiring":
        qs = qs.filter(valid_until__gte=today, valid_until__lte=today + dt.timedelta(days=EXPIRY_WARNING_DAYS))
    elif state == "expired":
        qs = qs.filter(valid_until__lt=today)
    if q:
        # the business names from the search index (a subquery), not a LIKE on every joined row
        qs = qs.filter(Q(number__icontains=q) | Q(business__in=businesses_named(q).values("pk")))
    return qs.order_by("valid_until", "id")


def staff_for_business(business: Business) -> QuerySet[Staff]:
    return business.staff.order_by("role", "-active", "name")


def import_runs(user: User) -> QuerySet[ImportRun]:
    return ImportRun.objects.restrict(user, VIEW).select_related("actor")


def staffing_rules() -> QuerySet[StaffingRule]:
    return StaffingRule.objects.all()


def staffing_rate(user: User) -> dict:
    """两员配备率: share of operating businesses that have every role the rule table requires,
    overall, by sub-region (one level below the user's own) and by business type."""
    base = Business.objects.restrict(user, VIEW).filter(status=BusinessStatus.OPERATING)
    rows = base.values("region_path", "type").annotate(
        total=Count("id"), complete=Count("id", filter=Q(staffing_complete=True))
    )
    by_region = RegionTally(level=child_level(user), width=2)
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        by_region.add(r["region_path"], r["complete"], r["total"])
        by_type[r["type"]][0] += r["complete"]
        by_type[r["type"]][1] += r["total"]
    return staffing_figures(by_region, by_type)


def staffing_figures(by_region: RegionTally, by_type: dict[str, list[int]]) -> dict:
    """The 两员配备率 figures from (complete, total) by region and by business type: the live computation
    above and the KPI snapshot (registry.kpis) shape them here, the same way."""
    total = sum(v[1] for v in by_type.values())
    complete = sum(v[0] for v in by_type.values())
    labels = dict(BusinessType.choices)
    return {
        "total": total,
        "complete": complete,
        "rate": pct(complete, total),
        "by_region": [
            {"region_id": r["region_id"], "name": r["name"], "complete": c, "total": t, "rate": pct(c, t)}
            for r in by_region.rows()
            for c, t in [r["values"]]
        ],
        "by_type": [
            {"type": k, "label": str(labels.get(k, k)), "complete": v[0], "total": v[1], "rate": pct(*v)}
            for k, v in sorted(by_type.items())
        ],
    }


def staffing_gaps(user: User) -> list[dict]:
    """What operating businesses lack, by requirement ("缺本单位食品安全总监": 12), in rule order; one query."""
    rows = (
        Business.objects.restrict(user, VIEW)
        .filter(status=BusinessStatus.OPERATING, staffing_complete=False)
        .values("staffing_missing")
        .annotate(n=Count("id"))
    )
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        for key in filter(None, r["staffing_missing"].split(",")):
            counts[key] += r["n"]
    return [
        {"key": key, "label": str(label), "businesses": counts[key]}
        for key, label in REQUIREMENT_LABELS.items()
        if counts.get(key)
    ]


def licence_counts(user: User) -> dict[str, int]:
    today = timezone.localdate()
    lic = Licence.objects.restrict(user, VIEW).filter(business__status=BusinessStatus.OPERATING)
    expiring = lic.filter(
        valid_until__gte=today, valid_until__lte=today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    ).count()
    operating = Business.objects.restrict(user, VIEW).filter(status=BusinessStatus.OPERATING)
    expired = operating.filter(licence_state_q("expired", today)).count()
    return {"expiring": expiring, "expired_businesses": expired}


def business_counts_by_type(user: User) -> list[tuple[str, int]]:
    labels = dict(BusinessType.choices)
    rows = (
        Business.objects.restrict(user, VIEW)
        .filter(status=BusinessStatus.OPERATING)
        .values("type")
        .annotate(n=Count("id"))
        .order_by("-n", "type")  # ties by type code: the same order as the KPI snapshot's
    )
    return [(str(labels.get(r["type"], r["type"])), r["n"]) for r in rows]


def region_filter_choices(user: User) -> list[tuple[int, str]]:
    from shian.core.selectors import region_choices

    return region_choices(user, max_level=RegionLevel.STREET)


# --- indicators for other modules (core.indicators) -------------------------------------------
def _ids_filter(qs, business_ids: list[int] | None, field: str = "pk"):
    return qs if business_ids is None else qs.filter(**{f"{field}__in": business_ids})


def indicator_licence_expired(business_ids: list[int] | None, as_of: dt.date | None = None) -> dict[int, float]:
    qs = _ids_filter(Business.objects.filter(licence_state_q("expired", as_of, issued_by=as_of)), business_ids)
    return dict.fromkeys(qs.values_list("pk", flat=True), 1.0)


def indicator_licence_missing(business_ids: list[int] | None, as_of: dt.date | None = None) -> dict[int, float]:
    qs = _ids_filter(Business.objects.filter(licence_state_q("missing", as_of, issued_by=as_of)), business_ids)
    return dict.fromkeys(qs.values_list("pk", flat=True), 1.0)


def indicator_staffing_incomplete(business_ids: list[int] | None, as_of: dt.date | None = None) -> dict[int, float]:
    """Staffing has no history of its own: the current state answers for any date."""
    qs = _ids_filter(Business.objects.filter(staffing_complete=False), business_ids)
    return dict.fromkeys(qs.values_list("pk", flat=True), 1.0)


# --- the account → business link (core reads it through scoping.business_of) -------------------
def business_of_account(user) -> Business | None:
    link = BusinessAccount.objects.select_related("business", "business__region").filter(user_id=user.pk).first()
    return link.business if link else None


def businesses_of_accounts(user_ids: list[int]) -> dict[int, Business]:
    return {
        a.user_id: a.business for a in BusinessAccount.objects.select_related("business").filter(user_id__in=user_ids)
    }


def accounts_of(business: Business):
    """The accounts that act for ``business``."""
    from shian.core.models import User

    return User.objects.filter(business_account__business=business)


ATTRIBUTE_FIELDS = ("imports_food", "chain_headquarters", "special_food", "canteen_outsourced")


def business_attributes(business: Business) -> list[str]:
    """The labels of the attributes a business has beyond its 业态 (importer, chain headquarters, …)."""
    return [str(Business._meta.get_field(name).verbose_name) for name in ATTRIBUTE_FIELDS if getattr(business, name)]
