"""What the home page shows the three administrators (core.home registers these): the security
administrator's accounts awaiting authorisation, the system administrator's locked accounts (both as
"needs me"), and each administrator's card (what they hold, where to go; the audit chain's status)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shian.core import policy
from shian.core.choices import Role
from shian.core.home import Card, Need, NeedItem

from . import admin_selectors as sel
from .admin_services import ACCOUNT, AUTHORISE, MANAGE
from .models import Account


def pending_accounts(user, today) -> Need | None:
    if not policy.may(user, AUTHORISE, ACCOUNT):
        return None
    count = sel.pending_count(user)
    if not count:
        return None
    url = reverse("accounts:admin_accounts") + "?state=pending"
    first = (
        Account.objects.restrict(user, MANAGE)
        .filter(authorisation__state="pending")
        .order_by("authorisation__requested_at")[:5]
    )
    items = [NeedItem(text=a.username, url=reverse("accounts:admin_account", args=[a.pk])) for a in first]
    return Need(
        key="accounts.pending",
        label=_("Accounts awaiting authorisation"),
        count=count,
        url=url,
        definition=_("Created by the system administrator; they cannot sign in until you confirm role and scope."),
        items=items,
    )


def locked_accounts(user, today) -> Need | None:
    if not policy.may(user, "unlock", ACCOUNT):
        return None
    count = sel.locked_count(user)
    if not count:
        return None
    return Need(
        key="accounts.locked",
        label=_("Locked accounts"),
        count=count,
        url=reverse("accounts:admin_accounts") + "?state=locked",
        definition=_("Locked after too many failed sign-ins; they unlock by themselves when the lockout ends."),
    )


def administrator_card(user, today) -> Card | None:
    if user.role not in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        return None
    context: dict = {"role": user.role}
    if user.role == Role.AUDIT_ADMIN:
        context["chain"] = sel.chain_status()
        since = timezone.now() - dt.timedelta(days=1)
        context["last_day"] = sel.audit_log(user).filter(at__gte=since).count()
    else:
        context["pending"] = sel.pending_count(user)
        context["locked"] = sel.locked_count(user)
    return Card(key="accounts.admin", title=_("Administration"), template="accounts/_home_card.html", context=context)
