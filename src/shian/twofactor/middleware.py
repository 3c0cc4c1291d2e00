"""The second step of logging in: a signed-in session whose account has an authenticator goes nowhere
but the code page until it has given a code; a role that must have one (services.required_for) and has
none goes nowhere but enrolment. The API does not see such a session at all (a bearer token still works).

It also asks for a recent re-authentication (``decorators.require_recent_auth``) before the views named
in MFA_REAUTH_VIEWS ("core:token_create", …): core's own views cannot import this app (core depends on
no later app), so they are named in settings instead of decorated."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from . import services
from .decorators import require_recent_auth

# pages open to a session that still owes its second step, whatever it owes
ALWAYS_OPEN = frozenset({"core:login", "core:logout", "set_language", "core:service_worker"})
OPEN_FOR = {"verify": frozenset({"twofactor:verify"}), "enrol": frozenset({"twofactor:enrol"})}
TARGET = {"verify": "twofactor:verify", "enrol": "twofactor:enrol"}


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.passthrough = ("/" + settings.STATIC_URL.lstrip("/"), "/" + settings.MEDIA_URL.lstrip("/"))

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(self.passthrough):
            return self.get_response(request)
        step = services.pending_step(request)
        if step is None:
            if (
                settings.MFA_REAUTH_VIEWS
                and self._view_name(request) in settings.MFA_REAUTH_VIEWS
                and services.has_device(request.user)  # the others' forms ask for the password itself
            ):
                return require_recent_auth(self.get_response)(request)
            return self.get_response(request)
        if request.path.startswith("/api/"):
            request.user = AnonymousUser()  # the session does not count until its second step is done
            return self.get_response(request)
        name = self._view_name(request)
        if name in ALWAYS_OPEN or name in OPEN_FOR[step]:
            return self.get_response(request)
        target = reverse(TARGET[step])
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        if step == "enrol" and not request.headers.get("HX-Request"):
            messages.info(request, _("Your role must use a second factor: enrol an authenticator app to go on."))
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)

    @staticmethod
    def _view_name(request) -> str:
        try:
            return resolve(request.path_info).view_name
        except Resolver404:
            return ""
