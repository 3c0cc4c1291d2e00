"""Bad input never gives a 500: generated from the API schema and from the forms the pages show.

Every text a client can send — each string property of each API operation's body (a JSON body, or the
form fields of a multipart upload; nested ones too) and each text field of each form on each page — is
sent in turn as

- ``too_long``: 100,000 characters;
- ``over_limit``: one character more than the field holds, ``at_limit``: exactly as many (the schema's
  ``maxLength``, the form field's ``max_length`` or the input's ``maxlength``, else the model field's,
  else core.limits.TEXT_MAX_LENGTH);
- ``script``: ``<script>alert(1)</script>``; ``markup``: broken HTML with quotes and an image of a local
  file (what would break a PDF's paragraph markup, too); ``formula``: ``=HYPERLINK("http://x","y")``;
  ``sql``: quotes and a ``DROP TABLE`` (stored as text or refused, never run);

by a user allowed to send it, about an object of the user's own area, and expects:

- never a 5xx;
- ``too_long`` and ``over_limit`` refused: a 4xx (API) or the form again, and the answer names the field;
- any 400/422 names the field (401/403/404/409 answer about the request, not a field);
- nothing stored longer than its column holds: every text column of every model is searched for the
  value after the request (on SQLite it would be stored silently; on PostgreSQL it is a database error);
- a stored value comes back as JSON, never as HTML; on the pages of the object (its own page, its
  business's page with every tab, the app's list pages) it is escaped, never markup, and a script
  shows (escaped) on at least one of them; the exports those pages link to (XLSX, PDF) open, and no
  cell of an XLSX holds a formula.

The world is core/tests/test_permission_matrix.py's (each request in a savepoint rolled back). An API
body is the one the matrix sends plus a plausible value for every string property (``GOOD``,
``API_OVERRIDES``); a form is posted as the page shows it (``FORM_OVERRIDES`` presses a button). The
unchanged body or form must succeed, so that each bad value is tested where it would be stored.

Cases that fail in code another area owns are marked ``xfail(strict=True, raises=OwnedElsewhere)`` with
what fails: fix it, and the strict mark fails the case until the mark is removed. While a case is marked,
every failure of its checks counts as that one (an error of the test itself still fails it).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models import Q
from django.forms import BaseForm
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from shian.api import api
from shian.core import policy, tabs
from shian.core.limits import REQUEST_VALUE_MAX_LENGTH, TEXT_MAX_LENGTH, max_length_of
from shian.core.tests import test_permission_matrix as permission_matrix
from shian.core.tests.factories import PASSWORD
from shian.core.tests.test_permission_matrix import (
    API_ROUTES,
    PNG,
    ROLES,
    UI_ROUTES,
    Route,
    _body,
    _expected,
    _isolated,
    _kwargs,
    _resolve,
)
from shian.core.validators import make_uscc

TOO_LONG = 100_000
SCRIPT = "<script>alert(1)</script>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
MARKUP = '<b>粗</i> & <img src="/etc/passwd"> "双" \'单\''
MARKUP_RAW = ("<b>粗</i>", '<img src="/etc/passwd">')
FORMULA = '=HYPERLINK("http://x","y")'
SQL = "食安'); DROP TABLE registry_business; -- \" OR 1=1"  # text, never SQL: the ORM binds every value
FILL = "食安"  # over- and at-limit values are Chinese: a limit counts characters, not bytes
MARKER = FILL * 4
FORMULA_PREFIXES = ("=", "+", "-", "@")

matrix = permission_matrix.matrix  # the world: a module-scoped fixture (each request in a savepoint)


@pytest.fixture(autouse=True)
def _media_root(request, settings, tmp_path):
    """The world's files (signatures, photos, evidence) live in the matrix's folder; other tests' in their own."""
    if "matrix" not in request.fixturenames:
        settings.MEDIA_ROOT = tmp_path / "media"


class OwnedElsewhere(AssertionError):
    """A failure in code another area owns (the case is marked xfail until it is fixed)."""


def _filled(n: int) -> str:
    return (FILL * (n // len(FILL) + 1))[:n]


def _values(limit: int) -> dict[str, str]:
    values = {"too_long": _filled(TOO_LONG)}
    if limit < REQUEST_VALUE_MAX_LENGTH:  # longer ones (a signature's data URL) are the middleware's
        values |= {"over_limit": _filled(limit + 1), "at_limit": _filled(limit)}
    return values | {"script": SCRIPT, "markup": MARKUP, "formula": FORMULA, "sql": SQL}


# --- what the database holds --------------------------------------------------------------------
def _text_columns():
    for model in apps.get_models():
        if not model._meta.app_config.name.startswith("shian."):
            continue
        # an encrypted column (core/fields.py) cannot be searched in SQL; its model validators cap the plain value
        cols = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and f.get_lookup("contains") is not None
        ]
        if cols:
            yield model, cols


def _stored(value: str | None = None) -> list[tuple[str, int, int | None, bool]]:
    """(model.field, length, the column's max_length or None, whether it holds all of ``value``) of every
    text holding a filled value."""
    out = []
    for model, cols in _text_columns():
        q = Q()
        for f in cols:
            q |= Q(**{f"{f.attname}__contains": MARKER})
        for row in model._base_manager.filter(q).values_list(*[f.attname for f in cols]):
            for f, v in zip(cols, row, strict=True):
                if v and MARKER in v:
                    whole = bool(value) and value in v
                    out.append((f"{model._meta.label}.{f.name}", len(v), getattr(f, "max_length", None), whole))
    return out


def _overflows(stored) -> list[str]:
    return [f"{name} holds {n} characters, its column {limit}" for name, n, limit, _w in stored if limit and n > limit]


# --- the pages of an object, and the files they link to -------------------------------------------
def _label(obj) -> str:
    return obj._meta.label_lower


def _pages_of(objs: list, user) -> list[str]:
    """The object's own pages, its business's page with every tab, and its app's list pages."""
    from shian.registry.models import Business

    urls, apps_seen, businesses = [], {"core"}, []
    for obj in objs:
        apps_seen.add(obj._meta.app_label)
        urls += [  # its page, and its edit page (a form shows the stored values)
            reverse(route.name, kwargs={"pk": obj.pk})
            for route in UI_ROUTES
            if route.op
            and route.op.action in (policy.VIEW, policy.CHANGE)
            and route.kwargs == ("pk",)
            and route.op.obj.get("pk") == _label(obj)
        ]
        business = obj if isinstance(obj, Business) else getattr(obj, "business", None)
        if isinstance(business, Business) and business not in businesses:
            businesses.append(business)
    for business in businesses:
        apps_seen.add("registry")
        detail = reverse("registry:business_detail", kwargs={"pk": business.pk})
        urls = [u for u in urls if u != detail]  # the page is its first tab, below
        urls += [f"{detail}?tab={t.key}" for t in tabs.tabs_for("registry.business", user, business)]
    urls += [
        reverse(route.name)
        for route in UI_ROUTES
        if route.op
        and not route.kwargs
        and route.op.action in (policy.VIEW, policy.SIGNED_IN)
        and route.name.split(":")[0] in apps_seen
    ]
    return list(dict.fromkeys(urls))


DOWNLOAD = re.compile(r"\.xlsx|format=xlsx|\.pdf|/pdf/?$")


def _check_pages(urls: list[str], users: list, value: str, links: dict) -> tuple[list[str], bool]:
    """Problems on the pages and in the files they link to, and whether an escaped script showed on a
    page. A script is looked for on the pages, a formula in the files, broken markup in both (it breaks
    a PDF's paragraphs). ``links`` keeps the files' addresses found on the pages for the next value."""
    problems, shown = [], False
    for user in users:
        if value == FORMULA and user.pk in links:
            continue  # the pages were read for a value before: their files are known
        client = Client(raise_request_exception=False)
        client.force_login(user)
        found = links.setdefault(user.pk, [])
        found += [u for u in urls if DOWNLOAD.search(u) and u not in found]  # a file, not a page
        for url in (u for u in urls if not DOWNLOAD.search(u)):
            response = client.get(url)
            if response.status_code >= 500:
                problems.append(f"GET {url} as {user.username}: {response.status_code}")
                continue
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            page = response.content.decode()
            if SCRIPT in page or any(raw in page for raw in MARKUP_RAW):
                problems.append(f"GET {url} as {user.username}: the text is markup, not escaped")
            shown = shown or SCRIPT_ESCAPED in page
            hrefs = (html.unescape(h) for h in re.findall(r'href="([^"]+)"', page))
            found += [h for h in hrefs if DOWNLOAD.search(h) and h not in found]
    for user in users if value != SCRIPT else []:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for href in links.get(user.pk, []):
            problems += [f"{href} as {user.username}: {p}" for p in _check_download(client.get(href))]
    return problems, shown


def _check_download(response) -> list[str]:
    if response.status_code >= 500:
        return [f"{response.status_code}"]
    if response.status_code != 200:
        return []
    kind = response["Content-Type"]
    content = b"".join(response) if response.streaming else response.content
    if kind.startswith("application/pdf"):
        return [] if content.startswith(b"%PDF-") else ["not a PDF"]
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        out = []
        for ws in load_workbook(io.BytesIO(content)).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "f" or (
                        isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES)
                    ):
                        out.append(f"cell {cell.coordinate} is a formula: {cell.value!r:.60}")
        return out
    return []


# --- the API ------------------------------------------------------------------------------------
SCHEMA = api.get_openapi_schema()

# a plausible value for a string property, by its name (one that passes the field's own checks)
GOOD = {
    "name": "测试名称",
    "address": "浙江省宁波市海曙区测试路1号",
    "legal_representative": "张三",
    "contact_phone": "13800138000",
    "latitude": "29.8683",
    "longitude": "121.5440",
    "phone": "13900139000",
    "id_number": "11010519491231002X",  # GB 11643's own example (check character X)
    "contractor_name": "宁波甬膳团餐管理有限公司",
    "issuing_authority": "宁波市海曙区市场监督管理局",
    "scope": "热食类食品制售",
    "title": "冷库温度过高",
    "description": "冷藏柜温度 9℃",
    "note": "已整改",
    "order_text": "三日内整改到位",
    "summary": "总体良好",
    "representative": "李四",
    "findings": "后厨地面湿滑",
    "report": "本周无问题",
    "source": "GB 31654-2021",
    "username": "m-admin",
    "password": PASSWORD,
}


def _png_url() -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(PNG).decode()


def _checklist_item(world):
    return world["inspections.inspection"].results.values_list("item_id", flat=True).first()


def _daily_item(world):
    from shian.selfchecks.services import daily_items

    return daily_items(world["registry.business"])[0].pk


def _record_all(world, matrix):
    from shian.inspections import services

    inspection = world["inspections.inspection"]
    services.inspection_record(
        actor=None,
        inspection=inspection,
        results={i: {"outcome": "pass", "note": ""} for i in inspection.results.values_list("item_id", flat=True)},
    )


def _hazard_found(world, matrix):
    from shian.hazards.models import Hazard

    Hazard.objects.filter(pk=world["hazards.hazard"].pk).update(state="found")


def _lead_open(world, matrix):
    from shian.hazards import services

    services.case_lead_raise(actor=None, hazard=world["hazards.hazard"], reason="overdue", detail="逾期")


def _unassigned(world, matrix):
    from shian.oversight.models import Assignment

    Assignment.objects.filter(pk=world["oversight.assignment"].pk).delete()  # assigned again, in the savepoint


@dataclass
class Override:
    body: object = None  # callable(world, path) -> dict merged into the body (path: the property under test)
    prepare: object = None  # callable(world, matrix), run in the request's savepoint before it


NEXT_WEEK = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
YESTERDAY = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
TODAY_ISO = timezone.localdate().isoformat()  # a lead raised today is decided today at the earliest
API_OVERRIDES = {
    "POST /api/businesses": Override(body=lambda w, p: {"uscc": make_uscc("9133020377777777")}),
    "PATCH /api/businesses/{business_id}": Override(body=lambda w, p: {"uscc": w["registry.business"].uscc}),
    "POST /api/businesses/{business_id}/licences": Override(
        body=lambda w, p: {"kind": "JY", "number": "JY13302030077777"}
    ),
    "PATCH /api/licences/{licence_id}": Override(body=lambda w, p: {"kind": "JY", "number": "JY13302030077777"}),
    "POST /api/hazards/{hazard_id}/leads/decision": Override(
        body=lambda w, p: {"action": "accept", "approver": "王局长", "approved_on": timezone.localdate().isoformat()},
        prepare=_lead_open,
    ),
    "POST /api/hazards/{hazard_id}/transitions": Override(
        body=lambda w, p: {"action": "order", "deadline": NEXT_WEEK}, prepare=_hazard_found
    ),
    "PUT /api/inspections/{inspection_id}/results": Override(
        body=lambda w, p: {"results": [{"item_id": _checklist_item(w), "outcome": "fail", "note": "地面湿滑"}]}
    ),
    "POST /api/inspections/{inspection_id}/close": Override(
        body=lambda w, p: {"inspector_signature": _png_url(), "representative_signature": _png_url()},
        prepare=_record_all,
    ),
    "POST /api/oversight/assignments": Override(body=lambda w, p: {"level": "street"}, prepare=_unassigned),
    "POST /api/oversight/assignments/{assignment_id}/visits": Override(
        body=lambda w, p: {
            "answers": {str(_daily_item(w)): "no"},
            "notes": {str(_daily_item(w)): "地面湿滑"},
            "all_ok": True,
        }
    ),
    "POST /api/admin/accounts": Override(
        body=lambda w, p: {
            "username": "xin-jianchayuan",
            "requested_role": "inspector",
            "requested_region_id": w["core.region"].pk,
        }
    ),
    "POST /api/admin/accounts/{account_id}/authorise": Override(
        body=lambda w, p: {"role": "inspector", "region_id": w["core.region"].pk}
    ),
    "POST /api/selfchecks": Override(
        body=lambda w, p: {
            "kind": "weekly" if p == ("report",) else "daily",  # a weekly review shows its report
            "day": YESTERDAY,
            "answers": {str(_daily_item(w)): "no"},
            "notes": {str(_daily_item(w)): "地面湿滑"},
            "all_ok": True,
        }
    ),
}


@dataclass
class ApiOp:
    route: Route
    schema: dict  # the body's schema, resolved
    multipart: bool


def _api_ops() -> list[ApiOp]:
    out = []
    for route in API_ROUTES:
        content = (SCHEMA["paths"][route.api_path][route.method.lower()].get("requestBody") or {}).get("content", {})
        for kind in ("application/json", "multipart/form-data"):
            if kind in content:
                out.append(ApiOp(route, _resolve(SCHEMA, content[kind]["schema"]), kind != "application/json"))
    return out


def _alternatives(prop: dict) -> list[dict]:
    return [prop, *prop.get("anyOf", []), *prop.get("allOf", [])]


def _is_text(prop: dict) -> bool:
    return any(a.get("type") == "string" and a.get("format") != "binary" for a in _alternatives(prop))


def _text_paths(schema: dict, prefix: tuple = ()) -> list[tuple[tuple, dict]]:
    """Every string a body may hold: ("name",), ("results", 0, "note"), ("notes", "{key}")."""
    out = []
    for name, prop in schema.get("properties", {}).items():
        path = (*prefix, name)
        if _is_text(prop):
            out.append((path, prop))
        for alt in _alternatives(prop):
            if alt.get("type") == "array" and "properties" in alt.get("items", {}):
                out += _text_paths(alt["items"], (*path, 0))
            extra = alt.get("additionalProperties")
            if alt.get("type") == "object" and isinstance(extra, dict) and _is_text(extra):
                out.append(((*path, "{key}"), extra))
    return out


def _case_id(op: ApiOp, path: tuple) -> str:
    return f"{op.route.name} {'.'.join(str(p) for p in path)}"


API_CASES = [(op, path, prop) for op in _api_ops() for path, prop in _text_paths(op.schema)]


def _caller(route: Route, matrix) -> str:
    for who in ROLES:
        if _expected(route, who, matrix["own"], matrix, foreign=False) == "ok":
            return who
    raise AssertionError(f"{route.name}: no role may call it")


def _api_body(op: ApiOp, world: dict, path: tuple) -> dict:
    body = _body(op.route, world) if not op.multipart else {}
    body = dict(body or {})
    for name, prop in op.schema.get("properties", {}).items():
        if _is_text(prop):
            enum = next((a["enum"] for a in _alternatives(prop) if "enum" in a), None)
            fmt = next((a.get("format") for a in _alternatives(prop) if a.get("format")), None)
            body[name] = (
                enum[0] if enum else timezone.localdate().isoformat() if fmt == "date" else GOOD.get(name, "测试")
            )
    override = API_OVERRIDES.get(op.route.name)
    if override and override.body:
        body |= override.body(world, path)
    return body


def _set(body: dict, path: tuple, value: str) -> dict:
    body = json.loads(json.dumps(body))
    node = body
    for part in path[:-1]:
        node = node[part]
    last = path[-1]
    if last == "{key}":
        assert node, f"the body has no entry at {path[:-1]}: give one in API_OVERRIDES"
        last = next(iter(node))
    node[last] = value
    return body


def _limit(op: ApiOp, path: tuple, prop: dict) -> int:
    declared = next((a["maxLength"] for a in _alternatives(prop) if "maxLength" in a), None)
    if declared:
        return declared
    if op.route.op.model and len(path) == 1:
        try:
            return max_length_of(apps.get_model(op.route.op.model), path[0])
        except (LookupError, TypeError, FieldDoesNotExist):
            pass
    return TEXT_MAX_LENGTH


def _send(op: ApiOp, matrix, who: str, body: dict):
    world = matrix["own"]
    path = op.route.api_path
    for k, v in _kwargs(op.route, world, matrix["users"][who]).items():
        path = path.replace("{" + k + "}", str(v))
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {matrix['tokens'][who]}")
    method = getattr(client, op.route.method.lower())
    if op.multipart:
        data = {k: v for k, v in body.items()}
        data["file"] = SimpleUploadedFile("f.png", PNG, content_type="image/png")
        return method(path, data)
    return method(path, json.dumps(body), content_type="application/json")


def _objects(op: ApiOp, world: dict, response) -> list:
    from shian.registry.models import Business

    objs = [world[label] for label in {**op.route.op.obj, **op.route.op.body}.values() if world.get(label)]
    try:
        data = response.json() if response.content else {}
    except ValueError:
        data = {}
    if isinstance(data, dict):
        if data.get("business_id"):
            objs.append(Business.objects.get(pk=data["business_id"]))
        model = apps.get_model(op.route.op.model) if op.route.op.model else None
        answer = _answer_schema(op)
        if model is not None and data.get("id") and answer.startswith(model.__name__):  # e.g. BusinessOut
            objs += list(model.objects.filter(pk=data["id"]))
    return objs


def _answer_schema(op: ApiOp) -> str:
    """The name of the schema of the operation's successful answer (BusinessOut, VisitOut, …)."""
    answers = SCHEMA["paths"][op.route.api_path][op.route.method.lower()].get("responses", {})
    for status in (200, 201, "200", "201"):
        ref = answers.get(status, {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
        if ref:
            return ref.rsplit("/", 1)[-1]
    return ""


def _names(response, field: str) -> bool:
    """The answer's errors name the field: ninja's loc ["body", "payload", "results", 0, "note"], the
    middleware's ["request", "results[0].note"], a service's ["body", "note"]."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return False
    locs = [d.get("loc", []) for d in detail if isinstance(d, dict)] if isinstance(detail, list) else []
    return any(field in re.split(r"[.\[\]]", str(part)) for loc in locs for part in loc)


def _api_case(op: ApiOp, path: tuple, prop: dict, matrix) -> list[str]:
    world = matrix["own"]
    who = _caller(op.route, matrix)
    user = matrix["users"][who]
    override = API_OVERRIDES.get(op.route.name) or Override()
    field_name = str(path[-1] if path[-1] != "{key}" else path[-2])
    failures, links = [], {}  # links: the files the pages link to, found with the first value shown

    def run(value):
        def go():
            if override.prepare:
                override.prepare(world, matrix)
            body = _api_body(op, world, path)
            if value is not None:
                body = _set(body, path, value)
            response = _send(op, matrix, who, body)
            if response.status_code >= 500:
                return response, [], [], False
            stored = _stored(value)
            pages, shown = [], False
            if 200 <= response.status_code < 300 and value in (SCRIPT, MARKUP, FORMULA):
                objs = _objects(op, world, response)
                viewers = [user] + ([matrix["users"]["admin"]] if who != "admin" else [])
                pages, shown = _check_pages(_pages_of(objs, user), viewers, value, links)
            return response, stored, pages, shown

        return _isolated(go)

    response, _stored_rows, _pages, _shown = run(None)
    if not 200 <= response.status_code < 300:
        return [f"the unchanged body fails ({response.status_code}: {response.content[:300]!r}): fix API_OVERRIDES"]
    for case, value in _values(_limit(op, path, prop)).items():
        response, stored, pages, shown = run(value)
        status, label = response.status_code, f"{case}: {response.status_code}"
        if status >= 500:
            failures.append(f"{label} (a server error)")
            continue
        failures += [f"{case}: {p}" for p in _overflows(stored)]
        if case in ("too_long", "over_limit"):
            if not 400 <= status < 500:
                failures.append(f"{label}: accepted (stored: {[s[:2] for s in stored]})")
            elif not _names(response, field_name):
                failures.append(f"{label}: the answer does not name {field_name}: {response.content[:200]!r}")
        elif status in (400, 422) and not _names(response, field_name):
            failures.append(f"{label}: the answer does not name {field_name}: {response.content[:200]!r}")
        if 200 <= status < 300:
            if response.content and not response["Content-Type"].startswith("application/json"):
                failures.append(f"{label}: answered {response['Content-Type']}, not JSON")
            failures += [f"{case}: {p}" for p in pages]
            if case == "script" and not shown and field_name in DISPLAYED:
                failures.append(f"{label}: stored, but shown on none of the object's pages")
    return failures


# the properties a page shows (the script must then be seen there, escaped); the others are kept only
# (a password, a signature's data URL), are not text people read (dates, enums), or are printed only
# (the business representative's name is on the inspection's PDF record)
DISPLAYED = {
    "name",
    "address",
    "legal_representative",
    "issuing_authority",
    "scope",
    "title",
    "description",
    "note",
    "order_text",
    "summary",
    "findings",
    "report",
}

# --- cases that fail in code other areas own ------------------------------------------------------
UNCAPPED = "no length limit: {where} takes and stores text of any length (cap it: {cap})"
OWNED_ELSEWHERE: dict[str, str] = {}


def _marks(case_id: str, table: dict[str, str]) -> list:
    reason = table.get(case_id)
    if not reason:
        return []
    return [pytest.mark.xfail(strict=True, raises=OwnedElsewhere, reason=f"owned elsewhere: {reason}")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("op", "path", "prop"),
    [pytest.param(*c, id=_case_id(c[0], c[1]), marks=_marks(_case_id(c[0], c[1]), OWNED_ELSEWHERE)) for c in API_CASES],
)
def test_api_text_property(matrix, op, path, prop):
    failures = _api_case(op, path, prop, matrix)
    if failures and _case_id(op, path) in OWNED_ELSEWHERE:
        raise OwnedElsewhere("\n".join(failures))
    assert not failures, "\n".join(failures)


def test_every_text_property_is_walked():
    """The walk reaches the operations that take text (so a schema change cannot silently drop one)."""
    ids = {_case_id(op, path) for op, path, _prop in API_CASES}
    for expected in (
        "POST /api/businesses name",
        "PUT /api/inspections/{inspection_id}/results results.0.note",
        "POST /api/selfchecks notes.{key}",
        "POST /api/hazards/{hazard_id}/evidence note",
    ):
        assert expected in ids, sorted(ids)


# --- the pages' forms ---------------------------------------------------------------------------
TEXT_INPUTS = {"", "text", "search", "tel", "email", "url", "password", "number", "date", "hidden"}


@dataclass
class Form:
    action: str
    fields: list = field(default_factory=list)  # (kind, name, value, attrs): kind input type / textarea / select
    buttons: list = field(default_factory=list)  # (name, value) of named submit buttons

    def text_fields(self) -> list[tuple[str, dict]]:
        """The text fields, one of each kind: of note_1 … note_18 (a checklist's items) the first only."""
        out, kinds = [], set()
        for kind, name, _value, attrs in self.fields:
            text = name and name != "csrfmiddlewaretoken" and (kind == "textarea" or kind in TEXT_INPUTS)
            if text and re.sub(r"\d+", "#", name) not in kinds:
                kinds.add(re.sub(r"\d+", "#", name))
                out.append((name, attrs))
        return out

    def data(self) -> dict[str, list[str]]:
        """What a browser sends as the page shows the form (no button pressed)."""
        out: dict[str, list[str]] = {}
        for kind, name, value, attrs in self.fields:
            if not name or kind in ("file", "submit", "button", "reset", "image"):
                continue
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                continue
            if kind == "date" and not value and "required" in attrs:
                value = YESTERDAY  # a past day: dates found, as-of days
            out.setdefault(name, []).append(value if value is not None else ("on" if kind == "checkbox" else ""))
        return out


class _FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url, self.forms, self.form, self.text, self.select = page_url, [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form = Form(action=a.get("action") or self.page_url) if a.get("method", "").lower() == "post" else None
            if self.form is not None:
                self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "input":
            self.form.fields.append(((a.get("type") or "").lower(), a.get("name"), a.get("value"), a))
        elif tag == "textarea":
            self.text = [a.get("name"), [], a]
        elif tag == "select":
            self.select = [a.get("name"), None, None, a]  # name, first option, selected option
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            self.select[1] = value if self.select[1] is None and value else self.select[1]
            self.select[2] = value if "selected" in a and value else self.select[2]  # not "---------"
        elif tag == "button" and (a.get("type") or "submit") == "submit" and a.get("name"):
            self.form.buttons.append((a["name"], a.get("value", "")))

    def handle_data(self, data):
        if self.text is not None:
            self.text[1].append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self.text is not None and self.form is not None:
            name, parts, attrs = self.text
            self.form.fields.append(("textarea", name, "".join(parts).lstrip("\n"), attrs))
            self.text = None
        elif tag == "select" and self.select is not None and self.form is not None:
            name, first, chosen, attrs = self.select
            self.form.fields.append(("select", name, chosen if chosen is not None else (first or ""), attrs))
            self.select = None
        elif tag == "form":
            self.form = None


def _context_forms(response) -> list[BaseForm]:
    out = []
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else context.values():
            if isinstance(value, BaseForm) and all(value is not f for f in out):
                out.append(value)
    return out


def _form_fields(forms: list[BaseForm]) -> dict[str, object]:
    """HTML name -> the Django form field it is."""
    return {form.add_prefix(name): f for form in forms for name, f in form.fields.items()}


def _route_of(path: str) -> str:
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return ""


# a form's unchanged post must succeed; these press its button or answer what the page leaves open
FORM_OVERRIDES = {
    "inspections:detail": {"all_ok": ["1"], "close": ["1"]},
    "selfchecks:overview": {"all_ok": ["1"]},
    "oversight:visit_create": {"all_ok": ["1"]},
    "hazards:lead_refer": {"detail": ["拒不整改"]},
    "hazards:lead_decide": {"action": ["accept"], "approver": ["王局长"], "approved_on": [TODAY_ISO]},
    "core:login": {"username": ["m-admin"], "password": [PASSWORD]},
    "core:token_create": {"name": ["测试令牌"], "password": [PASSWORD]},
    "accounts:password_change": {
        "current_password": [PASSWORD],
        "new_password1": ["Xin-Mima-2026!"],
        "new_password2": ["Xin-Mima-2026!"],
    },
    "registry:business_create": {"uscc": [make_uscc("9133020377777777")]},
    "registry:licence_create": {"kind": ["JY"], "number": ["JY13302030077777"], "valid_until": [NEXT_WEEK]},
    "accounts:admin_account_create": {"username": ["xin-jianchayuan"], "requested_role": ["inspector"]},
}


def _graded_last_month(world, matrix):
    from django.db.models import F

    from shian.supervision.models import GradeChange

    GradeChange.objects.update(at=F("at") - dt.timedelta(days=30))  # so a past day may extend the history


FORM_PREPARE = {"supervision:recompute": _graded_last_month, "hazards:lead_decide": _lead_open}


def _first_code(user, client) -> dict[str, list[str]]:
    """The two-step enrolment form's code: the page keeps the pending secret in this client's session
    (nothing in the database until the first code is right), so read it where the page shows it."""
    import re
    import time

    from shian.twofactor import totp

    page = client.get(reverse("twofactor:enrol")).content.decode()
    shown = re.search(r"data-secret>([A-Z2-7 =]+)<", page)
    assert shown, f"the enrolment page shows no key: {page[:500]}"
    return {"code": [totp.totp(totp.from_b32(shown.group(1).replace(" ", "")), time.time())]}


# fields only known when the form is sent (a one-time code), filled where the case leaves them empty
FORM_LIVE_DATA = {"twofactor:enrol": _first_code}
# pages that show a form only in some state of their object: visited as the world is, then in each state
# (the lead page shows the decision form while a lead is open, the refer form otherwise)
PAGE_STATES = {"hazards:lead": [None, _lead_open]}


def _get_in_states(route_name: str, page: str, client, world, matrix) -> list:
    """The page as each of its states shows it (each in its own rolled-back savepoint)."""
    out = []
    for prepare in PAGE_STATES.get(route_name, [None]):

        def go(prepare=prepare):
            if prepare:
                prepare(world, matrix)
            return client.get(page)

        out.append(_isolated(go))
    return out


def _outcome(response) -> tuple[str, set[str]]:
    """('error', …) for a 5xx; ('refused', the fields named) or ('accepted', set())."""
    from django.contrib.messages import ERROR, get_messages

    status = response.status_code
    if status >= 500:
        return "error", set()
    if status == 403:
        return "forbidden", set()
    named: set[str] = set()
    forms = _context_forms(response) if response.context else []
    for form in forms:
        if form.is_bound and form.errors:
            named |= {form.add_prefix(k) for k in form.errors}
    if status == 400 and response.context and "fields" in response.context:  # the middleware's page
        return "refused", named | set(response.context["fields"])
    messages = [m for m in get_messages(response.wsgi_request) if m.level >= ERROR]
    if named or messages or 400 <= status < 500:
        return "refused", named  # an error message names no field of the form
    if status == 302 and "/login/" in response.get("Location", ""):
        return "refused", set()
    return "accepted", set()


@dataclass
class FoundForm:
    form: Form
    who: str  # "anonymous" or a role of the matrix
    page: str
    fields: dict  # HTML name -> Django form field (from the page's context), when a Django form renders it
    route: Route


def _forms_on(route: Route, matrix) -> list[FoundForm]:
    """The post forms the page shows, to every role that may see it (each distinct form once)."""
    world, found, seen = matrix["own"], [], set()
    for who in ["anonymous", *ROLES] if route.op.action == policy.PUBLIC else ROLES:
        if who != "anonymous" and _expected(route, who, world, matrix, foreign=False) != "ok":
            continue
        user = matrix["users"].get(who)
        kwargs = _kwargs(route, world, user)
        if kwargs is None:
            continue
        url = reverse(route.name, kwargs=kwargs)
        urls = [url]
        if route.name == "registry:business_detail":
            urls += [f"{url}?tab={t.key}" for t in tabs.tabs_for("registry.business", user, world["registry.business"])]
        client = Client(raise_request_exception=False)
        if user is not None and who != "anonymous":
            client.force_login(user)
        for page in urls:
            for response in _get_in_states(route.name, page, client, world, matrix):
                if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                    continue
                parser = _FormParser(page)
                parser.feed(response.content.decode())
                fields = _form_fields(_context_forms(response))
                for form in parser.forms:
                    key = (_route_of(form.action), tuple(sorted(n for n, _a in form.text_fields())))
                    if form.text_fields() and key not in seen and not key[0].startswith("set_language"):
                        seen.add(key)
                        found.append(FoundForm(form, who, page, dict(fields), route))
    return found


def _form_limit(found: FoundForm, name: str, attrs: dict) -> int:
    declared = getattr(found.fields.get(name), "max_length", None)
    if declared:
        return declared
    if attrs.get("maxlength", "").isdigit():
        return int(attrs["maxlength"])
    return TEXT_MAX_LENGTH


def _form_case(found: FoundForm, matrix) -> list[str]:
    world, failures, links = matrix["own"], [], {}
    user = matrix["users"].get(found.who)
    action_route = _route_of(found.form.action)
    base = found.form.data()
    for name, _attrs in found.form.text_fields():  # empty text: what a person would write there
        if base.get(name) in (None, [""]) and name in GOOD:
            base[name] = [GOOD[name]]
    if found.form.buttons and action_route not in FORM_OVERRIDES:
        button, value = found.form.buttons[0]
        base[button] = [value]
    base |= FORM_OVERRIDES.get(action_route, {})

    def run(data, value):
        def go():
            client = Client(raise_request_exception=False)
            if user is not None and found.who != "anonymous":
                client.force_login(user)
            if action_route in FORM_PREPARE:
                FORM_PREPARE[action_route](world, matrix)
            live = FORM_LIVE_DATA[action_route](user, client) if action_route in FORM_LIVE_DATA else {}
            live = {k: v for k, v in live.items() if data.get(k) in (None, [""])}
            response = client.post(found.form.action, data | live)
            outcome = _outcome(response)
            if outcome[0] == "error":
                return outcome, [], []
            stored, pages = _stored(value), []
            if outcome[0] == "accepted" and value in (SCRIPT, MARKUP, FORMULA) and user is not None:
                objs = [world[label] for label in found.route.op.obj.values() if world.get(label)]
                location = response.get("Location", "")
                urls = ([location] if location.startswith("/") else []) + [found.page] + _pages_of(objs, user)
                viewers = [user] + ([matrix["users"]["admin"]] if found.who != "admin" else [])
                pages, _shown = _check_pages(list(dict.fromkeys(urls)), viewers, value, links)
            return outcome, stored, pages

        return _isolated(go)

    (kind, named), _stored_rows, _pages = run(base, None)
    if kind == "forbidden":
        return []  # shown to a user who may not send it (a read-only view of the page)
    if kind != "accepted":
        return [f"the form as the page shows it is refused ({sorted(named)!r:.300}): fix FORM_OVERRIDES"]
    for name, attrs in found.form.text_fields():
        limit = _form_limit(found, name, attrs)
        django_field = found.fields.get(name)
        for case, value in _values(limit).items():
            data = dict(base) | {name: [value]}
            (kind, named), stored, pages = run(data, value)
            label = f"{name} {case}"
            if kind == "error":
                failures.append(f"{label}: a server error")
                continue
            failures += [f"{label}: {p}" for p in _overflows(stored)]
            failures += [f"{label}: {p}" for p in pages]
            if case == "too_long" and not (kind == "refused" and name in named):
                failures.append(f"{label}: {kind}, the field is not named")
            elif case == "over_limit":
                if django_field is not None and not (kind == "refused" and name in named):
                    failures.append(f"{label}: {kind} without an error on the field")
                elif kind == "accepted":
                    whole = [n for n, _m, _c, w in stored if w]
                    failures += [f"{label}: accepted, {n} holds all {limit + 1} characters" for n in whole]
    return failures


PAGE_ROUTES = [r for r in UI_ROUTES if r.op is not None]
FORMS_OWNED_ELSEWHERE: dict[str, str] = {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route",
    [pytest.param(r, id=r.name, marks=_marks(r.name, FORMS_OWNED_ELSEWHERE)) for r in PAGE_ROUTES],
)
def test_page_forms(matrix, route):
    failures = []
    for found in _forms_on(route, matrix):
        failures += [f"{found.form.action} as {found.who}: {f}" for f in _form_case(found, matrix)]
    if failures and route.name in FORMS_OWNED_ELSEWHERE:
        raise OwnedElsewhere("\n".join(failures))
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_every_form_with_text_is_on_a_page(matrix):
    """Each form class of the apps' forms modules that takes text is shown by some page, so the walk above
    posts into it (a form only a view builds, and no page shows, would escape it)."""
    import importlib
    import inspect

    from django import forms as django_forms

    expected = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("shian."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        expected |= {
            cls
            for _name, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, BaseForm)
            and cls.__module__ == module.__name__
            and any(isinstance(f, django_forms.CharField) for f in cls.base_fields.values())
        }
    assert expected, "no forms found: the walk is broken"
    shown = set()
    world = matrix["own"]
    for route in PAGE_ROUTES:
        who = next((w for w in ROLES if _expected(route, w, world, matrix, foreign=False) == "ok"), None)
        kwargs = _kwargs(route, world, matrix["users"].get(who)) if who else None
        if kwargs is None:
            continue
        client = Client(raise_request_exception=False)
        client.force_login(matrix["users"][who])
        page = reverse(route.name, kwargs=kwargs)
        for response in _get_in_states(route.name, page, client, world, matrix):
            if response.status_code == 200 and response.context:
                shown |= {type(f) for f in _context_forms(response)}
    assert not expected - shown, f"forms no page shows: {sorted(c.__qualname__ for c in expected - shown)}"


# --- an imported file's cells: checked, quoted in the error report, never a formula ---------------
def _api_client(matrix, who: str = "admin") -> Client:
    return Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {matrix['tokens'][who]}")


def _web_client(matrix, who: str = "admin") -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(matrix["users"][who])
    return client


@pytest.mark.django_db
def test_an_import_of_bad_cells_gives_a_report_that_opens_and_computes_nothing(matrix):
    from openpyxl import load_workbook

    from shian.registry.imports import COLUMNS

    header = [c.label for c in COLUMNS]
    row = dict.fromkeys(header, "")
    row |= {
        "统一社会信用代码": FORMULA,
        # as long as a spreadsheet cell may be (a longer one refuses the whole file: core/spreadsheets.py)
        "名称": _filled(TOO_LONG)[:32_000],
        "业态": "catering",
        "地址": SCRIPT,
        "区划代码": "330203",
        "法定代表人": "@SUM(A1)",
        "联系电话": "+86 574",
    }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([header, [row[h] for h in header]])
    upload = SimpleUploadedFile("x" * 300 + ".csv", out.getvalue().encode(), content_type="text/csv")
    response = _api_client(matrix).post("/api/imports/businesses", {"file": upload})
    assert response.status_code == 422, response.content[:300]
    run = response.json()
    assert {e["column"] for e in run["errors"]} >= {"统一社会信用代码", "名称"}, run["errors"]
    client = _web_client(matrix)
    page = client.get(f"/registry/imports/{run['id']}/")
    assert page.status_code == 200 and SCRIPT not in page.content.decode()
    report = client.get(f"/registry/imports/{run['id']}/errors.xlsx")
    assert report.status_code == 200
    cells = [c for row in load_workbook(io.BytesIO(report.content)).active.iter_rows() for c in row]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert all(c.data_type != "f" for c in cells)
    assert not [t for t in texts if t.startswith(FORMULA_PREFIXES)], texts
    assert "'+86 574" in texts and any(t.startswith("'=HYPERLINK(") for t in texts)  # quoted, as written
    assert max(map(len, texts)) <= 32_767  # what a spreadsheet cell holds


# --- the middleware: absurd values refused, naming the field; a drawn signature passes ------------
@pytest.mark.django_db
def test_absurdly_long_values_are_refused_by_name_everywhere(matrix):
    from shian.core.limits import SIGNATURE_MAX_LENGTH, SIGNATURE_PREFIX

    long = _filled(REQUEST_VALUE_MAX_LENGTH + 1)
    api_client, web_client = _api_client(matrix), _web_client(matrix)
    business = matrix["own"]["registry.business"]

    def refused(response, *fields):
        assert response.status_code == 400, response.status_code
        return [d["loc"] for d in response.json()["detail"]] == [["request", f] for f in fields]

    patch = json.dumps({"name": "x", "legal_representative": long})
    assert refused(
        api_client.patch(f"/api/businesses/{business.pk}", patch, "application/json"), "legal_representative"
    )
    close = json.dumps({"summary": "x", "results": [{"note": long}]})
    assert refused(api_client.post("/api/inspections/1/close", close, "application/json"), "results[0].note")
    page = web_client.post("/registry/businesses/new/", {"name": long, "address": "x"})
    assert page.status_code == 400 and "name" in page.content.decode() and "50,000" in page.content.decode()
    assert web_client.get("/registry/businesses/", {"q": long}).status_code == 400
    # a signature's data URL may be longer (core.files checks what it holds), up to its own limit
    signature = SIGNATURE_PREFIX + "A" * (REQUEST_VALUE_MAX_LENGTH + 10)
    page = web_client.post("/registry/businesses/new/", {"inspector_signature": signature})
    assert page.status_code == 200  # the form again, with its own errors: not refused by the middleware
    page = web_client.post("/registry/businesses/new/", {"sig": signature + "A" * SIGNATURE_MAX_LENGTH})
    assert page.status_code == 400
