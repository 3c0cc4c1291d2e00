"""The site's URLs with the administration router mounted under /api/admin-test/, for the tests of
accounts.api until (and after) ``shian.api`` mounts it: the real middleware, tokens and error answers."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path
from ninja import NinjaAPI

from shian.accounts.api import router
from shian.api import _validation_detail
from shian.urls import urlpatterns as site

api = NinjaAPI(urls_namespace="accounts-api-test", docs_url=None)
api.add_router("/", router)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return api.create_response(request, {"detail": _validation_detail(exc)}, status=422)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "forbidden"}, status=403)


urlpatterns = [path("api/admin-test/", api.urls), *site]
