"""Second-factor pages: one's own (status, enrol, verify after login, re-authenticate, recovery codes,
disable) and the security administrator's reset of a lost authenticator."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from shian.core.limits import PASSWORD_MAX_LENGTH
from shian.core.policy import SIGNED_IN, get_object_for_user, operation

from . import selectors, services
from .decorators import reauth_redirect, require_recent_auth
from .services import RESET, TwoFactorError

CODE_MAX_LENGTH = 32  # a code field longer than this is no code: refused before it is looked at


def _next(request, default: str = "core:dashboard") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    # a path of this site only: a bare word would be taken by redirect() for a view name (NoReverseMatch)
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    from django.urls import reverse

    return reverse(default)


def _field(request, name: str, limit: int) -> tuple[str, str]:
    """(value, error): a posted field, refused with a message naming it when longer than ``limit``."""
    value = request.POST.get(name, "")
    if len(value) > limit:
        return "", _("%(field)s: at most %(n)d characters.") % {"field": name, "n": limit}
    return value, ""


def _qr_data_uri(uri: str) -> str:
    """The otpauth URI as a QR code: an SVG made here (segno, no script, nothing fetched), as a data URI."""
    import segno

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#111", light="#fff")


@operation(SIGNED_IN)
def index(request):
    """The account's second factor: enrolled or not, recovery codes left, what can be done."""
    context = selectors.state_for(request.user)
    context["required"] = services.required_for(request.user)
    return TemplateResponse(request, "twofactor/index.html", context)


SESSION_PENDING = "twofactor.pending"  # {"user": id, "secret": sealed base32} while enrolment is open


def _pending_secret(request) -> bytes:
    """The secret this session's enrolment page shows: kept sealed (encrypted, bound to the account) in
    the session, not in the database, so opening the page writes no row; made on first sight."""
    from .crypto import SecretUnreadable, seal, unseal
    from .totp import b32, from_b32, new_secret

    user = request.user
    stored = request.session.get(SESSION_PENDING)
    if isinstance(stored, dict) and stored.get("user") == user.pk and isinstance(stored.get("secret"), str):
        try:
            return from_b32(unseal(stored["secret"], user_id=user.pk))
        except (SecretUnreadable, ValueError):
            pass
    secret = new_secret()
    request.session[SESSION_PENDING] = {"user": user.pk, "secret": seal(b32(secret), user_id=user.pk)}
    return secret


@operation(SIGNED_IN, write=True)
def enrol(request):
    """Enrolment: the secret (QR code, base32, URI) and a form for the password and a first code; on
    success the ten recovery codes, shown this once. GET writes nothing to the database (the secret
    waits, sealed, in the session); the authenticator is stored when the first code is right."""
    user = request.user
    if services.has_device(user):
        messages.info(request, _("An authenticator is already enrolled for this account."))
        return redirect("twofactor:index")
    secret = _pending_secret(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        password, errors["password"] = _field(request, "password", PASSWORD_MAX_LENGTH)
        code, errors["code"] = _field(request, "code", CODE_MAX_LENGTH)
        if not any(errors.values()):
            try:
                codes = services.device_confirm(user=user, password=password, code=code, secret=secret)
            except TwoFactorError as exc:
                errors[exc.field] = exc.message
            else:
                request.session.pop(SESSION_PENDING, None)
                services.mark_passed(request)
                context = {"codes": codes, "next": _next(request), "enrolled_now": True}
                return TemplateResponse(request, "twofactor/recovery_codes.html", context)
    uri = services.provisioning_uri(user, secret)
    from .totp import b32

    context = {
        "secret": " ".join(b32(secret)[i : i + 4] for i in range(0, len(b32(secret)), 4)),
        "uri": uri,
        "qr": _qr_data_uri(uri),
        "errors": {k: v for k, v in errors.items() if v},
        "next": request.POST.get("next") or request.GET.get("next") or "",
        "required": services.required_for(user),
    }
    status = 400 if context["errors"] else 200
    return TemplateResponse(request, "twofactor/enrol.html", context, status=status)


@operation(SIGNED_IN, write=True)
def verify(request):
    """The second step after the password: a code from the app, or a recovery code."""
    user = request.user
    if services.session_passed(request) or not services.has_device(user):
        return redirect(_next(request))
    error = ""
    if request.method == "POST":
        code, error = _field(request, "code", CODE_MAX_LENGTH)
        if not error:
            result = services.check_code(user=user, code=code)
            if result.ok:
                services.mark_passed(request)
                if result.method == "recovery":
                    messages.warning(
                        request,
                        _("You logged in with a recovery code; %(n)d left. Make new ones if you are running out.")
                        % {"n": result.recovery_left},
                    )
                return redirect(_next(request))
            error = result.error
    context = {"error": error, "next": request.POST.get("next") or request.GET.get("next") or ""}
    return TemplateResponse(request, "twofactor/verify.html", context, status=401 if error else 200)


@operation(SIGNED_IN, write=True)
def reauth(request):
    """Confirm it is you (password, and a code when enrolled) before changing how you log in."""
    user = request.user
    enrolled = services.has_device(user)
    errors: dict[str, str] = {}
    if request.method == "POST":
        password, errors["password"] = _field(request, "password", PASSWORD_MAX_LENGTH)
        code, errors["code"] = _field(request, "code", CODE_MAX_LENGTH)
        if not any(errors.values()):
            try:
                services.reauthenticate(request=request, password=password, code=code)
            except TwoFactorError as exc:
                errors[exc.field] = exc.message
            else:
                return redirect(_next(request, "twofactor:index"))
    context = {
        "enrolled": enrolled,
        "errors": {k: v for k, v in errors.items() if v},
        "next": request.POST.get("next") or request.GET.get("next") or "",
    }
    # 400, not 401: the session is signed in; the form is what was wrong (as on the enrolment page)
    return TemplateResponse(request, "twofactor/reauth.html", context, status=400 if context["errors"] else 200)


@operation(SIGNED_IN, write=True)
@require_recent_auth
def recovery_codes(request):
    """New recovery codes in place of the old ones (after re-authentication), shown once."""
    state = selectors.state_for(request.user)
    if not state["enrolled"]:
        messages.info(request, _("No authenticator is enrolled for this account."))
        return redirect("twofactor:index")
    if request.method == "POST":
        codes = services.recovery_codes_regenerate(user=request.user)
        return TemplateResponse(request, "twofactor/recovery_codes.html", {"codes": codes, "next": ""})
    return TemplateResponse(request, "twofactor/confirm.html", {**state, "what": "regenerate"})


@operation(SIGNED_IN, write=True)
@require_recent_auth
def disable(request):
    """Remove one's authenticator and recovery codes (after re-authentication)."""
    state = selectors.state_for(request.user)
    if not state["device"]:
        messages.info(request, _("No authenticator is enrolled for this account."))
        return redirect("twofactor:index")
    if request.method == "POST":
        services.device_disable(user=request.user)
        messages.success(request, _("The authenticator was removed."))
        return redirect("twofactor:index")
    context = {**state, "what": "disable", "required": services.required_for(request.user)}
    return TemplateResponse(request, "twofactor/confirm.html", context)


# --- the security administrator: reset a lost authenticator ------------------------------------------
@operation(RESET, "twofactor.totpdevice", write=False)
def accounts(request):
    """Every account and whether each has enrolled, with a reset button."""
    q = request.GET.get("q", "")[:100]
    page = Paginator(selectors.accounts_for_reset(request.user, q=q), 50).get_page(request.GET.get("page"))
    return TemplateResponse(request, "twofactor/accounts.html", {"page": page, "q": q})


@operation(RESET, "twofactor.totpdevice", obj={"pk": "accounts.account"})
def reset(request, pk: int):
    """Reset one account's authenticator (after the administrator re-authenticates): it enrols again.
    The account is looked up first, so a foreign or missing one is 404 whether or not re-authenticated."""
    from shian.accounts.models import Account

    account = get_object_for_user(Account, request.user, selectors.MANAGE, pk=pk)
    if not services.recently_authenticated(request):
        return reauth_redirect(request)
    enrolled = services.has_device(account)
    if request.method == "POST":
        try:
            services.device_reset(user=account, actor=request.user)
        except TwoFactorError as exc:
            messages.info(request, exc.message)
        else:
            messages.success(
                request,
                _("The authenticator of %(user)s was reset: they enrol again at their next login.")
                % {"user": account.username},
            )
        return redirect("twofactor:accounts")
    return TemplateResponse(request, "twofactor/reset.html", {"account": account, "enrolled": enrolled})
