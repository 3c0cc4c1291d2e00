"""``require_recent_auth``: put it in front of anything that changes how one logs in (password, phone,
second factor) or mints a credential (an API token). Use it under ``@operation``:

    @operation(ADD, "core.apitoken")
    @require_POST
    @require_recent_auth
    def token_create(request): ...

Without a re-authentication in the last MFA_REAUTH_SECONDS the person is sent to the re-authentication
page (password, and a code when enrolled), then back: to the page itself for a GET, to the page the form
was on for a POST (which they then send again). An API call gets 403."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from . import services


def _back_to(request) -> str:
    if request.method == "GET":
        return request.get_full_path()
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        from urllib.parse import urlsplit

        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse("twofactor:index")


def reauth_redirect(request):
    """Where a request without a recent re-authentication goes: the re-authentication page, then back."""
    if request.path.startswith("/api/"):
        raise PermissionDenied("re-authentication required")
    messages.info(request, _("Confirm it is you: enter your password to go on."))
    return redirect(f"{reverse('twofactor:reauth')}?{urlencode({'next': _back_to(request)})}")


def require_recent_auth(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if services.recently_authenticated(request):
            return view(request, *args, **kwargs)
        return reauth_redirect(request)

    return wrapper
