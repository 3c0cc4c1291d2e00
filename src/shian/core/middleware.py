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


class RejectNulMiddleware:
    """Refuse a request whose parameters or text body hold a NUL character, with a clear 400.

    PostgreSQL cannot store NUL in text (SQLite can), so such input would otherwise become a 500 on
    one database and stored junk on the other. File uploads (multipart file parts) are binary and are
    not looked at; their form fields are."""

    TEXT_BODIES = ("application/json", "application/x-www-form-urlencoded", "text/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            from django.http import JsonResponse

            message = "NUL characters (\\u0000) are not accepted in any field or parameter."
            return JsonResponse({"detail": [{"loc": ["request"], "msg": message, "type": "value_error"}]}, status=400)
        return self.get_response(request)

    def _has_nul(self, request) -> bool:
        if any("\x00" in part for key, values in request.GET.lists() for part in [key, *values]):
            return True
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method in ("POST", "PUT", "PATCH") and content_type.startswith(self.TEXT_BODIES):
            body = request.body
            return b"\x00" in body or b"\\u0000" in body or b"%00" in body
        if content_type.startswith("multipart/form-data"):
            return any("\x00" in part for key, values in request.POST.lists() for part in [key, *values])
        return False
