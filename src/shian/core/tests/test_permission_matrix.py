"""The generated permission matrix: every URL pattern and every API operation, for every role, on an
object of the user's own area and on one of another district, with junk ids too.

Nothing here lists routes by hand. Routes come from Django's resolver and the OpenAPI schema; what
each one does comes from its ``@operation`` declaration (core.policy). A route without a declaration
fails ``test_every_route_and_operation_is_declared``, so a new module's pages and API are classified
(and then tested here) the day they are added. Expected answers:

- a role without the grant: 403 (before any object is looked up, so nothing is disclosed);
- an object outside the user's scope (another district, another business): 404;
- an object rule that fails (only the assigned official records a visit): 403;
- otherwise anything but 401/403/404 and never a 5xx;
- a refused write changed nothing (the targeted objects and the row counts are as before);
- a junk or unknown id: 404 (or 403 without the grant), never a 5xx; junk query parameters: never a 5xx.

Each request runs in a savepoint that is rolled back, so every request sees the same world.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from shian.api import api
from shian.core import policy
from shian.core.audit import snapshot
from shian.core.choices import Role
from shian.core.services import api_token_create
from shian.core.tests.factories import UserFactory, make_city
from shian.registry.tests.factories import BusinessFactory, LicenceFactory, StaffFactory

ROLES = [
    *("admin", "haishu", "jiangbei", "street", "inspector", "shop", "canteen", "public", "lab", "insurer"),
    *("sysadmin", "secadmin", "auditadmin"),  # 三员
]
CITY_WIDE_ROLES = {"admin", "sysadmin", "secadmin", "auditadmin"}  # see the other district too
THIRD_PARTY = ("django.views.i18n",)  # Django's own language switch
JUNK_ID = 987654321
JUNK_QUERY = "?page=x&region=x&inspector=abc&month=x&grade=x&state=x&year=x&date=x&kind=x&tab=x&status=x&q=%00"


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"\x00\xff\x00\x00"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PNG = _png()


# --- the world: the same set of objects in the users' own area and in another district -----------
def _world(region, district, users, tag):
    from shian.hazards import services as hazard_services
    from shian.inspections import services as inspection_services
    from shian.inspections.models import InspectionPlan, PlannedVisit
    from shian.oversight import services as oversight_services
    from shian.oversight.models import Level
    from shian.registry.models import ImportRun
    from shian.selfchecks.models import Kind, SelfCheck
    from shian.supervision import services as supervision_services

    business = BusinessFactory(region=region, name=f"矩阵{tag}店", type="catering")
    licence = LicenceFactory(business=business)
    staff = StaffFactory(business=business)
    hazard = hazard_services.hazard_create(actor=None, business=business, title=f"矩阵{tag}隐患")
    inspector = users["inspector"] if tag.startswith("own") else users["jiangbei_inspector"]
    inspection = inspection_services.inspection_start(actor=inspector, business=business)
    item_id = inspection.results.values_list("item_id", flat=True).first()
    inspection = inspection_services.inspection_record(
        actor=inspector,
        inspection=inspection,
        results={},
        photos={item_id: [SimpleUploadedFile("p.png", PNG, content_type="image/png")]},
    )
    from django.core.files.base import ContentFile

    inspection.inspector_signature.save("sig.png", ContentFile(PNG))  # the signature route has a file
    hazard = hazard_services.hazard_transition(actor=users["admin"], hazard=hazard, action="order")
    evidence = hazard_services.evidence_add(
        actor=users["admin"], hazard=hazard, upload=SimpleUploadedFile("e.png", PNG, content_type="image/png"), note=""
    )
    from shian.supervision.models import RiskRuleSet

    plan, _ = InspectionPlan.objects.get_or_create(
        region=district,
        year=timezone.localdate().year,
        defaults={"random_share": 0.2, "seed": 1, "rule_set": RiskRuleSet.objects.get(active=True)},
    )
    PlannedVisit.objects.create(
        plan=plan,
        business=business,
        inspector=inspector,
        kind="routine",
        window_start=timezone.localdate().replace(day=1),
        due_on=timezone.localdate().replace(day=28),
        planned_on=timezone.localdate(),
    )
    official = users["street"] if tag.startswith("own") else users["jiangbei_street"]
    assignment = oversight_services.assignment_create(
        actor=None, official=official, business=business, level=Level.STREET
    )
    SelfCheck.objects.create(business=business, kind=Kind.DAILY, period_start=timezone.localdate())
    run = ImportRun.objects.create(filename="x.csv", status="failed", region=district, errors=[])
    supervision_services.grades_recompute(trigger="test")
    from shian.core.models import Job
    from shian.inspections.models import ItemPhoto

    job = Job.objects.create(
        kind="registry.import",
        label=f"矩阵{tag}任务",
        state="succeeded",
        region=district,
        region_path=business.region_path,
        business_id=business.pk,
        fingerprint=f"matrix-{tag}",
    )

    return {
        "registry.business": business,
        "registry.licence": licence,
        "registry.staff": staff,
        "registry.importrun": run,
        "hazards.hazard": hazard,
        "hazards.evidence": evidence,
        "inspections.inspection": inspection,
        "inspections.itemphoto": ItemPhoto.objects.filter(result__inspection=inspection).first(),
        "inspections.checklistitem": inspection.results.first().item,
        "inspections.inspectionplan": plan,
        "oversight.assignment": assignment,
        "core.region": district,
        "core.user": official,
        "core.job": job,
        # the same account, as the administrators (三员) see it
        "accounts.account": apps.get_model("accounts", "Account").objects.get(pk=official.pk),
    }


@pytest.fixture(autouse=True)
def _media_root():
    """The world's files live in the module's folder (below), not in each test's own."""


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world is built once for the module, in a transaction rolled back at its end; each test runs
    in a savepoint inside it (pytest-django), and each request in a savepoint of its own."""
    from django.test.utils import override_settings

    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("matrix-media"), TASKS=immediate),
        transaction.atomic(),
    ):
        _BEFORE.clear()
        yield _build(make_city())
        transaction.set_rollback(True)
    _BEFORE.clear()


def _build(city):
    from shian.supervision.models import StaticFactor

    users = {
        "admin": UserFactory(username="m-admin", role=Role.CITY_ADMIN, region=city["city"]),
        "haishu": UserFactory(username="m-haishu", role=Role.DISTRICT_REGULATOR, region=city["haishu"]),
        "jiangbei": UserFactory(username="m-jiangbei", role=Role.DISTRICT_REGULATOR, region=city["jiangbei"]),
        "street": UserFactory(username="m-street", role=Role.STREET_OFFICER, region=city["haishu_street"]),
        "inspector": UserFactory(username="m-inspector", role=Role.INSPECTOR, region=city["haishu"]),
        "jiangbei_street": UserFactory(
            username="m-jb-street", role=Role.STREET_OFFICER, region=city["jiangbei_street"]
        ),
        "jiangbei_inspector": UserFactory(username="m-jb-inspector", role=Role.INSPECTOR, region=city["jiangbei"]),
        "public": UserFactory(username="m-public", role=Role.PUBLIC),
        "lab": UserFactory(username="m-lab", role=Role.LABORATORY),
        "insurer": UserFactory(username="m-insurer", role=Role.INSURER),
        "sysadmin": UserFactory(username="m-sysadmin", role=Role.SYSTEM_ADMIN, region=city["city"]),
        "secadmin": UserFactory(username="m-secadmin", role=Role.SECURITY_ADMIN, region=city["city"]),
        "auditadmin": UserFactory(username="m-auditadmin", role=Role.AUDIT_ADMIN, region=city["city"]),
    }
    own = _world(city["haishu_street"], city["haishu"], users, "own")
    foreign = _world(city["jiangbei_street"], city["jiangbei"], users, "foreign")
    users["shop"] = UserFactory(username="m-shop", role=Role.BUSINESS_STAFF, business=own["registry.business"])
    users["canteen"] = UserFactory(username="m-canteen", role=Role.CANTEEN_MANAGER, business=own["registry.business"])
    tokens = {}
    for name in ROLES:
        token, key = api_token_create(user=users[name], name="matrix")
        tokens[name] = key
    own["core.apitoken"] = None  # per user, below
    config = {
        "supervision.staticfactor": StaticFactor.objects.first(),
        "registry.staffingrule": apps.get_model("registry", "StaffingRule").objects.first(),
        "supervision.riskruleset": apps.get_model("supervision", "RiskRuleSet").objects.first(),
    }
    own.update(config)
    foreign.update(config)
    assert set(own) == WORLD_KINDS, set(own) ^ WORLD_KINDS
    return {"users": users, "own": own, "foreign": foreign, "tokens": tokens, "city": city}


# --- the routes ---------------------------------------------------------------------------------
@dataclass
class Route:
    name: str  # "namespace:name", or "METHOD /api/path"
    op: policy.Operation | None
    kwargs: tuple[str, ...]
    api_path: str = ""
    method: str = "GET"
    body_schema: dict | None = None
    multipart: bool = False
    module: str = ""


def _ui_routes() -> list[Route]:
    out = []

    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.pattern.describe().startswith("'api/"):
                    continue
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern):
                out.append(
                    Route(
                        name=f"{namespace}{p.name}",
                        op=policy.declared_operation(p.callback),
                        kwargs=tuple(p.pattern.converters),
                        module=getattr(p.callback, "__module__", ""),
                    )
                )

    walk(get_resolver().url_patterns)
    return [r for r in out if not r.module.startswith(THIRD_PARTY)]


def _api_routes() -> list[Route]:
    schema = api.get_openapi_schema()
    out = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                full = "/api" + (prefix.rstrip("/") + path if prefix not in ("", "/") else path)
                for method in operation.methods:
                    spec = schema["paths"].get(full, {}).get(method.lower(), {})
                    content = (spec.get("requestBody") or {}).get("content", {})
                    body = content.get("application/json", {}).get("schema")
                    out.append(
                        Route(
                            name=f"{method} {full}",
                            op=policy.declared_operation(operation.view_func),
                            kwargs=tuple(re.findall(r"{(\w+)}", full)),
                            api_path=full,
                            method=method,
                            body_schema=_resolve(schema, body) if body else None,
                            multipart="multipart/form-data" in content,
                        )
                    )
    return out


def _resolve(schema, node):
    if isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return _resolve(schema, schema["components"]["schemas"][name])
    if isinstance(node, dict):
        return {k: _resolve(schema, v) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(schema, v) for v in node]
    return node


UI_ROUTES = _ui_routes()
API_ROUTES = _api_routes()


# the kinds of object the world below holds; a route naming any other kind fails the declaration test
# until its module adds a builder for it to ``_world`` (so no new route is skipped silently)
WORLD_KINDS = {
    "registry.business",
    "registry.licence",
    "registry.staff",
    "registry.importrun",
    "hazards.hazard",
    "hazards.evidence",
    "inspections.inspection",
    "inspections.itemphoto",
    "inspections.checklistitem",
    "inspections.inspectionplan",
    "oversight.assignment",
    "core.region",
    "core.user",
    "accounts.account",
    "core.apitoken",
    "core.job",
    "supervision.staticfactor",
    "registry.staffingrule",
    "supervision.riskruleset",
}


def test_every_route_and_operation_is_declared():
    missing = [r.name for r in UI_ROUTES + API_ROUTES if r.op is None]
    assert not missing, f"declare these with @operation (core.policy): {missing}"
    for r in UI_ROUTES + API_ROUTES:
        refs = set(r.op.obj) | set(r.op.body)
        for kwarg in r.kwargs:
            assert kwarg in refs or kwarg in EXTRA_KWARGS, f"{r.name}: say which object '{kwarg}' names (obj=…)"
        for label in {**r.op.obj, **r.op.body}.values():
            assert label in WORLD_KINDS, f"{r.name} acts on {label}: add one to the matrix world (_world)"
    # the schema and the routers agree: no operation escapes the walk
    schema_ops = {(m.upper(), p) for p, ops in api.get_openapi_schema()["paths"].items() for m in ops}
    assert schema_ops == {(r.method, r.api_path) for r in API_ROUTES}


# --- what to send -------------------------------------------------------------------------------
EXTRA_KWARGS = {"key": "audit", "tab": "profile", "kind": "photo", "table": "static"}


def _kwargs(route: Route, world: dict, user, junk: bool = False) -> dict | None:
    kwargs = {}
    for name in route.kwargs:
        label = route.op.obj.get(name)
        if label:
            obj = world.get(label)
            if label == "core.apitoken":
                obj = user.api_tokens.first() if user is not None else None
            if obj is None:
                return None
            kwargs[name] = JUNK_ID if junk else obj.pk
        elif name == "kind":
            kwargs[name] = "photo" if "file_pk" in route.kwargs else "inspector"
        else:
            kwargs[name] = EXTRA_KWARGS[name]
    return kwargs


def _value(prop):
    kind = prop.get("type") or next((a.get("type") for a in prop.get("anyOf", []) if a.get("type") != "null"), None)
    if "enum" in prop:
        return prop["enum"][0]
    if "anyOf" in prop:
        for alt in prop["anyOf"]:
            if "enum" in alt:
                return alt["enum"][0]
    if kind == "integer":
        return 1
    if kind == "number":
        return 0.2
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return {}
    fmt = prop.get("format") or next((a.get("format") for a in prop.get("anyOf", []) if a.get("format")), None)
    if fmt == "date":
        return timezone.localdate().isoformat()
    if fmt == "date-time":
        return timezone.now().isoformat()
    return "x"


def _body(route: Route, world: dict) -> dict | None:
    if route.body_schema is None:
        return None
    body = {}
    props = route.body_schema.get("properties", {})
    for name in route.body_schema.get("required", []):
        label = route.op.body.get(name)
        body[name] = world[label].pk if label else _value(props[name])
    for name, label in route.op.body.items():
        body[name] = world[label].pk
    if route.api_path.endswith("/plans"):
        body["year"] = timezone.localdate().year
    return body


def _call(route: Route, world: dict, who: str, matrix, junk=False, query=""):
    user = matrix["users"].get(who)
    kwargs = _kwargs(route, world, user, junk=junk)
    if kwargs is None:
        return None
    if route.api_path:
        path = route.api_path
        for k, v in kwargs.items():
            path = path.replace("{" + k + "}", str(v))
        client = Client(HTTP_AUTHORIZATION=f"Bearer {matrix['tokens'][who]}") if who != "anonymous" else Client()
        method = route.method.lower()
        if route.multipart:
            data = {"file": SimpleUploadedFile("f.png", PNG, content_type="image/png")}
            if "imports" in path:
                data = {"file": SimpleUploadedFile("f.csv", "名称\n".encode(), content_type="text/csv")}
            return getattr(client, method)(path + query, data)
        body = _body(route, world)
        if body is None:
            return getattr(client, method)(path + query)
        return getattr(client, method)(path + query, body, content_type="application/json")
    client = Client()
    if who != "anonymous":
        client.force_login(user)
    path = reverse(route.name, kwargs=kwargs) + query
    return client.post(path, {}) if route.method == "POST" else client.get(path)


def _state(world: dict) -> dict:
    """What a refused write must leave untouched: the objects of the world and every row count (one
    query for all the counts)."""
    objs = {k: snapshot(type(v).objects.get(pk=v.pk)) for k, v in world.items() if hasattr(v, "_meta")}
    for values in objs.values():
        values.pop("last_login", None)  # logging in is not a write of the request under test
    ours = [
        m
        for m in apps.get_models()
        # the audit log and the request counters (rate limits, sign-in throttles) record every request
        if m._meta.app_config.name.startswith("shian.")
        and m._meta.label not in {"core.AuditEntry", "accounts.RateCounter", "accounts.LoginThrottle"}
    ]
    qn = connection.ops.quote_name
    # table names from the models, quoted: no input reaches this statement
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {qn(m._meta.db_table)})" for m in ours)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return {"objects": objs, "counts": dict(zip([m._meta.label for m in ours], row, strict=True))}


_BEFORE: dict[int, dict] = {}


def _state_before(world: dict) -> dict:
    """Every request starts from the same world (savepoints), so its state is taken once per test."""
    key = id(world)
    if key not in _BEFORE:
        _BEFORE[key] = _state(world)
    return _BEFORE[key]


def _isolated(fn):
    """Run a request in a savepoint that is rolled back: every request sees the same world."""
    with transaction.atomic():
        result = fn()
        transaction.set_rollback(True)
    return result


def _expected(route: Route, who: str, world: dict, matrix, foreign: bool) -> str:
    """'403', '404' or 'ok' (anything but 401/403/404 and 5xx)."""
    op = route.op
    user = matrix["users"][who]
    if op.action in (policy.PUBLIC, policy.SIGNED_IN):
        return "ok"
    if not policy.role_may(user, op.action, op.model):
        return "403"
    refs = {**op.obj, **op.body}
    for name, label in refs.items():
        obj = world.get(label) if label != "core.apitoken" else user.api_tokens.first()
        if obj is None or getattr(type(obj), "scope_city_wide", False):
            continue
        if not type(obj).objects.restrict(user, policy.VIEW).filter(pk=obj.pk).exists():
            return "404" if name in op.obj else "404-or-422"
        if foreign and who not in CITY_WIDE_ROLES and label != "core.apitoken":
            raise AssertionError(f"{who} can see the other district's {label}: the scope leaks")
    target = next((world[label] for label in refs.values() if label == op.model and world.get(label)), None)
    if target is not None and not policy.may(user, op.action, target):
        return "403"
    return "ok"


def _acceptable(want: str, status: int, route: Route) -> bool:
    if status >= 500:
        return False
    if route.op.action == policy.PUBLIC:
        return True  # the login form and the token endpoint answer 401 to a wrong password
    get_of_post_only = status == 405 and route.method == "GET" and not route.api_path
    if want == "403":
        return status == 403 or get_of_post_only
    if want == "404":
        return status == 404 or get_of_post_only
    if want == "404-or-422":  # an id sent in a body: "not found in your area", same as a missing one
        return status in (404, 422)
    return status not in (401, 403, 404)


def _check(route, who, world, matrix, foreign, failures):
    before = _state_before(world) if route.op.write else None

    def run():
        response = _call(route, world, who, matrix)
        after = (
            _state(world) if (route.op.write and response is not None and response.status_code in (403, 404)) else None
        )
        return response, after

    response, after = _isolated(run)
    if response is None:  # no object of a kind the route names: the route would go untested
        failures.append(f"{route.name} as {who}: the matrix world has no object for {route.op.obj}")
        return
    status = response.status_code
    want = _expected(route, who, world, matrix, foreign)
    label = f"{route.name} as {who} on {'foreign' if foreign else 'own'}: {status}, want {want}"
    if not _acceptable(want, status, route):
        failures.append(label)
    if after is not None and before != after:
        changed = [k for k in before["objects"] if before["objects"][k] != after["objects"].get(k)]
        changed += [k for k in before["counts"] if before["counts"][k] != after["counts"][k]]
        failures.append(f"{label}: refused, but changed {changed}")


def _routes_for_ui():
    out = []
    for r in UI_ROUTES:
        if r.op is None:
            continue
        out.append(Route(r.name, r.op, r.kwargs, method="GET", module=r.module))
        if r.op.write:
            out.append(Route(r.name, r.op, r.kwargs, method="POST", module=r.module))
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("who", ROLES)
def test_ui_matrix(matrix, who):
    failures = []
    for route in _routes_for_ui():
        for foreign in (False, True):
            world = _world_for(matrix, who, foreign)
            _check(route, who, world, matrix, foreign, failures)
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ROLES)
def test_api_matrix(matrix, who):
    failures = []
    for route in API_ROUTES:
        if route.op is None:
            continue
        for foreign in (False, True):
            world = _world_for(matrix, who, foreign)
            _check(route, who, world, matrix, foreign, failures)
    assert not failures, "\n".join(failures)


def _world_for(matrix, who: str, foreign: bool) -> dict:
    """The objects in the user's own area, or in the other district (for jiangbei: the other way)."""
    home = "foreign" if who == "jiangbei" else "own"
    away = "own" if who == "jiangbei" else "foreign"
    return matrix[away if foreign else home]


@pytest.mark.django_db
def test_anonymous_is_sent_to_login_or_refused(matrix):
    failures = []
    for route in _routes_for_ui() + API_ROUTES:
        if route.op is None or route.op.action == policy.PUBLIC:
            continue
        response = _isolated(lambda route=route: _call(route, matrix["own"], "anonymous", matrix))
        if response is None:
            continue
        ok = response.status_code in (401, 403) if route.api_path else response.status_code in (302, 403, 405)
        if response.status_code == 302 and "/login/" not in response["Location"]:
            ok = False
        if not ok:
            failures.append(f"{route.name}: {response.status_code}")
    assert not failures, failures


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["admin", "haishu", "shop"])
def test_junk_ids_and_parameters_never_crash(matrix, who):
    failures = []
    for route in _routes_for_ui() + API_ROUTES:
        if route.op is None:
            continue
        if route.kwargs and any(k in route.op.obj for k in route.kwargs):
            response = _isolated(lambda route=route: _call(route, matrix["own"], who, matrix, junk=True))
            if response is not None and response.status_code not in (403, 404, 405):
                failures.append(f"{route.name} junk id as {who}: {response.status_code}")
        if route.method == "GET":
            response = _isolated(lambda route=route: _call(route, matrix["own"], who, matrix, query=JUNK_QUERY))
            if response is not None and response.status_code >= 500:
                failures.append(f"{route.name} junk query as {who}: {response.status_code}")
    assert not failures, "\n".join(failures)


# --- query-count guards ---------------------------------------------------------------------------
def _list_pages():
    return [
        r
        for r in _routes_for_ui()
        if r.method == "GET" and not r.kwargs and r.op.action in (policy.VIEW, policy.SIGNED_IN)
    ]


@pytest.mark.django_db
def test_list_pages_and_dashboard_do_not_query_per_row(matrix):
    """The same page with more rows must not take more queries (no N+1): measured as the city
    administrator with one business per district, then with five more per district."""
    admin = matrix["users"]["admin"]
    client = Client()
    client.force_login(admin)
    pages = _list_pages()
    assert any(r.name == "core:dashboard" for r in pages)

    def counts():
        out = {}
        for r in pages:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(reverse(r.name))
            assert response.status_code < 400, r.name
            out[r.name] = len(ctx.captured_queries)
        return out

    before = counts()
    users = {"inspector": matrix["users"]["inspector"], "street": matrix["users"]["street"], "admin": admin}
    users.update(
        jiangbei_inspector=matrix["users"]["jiangbei_inspector"], jiangbei_street=matrix["users"]["jiangbei_street"]
    )
    city = matrix["city"]
    for i in range(5):
        _world(city["haishu_street"], city["haishu"], users, f"own{i}")
        _world(city["jiangbei_street"], city["jiangbei"], users, f"foreign{i}")
    after = counts()
    grew = {name: (before[name], after[name]) for name in before if after[name] > before[name]}
    assert not grew, f"query count grows with rows (before, after): {grew}"


def test_matrix_covers_every_app():
    declared_models = {r.op.model.split(".")[0] for r in UI_ROUTES + API_ROUTES if r.op and r.op.model}
    ours = {a.label for a in apps.get_app_configs() if a.name.startswith("shian.")}
    assert ours <= declared_models | {"core"}, ours - declared_models
