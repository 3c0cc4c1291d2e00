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
