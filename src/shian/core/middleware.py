import json
import re

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from .context import current_source


class RequestContextMiddleware:
    """Records where a request comes from for the audit log, and keeps pages out of shared caches."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_source.set(request.META.get("REMOTE_ADDR") or "unknown")
        try:
            response = self.get_response(request)
        finally:
            current_source.reset(token)
        if request.user.is_authenticated and not request.path.startswith("/static/"):
            response.setdefault("Cache-Control", "no-store")
        return response


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


class RejectControlCharactersMiddleware:
    """Refuse a request whose parameters, form fields or JSON strings hold control characters (NUL and
    the like), naming each field, with a 400 — for every page and API operation, present and future.

    PostgreSQL cannot store NUL in text (SQLite can), and the other control characters break the XLSX
    exports, so such input would otherwise be a 500 on one database or stored junk on the other. File
    parts of a multipart upload are binary and are not looked at; its form fields are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        fields = self._offending(request)
        if fields:
            return self._refuse(request, fields)
        return self.get_response(request)

    def _offending(self, request) -> list[str]:
        bad = [key for key, values in request.GET.lists() if CONTROL.search(key) or any(map(CONTROL.search, values))]
        if request.method not in ("POST", "PUT", "PATCH"):
            return bad
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith("application/json"):
            try:
                data = json.loads(request.body or b"null")
            except (ValueError, UnicodeDecodeError):
                return bad  # not JSON: the API's own validation answers
            bad += _json_paths_with_control(data)
        elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            bad += [key for key, values in request.POST.lists() if any(map(CONTROL.search, [key, *values]))]
        return bad

    def _refuse(self, request, fields: list[str]):
        from django.http import JsonResponse
        from django.shortcuts import render
        from django.utils.translation import gettext as _

        message = _("Control characters (such as NUL) are not accepted; remove them from: %(fields)s") % {
            "fields": "、".join(fields)
        }
        if request.path.startswith("/api/"):
            detail = [{"loc": ["request", f], "msg": message, "type": "value_error"} for f in fields]
            return JsonResponse({"detail": detail}, status=400)
        return render(request, "400.html", {"message": message, "fields": fields}, status=400)


def _json_paths_with_control(value, path: str = "") -> list[str]:
    if isinstance(value, str):
        return [path or "body"] if CONTROL.search(value) else []
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            key = str(k)
            out += [f"{path}.{key}" if path else key] if CONTROL.search(key) else []
            out += _json_paths_with_control(v, f"{path}.{key}" if path else key)
        return out
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _json_paths_with_control(v, f"{path}[{i}]")]
    return []
