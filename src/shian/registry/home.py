"""What the register puts on home pages (core.home): a business's own licence and 两员 status; the
regulator's licences about to expire."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core import policy, scoping
from shian.core.home import Card, Need, NeedItem

from .selectors import EXPIRY_WARNING_DAYS, licence_list, licence_summaries


def own_business(user, today: dt.date) -> Card | None:
    business = scoping.business_of(user)
    if business is None:
        return None
    licence = licence_summaries([business.pk]).get(business.pk)
    return Card(
        key="business",
        title=_("Your business"),
        template="registry/_home_card.html",
        context={"business": business, "licence": licence, "today": today},
    )


def licences_expiring(user, today: dt.date) -> Need | None:
    if not policy.is_regional(user) or not policy.may(user, scoping.VIEW, "registry.licence"):
        return None
    qs = licence_list(user, state="expiring").select_related("business").order_by("valid_until", "id")
    count = qs.count()
    items = [
        NeedItem(
            f"{lic.business.name} · {lic.number}",
            reverse("registry:business_detail", args=[lic.business_id]) + "?tab=licences",
            _("expires %(d)s") % {"d": lic.valid_until.isoformat()},
        )
        for lic in qs[:5]
    ]
    return Need(
        key="licences_expiring",
        label=_("Licences expiring within %(n)s days") % {"n": EXPIRY_WARNING_DAYS},
        count=count,
        url=reverse("registry:licence_list") + "?state=expiring",
        definition=_("Food business licences in your area whose validity ends within the warning period"),
        items=items,
    )
