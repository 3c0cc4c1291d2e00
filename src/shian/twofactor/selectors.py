"""Second-factor reads: an account's own state, and who has enrolled (for the security administrator)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from shian.core import policy
from shian.core.models import User

from .models import RecoveryCode, TotpDevice


def state_for(user: User) -> dict:
    """The account's own authenticator (None, pending or enrolled) and its recovery codes left."""
    device = TotpDevice.objects.restrict(user, policy.VIEW).filter(user_id=user.pk).first()
    enrolled = bool(device and device.confirmed)  # a pending one (enrolment page opened) has no codes yet
    left = RecoveryCode.objects.restrict(user, policy.VIEW).filter(used_at__isnull=True).count() if enrolled else 0
    return {"device": device, "enrolled": enrolled, "recovery_left": left}


MANAGE = "manage"  # the administrators' action on accounts.account (accounts.admin_services.MANAGE)


def accounts_for_reset(actor: User, *, q: str = "") -> QuerySet:
    """Every account the security administrator administers (accounts.Account: city-wide), with
    ``enrolled`` (has a confirmed authenticator), those with an authenticator first."""
    from shian.accounts.models import Account

    enrolled = TotpDevice.objects.filter(user_id=OuterRef("pk"), confirmed_at__isnull=False)
    qs = Account.objects.restrict(actor, MANAGE).annotate(enrolled=Exists(enrolled)).select_related("region")
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q))
    return qs.order_by("-enrolled", "username")
