"""三员 account administration (GB/T 22239-2019 level 3): the writes of the system administrator (create,
deactivate, reactivate, reset a password, unlock) and of the security administrator (authorise a pending
account, set an account's role and scope). Each checks the one policy (``policy.check``, grants and the
"not your own account" rules declared in AccountsConfig.ready) and audits in the same transaction.

The split: an account the system administrator creates holds *no* role and cannot sign in (inactive,
role "public", no region) until the security administrator confirms the requested role and region, or
chooses others (:func:`account_authorise`). So one person creates, another grants.
"""

from __future__ import annotations

import secrets
import string

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shian.core import policy
from shian.core import services as core_services
from shian.core.audit import audit
from shian.core.choices import BUSINESS_ROLES, AuditAction, Role
from shian.core.models import Region, User
from shian.core.validators import validate_name_text

from . import passwords, services
from .models import Account, Authorisation, ChangeReason, LoginThrottle
from .throttle import account_key

# actions on "accounts.account" (the administrators' grants; AccountsConfig.ready)
MANAGE = "manage"  # open the account list and an account's page
DEACTIVATE = "deactivate"
REACTIVATE = "reactivate"
RESET_PASSWORD = "reset_password"  # noqa: S105 - an action name
UNLOCK = "unlock"
AUTHORISE = "authorise"  # confirm a pending account; set any account's role and scope
POLICY = "policy"  # read the security policy in force and the permission matrix
# actions on "accounts.auditrecord"
BROWSE = "browse"
EXPORT = "export"
VERIFY = "verify"

ACCOUNT = "accounts.account"
AUDIT_RECORD = "accounts.auditrecord"
OWN_ACCOUNT_ACTIONS = (DEACTIVATE, REACTIVATE, RESET_PASSWORD, UNLOCK, AUTHORISE)
# never on another 三员 administrator or a superuser (AccountsConfig.ready): taking over or silencing them
NOT_ON_ADMINISTRATORS = (RESET_PASSWORD, DEACTIVATE)

# roles an administrator may request or give here; a business's own staff get theirs where the business
# is registered (the registry links the account to its business)
ASSIGNABLE_ROLES = [r for r in Role.values if r not in BUSINESS_ROLES]

INITIAL_PASSWORD_LENGTH = 16
_LOOK_ALIKE = set("0O1lI")  # read out or copied by hand: nothing to mistake
_CLASSES = tuple(
    "".join(c for c in chars if c not in _LOOK_ALIKE)
    for chars in (string.ascii_lowercase, string.ascii_uppercase, string.digits, "!#%+-=?@")
)


def as_account(user: User) -> Account:
    """The same account as the administrators' kind (a proxy: no query)."""
    if isinstance(user, Account):
        return user
    account = Account.__new__(Account)
    account.__dict__.update(user.__dict__)
    return account


def as_user(user: User) -> User:
    """The same account as core's User (a proxy instance → its concrete class), so the audit log files
    every entry about an account under ``core.user`` whichever page fetched it."""
    if type(user) is User:
        return user
    concrete = User.__new__(User)
    concrete.__dict__.update(user.__dict__)
    return concrete


def initial_password() -> str:
    """A one-time password that passes either policy preset (16 characters, all four classes)."""
    alphabet = "".join(_CLASSES)
    while True:
        chars = [secrets.choice(c) for c in _CLASSES]
        chars += [secrets.choice(alphabet) for _i in range(INITIAL_PASSWORD_LENGTH - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        candidate = "".join(chars)
        if not passwords.is_denied(candidate):
            return candidate


def _check(actor: User | None, action: str, user: User) -> User:
    """The policy's answer (grant, and the "not your own account" rule), then the account as core's User."""
    policy.check(actor, action, as_account(user))
    return as_user(user)


def _role_and_region(role: str, region: Region | None) -> None:
    if role not in ASSIGNABLE_ROLES:
        raise ValidationError({"role": _("Choose one of the roles offered.")})
    if role not in (Role.PUBLIC,) and region is None:
        raise ValidationError({"region": _("This role is scoped to a region: choose it.")})


@transaction.atomic
def account_create(
    *,
    actor: User | None,
    username: str,
    requested_role: str,
    requested_region: Region | None,
    first_name: str = "",
    last_name: str = "",
) -> tuple[User, str]:
    """The system administrator creates an account: inactive and without a role until the security
    administrator authorises it. Returns the account and its initial password (shown once; it must be
    changed at the first sign-in)."""
    policy.check(actor, policy.ADD, ACCOUNT)
    _role_and_region(requested_role, requested_region)
    if requested_role == Role.PUBLIC:
        requested_region = None
    username = (username or "").strip()
    for field, value in (("username", username), ("first_name", first_name), ("last_name", last_name)):
        try:  # no text-direction trick, invisible character or mixed-script look-alike ("sуsadmin")
            validate_name_text(value)
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from None
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("An account with this username already exists.")})
    password = initial_password()
    user = core_services.user_create(
        username=username,
        password=password,
        role=Role.PUBLIC,
        region=None,
        first_name=first_name,
        last_name=last_name,
        actor=actor,
    )
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    services.mark_must_change(user, ChangeReason.INITIAL)
    Authorisation.objects.create(
        user=user, requested_role=requested_role, requested_region=requested_region, requested_by=actor
    )
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        changes={
            "requested_role": [None, requested_role],
            "requested_region_id": [None, getattr(requested_region, "pk", None)],
        },
        note="account created, awaiting authorisation by the security administrator",
    )
    return user, password


def pending(user: User) -> Authorisation | None:
    return Authorisation.objects.filter(user_id=user.pk, state=Authorisation.State.PENDING).first()


@transaction.atomic
def account_authorise(*, actor: User | None, user: User, role: str, region: Region | None) -> User:
    """The security administrator gives an account its role and scope. A pending account is confirmed
    and may sign in from now on; any other account gets the new role and scope (active or not)."""
    user = _check(actor, AUTHORISE, user)
    _role_and_region(role, region)
    request = Authorisation.objects.select_for_update().filter(user_id=user.pk).first()
    is_pending = request is not None and request.state == Authorisation.State.PENDING
    note = "account authorised" if is_pending else "role and scope changed"
    core_services.user_set_role(user=user, role=role, region=region, actor=actor, activate=is_pending, note=note)
    if is_pending:
        request.state = Authorisation.State.CONFIRMED
        request.decided_by = actor if actor is not None and actor.pk else None
        request.decided_at = timezone.now()
        request.save(update_fields=["state", "decided_by", "decided_at"])
    return user


@transaction.atomic
def account_refuse(*, actor: User | None, user: User) -> User:
    """The security administrator refuses a pending account: it stays inactive, without a role."""
    user = _check(actor, AUTHORISE, user)
    request = Authorisation.objects.select_for_update().filter(user_id=user.pk).first()
    if request is None or request.state != Authorisation.State.PENDING:
        raise ValidationError(_("This account is not awaiting authorisation."))
    request.state = Authorisation.State.REFUSED
    request.decided_by = actor if actor is not None and actor.pk else None
    request.decided_at = timezone.now()
    request.save(update_fields=["state", "decided_by", "decided_at"])
    audit(actor=actor, action=AuditAction.UPDATE, obj=user, note="account refused by the security administrator")
    return user


@transaction.atomic
def account_deactivate(*, actor: User | None, user: User) -> User:
    user = _check(actor, DEACTIVATE, user)
    if not user.is_active:
        raise ValidationError(_("This account is already deactivated."))
    return core_services.user_deactivate(user=user, actor=actor)


@transaction.atomic
def account_reactivate(*, actor: User | None, user: User) -> User:
    user = _check(actor, REACTIVATE, user)
    if user.is_active:
        raise ValidationError(_("This account is active already."))
    request = Authorisation.objects.filter(user_id=user.pk).first()
    if request is not None and request.state != Authorisation.State.CONFIRMED:
        raise ValidationError(_("The security administrator has not authorised this account: it cannot be activated."))
    return core_services.user_reactivate(user=user, actor=actor)


@transaction.atomic
def account_reset_password(*, actor: User | None, user: User) -> str:
    """A new one-time password (returned, shown once): the person must change it at the next sign-in;
    the account's API tokens are revoked and its other sessions end (the password hash changed)."""
    user = _check(actor, RESET_PASSWORD, user)
    password = initial_password()
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])  # PasswordChangedHook: clock, history, API tokens revoked
    services.mark_must_change(user, ChangeReason.RESET)
    core_services.api_tokens_revoke_all(user=user, actor=actor, reason="password reset by an administrator")
    audit(actor=actor, action=AuditAction.UPDATE, obj=user, note="password reset by an administrator")
    return password


@transaction.atomic
def account_unlock(*, actor: User | None, user: User) -> User:
    """Lift the sign-in lockout of an account (its failed-attempt count starts again)."""
    user = _check(actor, UNLOCK, user)
    LoginThrottle.objects.filter(key=account_key(user.username)).update(attempts=0, locked_until=None)
    before = user.locked_until
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    user.failed_logins, user.locked_until = 0, None
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        changes={"locked_until": [before.isoformat() if before else None, None]},
        note="sign-in lockout lifted by an administrator",
    )
    return user


def audit_verify_start(*, actor: User | None):
    """The audit administrator starts ``shian audit verify`` as a background job (at most one at a time).
    Returns ``(job, created)``; starting one is itself audited, filed under the job."""
    from shian.core import jobs

    from .tasks import audit_verify

    policy.check(actor, VERIFY, AUDIT_RECORD)
    with transaction.atomic():
        job, created = jobs.start(audit_verify, user=actor, params={}, dedupe={})
        if created:
            audit(actor=actor, action=AuditAction.CREATE, obj=job, note="audit chain verification started")
    return job, created
