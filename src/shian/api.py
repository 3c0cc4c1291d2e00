"""The one NinjaAPI: every app's router under /api/, shared error handling."""

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import NinjaAPI

from shian.accounts.api import router as accounts_router
from shian.core.api import router as core_router
from shian.core.concurrency import ConflictError
from shian.hazards.api import router as hazards_router
from shian.inspections.api import router as inspections_router
from shian.oversight.api import router as oversight_router
from shian.registry.api import router as registry_router
from shian.selfchecks.api import router as selfchecks_router
from shian.supervision.api import router as supervision_router


class ShianAPI(NinjaAPI):
    """The schema declares the error answers every operation may give (core.openapi_errors)."""

    def get_openapi_schema(self, *args, **kwargs):
        from shian.core.openapi_errors import declare_error_responses

        return declare_error_responses(super().get_openapi_schema(*args, **kwargs))


api = ShianAPI(
    title="ShiAn API",
    version="1",
    description="ShiAn (食安) food-safety governance platform. Authenticate with `POST /api/auth/token`, then send "
    "`Authorization: Bearer <token>`. Every endpoint only sees the caller's scope.",
    urls_namespace="api",
)
api.add_router("/", core_router)
api.add_router("/", registry_router)
api.add_router("/", hazards_router)
api.add_router("/", supervision_router)
api.add_router("/", inspections_router)
api.add_router("/", oversight_router)
api.add_router("/", selfchecks_router)
api.add_router("/", accounts_router)


def _validation_detail(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {"loc": ["body", field], "msg": msg, "type": "value_error"}
            for field, msgs in exc.message_dict.items()
            for msg in msgs
        ]
    return [{"loc": ["body"], "msg": msg, "type": "value_error"} for msg in exc.messages]


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    return api.create_response(request, {"detail": _validation_detail(exc)}, status=422)


@api.exception_handler(ConflictError)
def on_conflict(request, exc: ConflictError):
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": str(exc) or "forbidden"}, status=403)
