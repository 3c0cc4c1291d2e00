"""What self-checks put on a business's home page (core.home): today's daily check (日管控) and this
week's and month's reviews, filed or not, with a one-tap start."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core import policy, scoping
from shian.core.home import Card

from .models import Kind, SelfCheck
from .services import period_start


def todays_checks(user, today: dt.date) -> Card | None:
    business = scoping.business_of(user)
    if business is None or not policy.may(user, scoping.ADD, "selfchecks.selfcheck"):
        return None
    filed = {
        (c.kind, c.period_start): c
        for c in SelfCheck.objects.filter(
            business=business, period_start__in={period_start(k, today) for k in Kind.values}
        )
    }
    rows = [
        {"kind": kind, "label": label, "filed": filed.get((kind, period_start(kind, today)))}
        for kind, label in Kind.choices
    ]
    return Card(
        key="selfchecks",
        title=_("Today's self-checks"),
        template="selfchecks/_home_card.html",
        context={"rows": rows, "url": reverse("selfchecks:overview"), "daily_done": bool(rows[0]["filed"])},
    )
