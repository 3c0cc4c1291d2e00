"""Request-rate limits, the absolute session lifetime and the forced password change."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from shian.core.context import current_source
from shian.core.signin import MUST_CHANGE, SIGNED_IN_AT

from . import ratelimit

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _bearer(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    return header[7:].strip() if header[:7].lower() == "bearer " else ""


def limits_for(request) -> list[tuple[str, str, ratelimit.Rate]]:
    """(bucket, setting, rate) for each limit this request counts against:

    - anonymous requests that write (the login form, token requests, public forms) and every anonymous
      API call, per source address (RATE_LIMIT_ANONYMOUS);
    - API calls with a bearer token, per token (an account holds at most API_TOKEN_MAX_PER_USER), and API
      calls of a signed-in session, per account (RATE_LIMIT_API)."""
    api = request.path.startswith("/api/")
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    bearer = _bearer(request) if api else ""
    out = []
    if api and bearer:
        digest = hashlib.sha256(bearer.encode()).hexdigest()[:32]
        out.append((f"api:token:{digest}", "RATE_LIMIT_API", settings.RATE_LIMIT_API))
    elif api and signed_in:
        out.append((f"api:user:{user.pk}", "RATE_LIMIT_API", settings.RATE_LIMIT_API))
    elif not signed_in and (api or request.method in UNSAFE):
        out.append((f"anon:{current_source.get()}", "RATE_LIMIT_ANONYMOUS", settings.RATE_LIMIT_ANONYMOUS))
    return out


class RateLimitMiddleware:
    """Answers 429 with Retry-After once a limit is passed (settings RATE_LIMIT_*; ``requests/seconds``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for bucket, name, text in limits_for(request):
            verdict = ratelimit.hit(bucket, ratelimit.Rate.parse(name, text))
            if not verdict.allowed:
                return too_many_requests(request, verdict.retry_after)
        return self.get_response(request)


def too_many_requests(request, retry_after: int, message: str = ""):
    message = message or _("Too many requests: wait %(s)d seconds and try again.") % {"s": retry_after}
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = TemplateResponse(request, "accounts/too_many_requests.html", {"message": message}, status=429)
        response.render()
    response["Retry-After"] = str(retry_after)
    return response


class SessionPolicyMiddleware:
    """For a signed-in browser session:

    - **absolute lifetime**: a session ends SESSION_ABSOLUTE_SECONDS (default 12 h) after it signed in,
      however active it was (the idle timeout, SESSION_COOKIE_AGE, ends it sooner when unused); the end is
      audited as a logout;
    - **break-glass**: an emergency superuser (``shian break_glass``) whose time is up loses the
      superuser flag and this session ends (core.services.break_glass_expire_if_due);
    - **forced password change**: when signing in found the password must be changed (a common or demo
      password, set by an administrator, expired), every page except the change page and logout sends
      the person to the change page, and the API answers 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is None or session is None or not user.is_authenticated:
            return self.get_response(request)
        if user.is_superuser:
            from shian.core.services import break_glass_expire_if_due, logout_audit

            if break_glass_expire_if_due(user):  # an emergency superuser's time is up: the session ends
                logout_audit(user=user, note="break-glass grant ended")
                logout(request)
                messages.info(request, _("Your emergency access has ended: log in again."))
                return self.get_response(request)
        now = time.time()
        started = session.get(SIGNED_IN_AT)
        if not isinstance(started, int | float) or started > now:
            session[SIGNED_IN_AT] = now
        elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
            from shian.core.services import logout_audit

            logout_audit(user=user, note="absolute session lifetime reached")
            logout(request)
            hours = settings.SESSION_ABSOLUTE_SECONDS / 3600
            messages.info(request, _("Your session ended after %(h)g hours: log in again.") % {"h": hours})
            return self.get_response(request)  # now anonymous: pages send to the login page, the API 401/403
        if session.get(MUST_CHANGE) and not self._allowed(request.path):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Change your password first (on the password page) before using the API.")},
                    status=403,
                )
            return redirect("accounts:password_change")
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        allowed = (reverse("accounts:password_change"), reverse("core:logout"), reverse("core:login"))
        # the second step comes first: a user with an authenticator passes it, then changes the password
        return path in allowed or path.startswith(("/static/", "/i18n/", "/sw.js", "/twofactor/"))
