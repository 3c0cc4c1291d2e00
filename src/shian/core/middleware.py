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
