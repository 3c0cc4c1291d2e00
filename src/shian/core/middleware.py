import json
import re

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from .context import client_ip, current_source, parse_networks
from .limits import REQUEST_VALUE_MAX_LENGTH, SIGNATURE_MAX_LENGTH, SIGNATURE_PREFIX


class RequestContextMiddleware:
    """Records where a request comes from for the audit log, and keeps pages out of shared caches.

    The client's address (``core.context.client_ip``: X-Forwarded-For from SHIAN_TRUSTED_PROXIES only)
    becomes the request's ``REMOTE_ADDR`` (the proxy's is kept in ``SHIAN_PEER_ADDR``), so every reader
    — the audit log, the login's lockout and rate limits — sees the client, not the proxy. A refused
    request (403) of a signed-in user and every file download (a response with Content-Disposition: the
    XLSX exports, PDF records, reports) are written to the audit log here, for every page and API
    operation, present and future."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._networks()  # a wrong SHIAN_TRUSTED_PROXIES stops the server at start, not at a request

    _parsed: tuple[tuple[str, ...], list] = ((), [])

    def _networks(self) -> list:
        configured = tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ())
        if configured != self._parsed[0]:
            from django.core.exceptions import ImproperlyConfigured

            try:
                self._parsed = (configured, parse_networks(configured))
            except ValueError as exc:
                raise ImproperlyConfigured(str(exc)) from None
        return self._parsed[1]

    def __call__(self, request):
        peer = request.META.get("REMOTE_ADDR")
        ip = client_ip(request.META, self._networks(), getattr(settings, "TRUSTED_PROXY_HEADER", "X-Forwarded-For"))
        if ip != "unknown" and ip != peer:
            request.META["SHIAN_PEER_ADDR"] = peer
            request.META["REMOTE_ADDR"] = ip
        token = current_source.set(ip)
        try:
            response = self.get_response(request)
            _audit_response(request, response)
        finally:
            current_source.reset(token)
        if request.user.is_authenticated and not request.path.startswith("/static/"):
            response.setdefault("Cache-Control", "no-store")
        return response


def _audit_response(request, response) -> None:
    """A refusal (403) of a signed-in user, or a download, is written to the audit log (core.audit)."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return
    if response.status_code == 403:
        from .audit import audit_refusal

        audit_refusal(request, user)
    elif 200 <= response.status_code < 300 and response.has_header("Content-Disposition"):
        from .audit import audit_download

        audit_download(request, user, response)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the user chose another language with the header switch (cookie).

    The browser's Accept-Language is deliberately ignored: government PCs often run English-locale
    browsers, and the bureau's working language is Chinese."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


# C0 control characters other than tab, newline and carriage return, and DEL: never text a person means
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _too_long(value: str) -> bool:
    """Longer than any field takes (core.limits): a drawn signature (a PNG data URL) may be longer."""
    if len(value) <= REQUEST_VALUE_MAX_LENGTH:
        return False
    return not (value.startswith(SIGNATURE_PREFIX) and len(value) <= SIGNATURE_MAX_LENGTH)


class RejectControlCharactersMiddleware:
    """Refuse a request whose parameters, form fields or JSON strings hold control characters (NUL and
    the like) or are absurdly long, naming each field, with a 400 — for every page and API operation,
    present and future.

    PostgreSQL cannot store NUL in text (SQLite can), and the other control characters break the XLSX
    exports, so such input would otherwise be a 500 on one database or stored junk on the other. A value
    longer than ``REQUEST_VALUE_MAX_LENGTH`` (50,000 characters; a signature's data URL excepted) fits no
    field: forms and API schemas refuse shorter over-long values themselves, with their own field errors
    (core.limits). File parts of a multipart upload are binary and are not looked at; its form fields are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        control, long = self._offending(request)
        if control or long:
            return self._refuse(request, control, long)
        return self.get_response(request)

    def _offending(self, request) -> tuple[list[str], list[str]]:
        """(fields with control characters, fields too long)."""
        # (field, text): a form's or query's names are text too, looked at like their values
        pairs = [(key, text) for key, values in request.GET.lists() for text in (key, *values)]
        if request.method in ("POST", "PUT", "PATCH"):
            content_type = request.META.get("CONTENT_TYPE", "")
            if content_type.startswith("application/json"):
                try:
                    data = json.loads(request.body or b"null")
                except (ValueError, UnicodeDecodeError):
                    data = None  # not JSON: the API's own validation answers
                pairs += list(_json_strings(data))
            elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
                pairs += [(key, text) for key, values in request.POST.lists() for text in (key, *values)]
        control, long = [], []
        for key, value in pairs:
            if CONTROL.search(value) and key not in control:
                control.append(key)
            if _too_long(value) and key not in long:
                long.append(key)
        return control, long

    def _refuse(self, request, control: list[str], long: list[str]):
        from django.http import JsonResponse
        from django.shortcuts import render
        from django.utils.translation import gettext as _

        messages = []
        if control:
            messages.append(
                (
                    control,
                    _("Control characters (such as NUL) are not accepted; remove them from: %(fields)s")
                    % {"fields": "、".join(control)},
                )
            )
        if long:
            messages.append(
                (
                    long,
                    _("Too long: at most %(n)s characters are accepted in one field; shorten: %(fields)s")
                    % {"n": f"{REQUEST_VALUE_MAX_LENGTH:,}", "fields": "、".join(long)},
                )
            )
        if request.path.startswith("/api/"):
            detail = [
                {"loc": ["request", f], "msg": message, "type": "value_error"}
                for fields, message in messages
                for f in fields
            ]
            return JsonResponse({"detail": detail}, status=400)
        context = {"message": " ".join(m for _f, m in messages), "fields": [*control, *long]}
        return render(request, "400.html", context, status=400)


def _json_strings(value, path: str = ""):
    """(path, text) for every key and string in a JSON document, e.g. ("results[0].note", "…")."""
    if isinstance(value, str):
        yield path or "body", value
    elif isinstance(value, dict):
        for k, v in value.items():
            key = f"{path}.{k}" if path else str(k)
            yield key, str(k)
            yield from _json_strings(v, key)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _json_strings(v, f"{path}[{i}]")
