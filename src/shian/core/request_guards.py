"""Refuse malformed requests before any view reads them (docs/security.md, "Bad input"): a clear 4xx that
names what is wrong and where, never a 500 — for every page and API operation, present and future.

``RequestGuardMiddleware`` refuses

- a body larger than the request may carry (413): ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for a form or JSON body,
  ``IMPORT_MAX_BYTES`` plus ``MULTIPART_OVERHEAD_BYTES`` for a multipart upload (the largest file accepted
  anywhere is an import file) — judged from ``Content-Length`` before the body is read;
- a multipart body whose ``Content-Type`` has no valid ``boundary`` (400): Django's parser would fail on it;
- a JSON body that is not valid UTF-8 JSON, nested deeper than ``JSON_MAX_DEPTH`` (Python's parser recurses:
  a deep document is a ``RecursionError``), or holding ``NaN``/``Infinity`` (not JSON, but Python reads
  them) or an integer outside the signed 64-bit range (no database column holds one: SQLite raises
  ``OverflowError``, PostgreSQL an out-of-range error) (400, naming the field);
- an API query parameter declared as an integer in the OpenAPI schema (``limit``, ``offset``, the id
  filters) whose value is an integer outside the signed 64-bit range (400, naming the parameter).

An API request is answered in the API's error format (``{"detail": [{"loc": [...], "msg": ...}]}``), a
page request with the "Not accepted" page (or plain text when that cannot render).
"""

from __future__ import annotations

import functools
import json
import math
import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

JSON_MAX_DEPTH = 32  # the deepest body the API takes is 3 levels (a result list's objects)
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MULTIPART_OVERHEAD_BYTES = 1024 * 1024  # the multipart envelope and the form fields beside the file

_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
_BOUNDARY = re.compile(r"""boundary=("?)([0-9A-Za-z'()+_,\-./:=? ]{1,70})\1(?:;|$)""", re.IGNORECASE)


class Refused(Exception):
    def __init__(self, status: int, field: str, message: str):
        super().__init__(message)
        self.status, self.field, self.message = status, field, message


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (strings skipped), without parsing it."""
    depth = deepest = 0
    for match in _TOKEN.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def _reject_constant(name: str):
    raise ValueError(name)


def _numbers(value, path: str = ""):
    """(path, number) for every number in a parsed JSON document."""
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        yield path or "body", value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _numbers(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _numbers(v, f"{path}[{i}]")


@functools.cache
def _api_integer_parameters() -> frozenset[str]:
    """The names of the query parameters some API operation declares as integers. The API is found the
    way Django finds the URLconf (a setting naming the composition root), so core imports no later app."""
    from django.utils.module_loading import import_string

    api = import_string(settings.SHIAN_API)

    names = set()
    for operations in api.get_openapi_schema()["paths"].values():
        for op in operations.values():
            for param in op.get("parameters", []):
                schema = param.get("schema", {})
                kinds = {schema.get("type")} | {a.get("type") for a in schema.get("anyOf", [])}
                if param.get("in") == "query" and "integer" in kinds:
                    names.add(param["name"])
    return frozenset(names)


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.exceptions import RequestDataTooBig

        try:
            self._check(request)
        except Refused as refused:
            return self._refuse(request, refused)
        except RequestDataTooBig:  # a body without Content-Length that turned out too large
            return self._refuse(request, Refused(413, "body", _("The request is too large.")))
        return self.get_response(request)

    # --- the checks ----------------------------------------------------------------------------
    def _check(self, request) -> None:
        if request.path.startswith("/api/"):
            self._check_query(request)
        if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
            return
        content_type = request.META.get("CONTENT_TYPE", "")
        multipart = content_type.lower().startswith("multipart/")
        self._check_size(request, multipart)
        if multipart:
            if not _BOUNDARY.search(content_type):
                raise Refused(
                    400,
                    "Content-Type",
                    _("A multipart body needs a boundary in its Content-Type (multipart/form-data; boundary=…)."),
                )
        elif content_type.lower().startswith("application/json"):
            self._check_json(request)

    def _check_query(self, request) -> None:
        integers = _api_integer_parameters()
        for name, values in request.GET.lists():
            if name not in integers:
                continue
            for value in values:
                if _INTEGER.match(value) and not INT64_MIN <= int(value) <= INT64_MAX:
                    raise Refused(400, name, _("The number is out of range (a 64-bit integer at most)."))

    def _check_size(self, request, multipart: bool) -> None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise Refused(400, "Content-Length", _("The Content-Length header is not a number.")) from None
        limit = (
            settings.IMPORT_MAX_BYTES + MULTIPART_OVERHEAD_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        if limit is not None and length > limit:
            raise Refused(
                413,
                "body",
                _("The request is too large: %(size)s MB, at most %(limit)s MB are accepted.")
                % {"size": f"{length / 1e6:.1f}", "limit": f"{limit / 1e6:.1f}"},
            )

    def _check_json(self, request) -> None:
        body = request.body
        if not body:
            return
        if json_depth(body) > JSON_MAX_DEPTH:
            raise Refused(
                400, "body", _("The JSON is nested too deeply (at most %(n)d levels).") % {"n": JSON_MAX_DEPTH}
            )
        try:
            data = json.loads(body, parse_constant=_reject_constant)
        except UnicodeDecodeError:
            raise Refused(400, "body", _("The body is not valid UTF-8.")) from None
        except (ValueError, RecursionError):
            raise Refused(
                400, "body", _("The body is not valid JSON (NaN and Infinity are not JSON numbers).")
            ) from None
        for path, number in _numbers(data):
            if isinstance(number, float) and not math.isfinite(number):
                raise Refused(400, path, _("The number is out of range."))
            if isinstance(number, int) and not INT64_MIN <= number <= INT64_MAX:
                raise Refused(400, path, _("The number is out of range (a 64-bit integer at most)."))

    # --- the answer ----------------------------------------------------------------------------
    def _refuse(self, request, refused: Refused):
        if request.path.startswith("/api/"):
            detail = [{"loc": ["request", refused.field], "msg": refused.message, "type": "value_error"}]
            return JsonResponse({"detail": detail}, status=refused.status)
        message = f"{refused.field}: {refused.message}"
        try:
            from django.shortcuts import render

            return render(request, "400.html", {"message": message, "fields": [refused.field]}, status=refused.status)
        except Exception:  # noqa: BLE001 — the page needs the session and the user; a bare answer then
            return HttpResponse(message, status=refused.status, content_type="text/plain; charset=utf-8")
