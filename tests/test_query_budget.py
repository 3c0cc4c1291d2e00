"""A query budget for every page: the tiny demo city, crawled as every demo login with Django's test client
(the crawl of the page-speed benchmark, shian.core.crawl: it follows links, so new pages are found the day
they are linked), and each page kind's database queries held to its budget in tests/query_budgets.json
(one set per database: SQLite and PostgreSQL count a few queries differently).

Query counts are stable where times are not, so this is the part of the page-speed benchmark that runs in
`make test`. A page over its budget fails with the page, the login and its SQL; a page kind without a
budget fails too, so that every new page gets one. After a deliberate change, regenerate the file:

    SHIAN_UPDATE_QUERY_BUDGETS=1 .venv/bin/pytest -q -p no:randomly tests/test_query_budget.py

A budget is the most queries seen for that kind across the logins, plus a little headroom (BUDGET_SLACK)
for the demo's date-dependent rows; a per-row query (N+1) on a list exceeds it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from shian.core.crawl import Response, crawl, django_route_writes, links, page_kind, same_origin_path

BUDGETS = Path(__file__).with_name("query_budgets.json")
UPDATE = os.environ.get("SHIAN_UPDATE_QUERY_BUDGETS", "").strip().lower() in {"1", "true", "yes", "on"}
BUSINESSES = 300  # the tiny demo city
PER_KIND = 1
MAX_PAGES = 120  # per login
SHOWN_SQL = 60  # queries printed when a page is over its budget

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("query_budget")]


def budget_for(observed: int) -> int:
    """BUDGET_SLACK: two queries, or a tenth, whichever is more."""
    return observed + max(2, observed // 10)


@pytest.fixture(autouse=True)
def _media_root():
    """The demo's files live in the module's folder (below), not in each test's own."""


@pytest.fixture(scope="module")
def crawled(django_db_setup, django_db_blocker, tmp_path_factory):
    """The tiny demo city, generated once in a transaction rolled back at the end, crawled as every demo
    login. Returns {login: CrawlResult}."""
    from shian.core.models import User

    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("budget-media"), TASKS=immediate),
        transaction.atomic(),
    ):
        call_command("demo", businesses=BUSINESSES, no_progress=True)
        logins = [u for u in User.objects.order_by("pk") if u.has_usable_password()]
        results = {user.username: crawl_as(user) for user in logins}
        yield results
        transaction.set_rollback(True)


def crawl_as(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)

    def fetch(path: str, htmx: bool) -> Response:
        headers = {"HX-Request": "true"} if htmx else {}
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, headers=headers)
        content_type = response.get("Content-Type", "")
        is_html = "html" in content_type and not getattr(response, "streaming", False)
        return Response(
            status=response.status_code,
            content_type=content_type,
            body=response.content.decode("utf-8", "replace") if is_html else "",
            queries=len(captured.captured_queries),
            sql=[q["sql"] for q in captured.captured_queries],
        )

    return crawl(fetch, per_kind=PER_KIND, max_pages=MAX_PAGES)


def observed_counts(crawled) -> dict[str, tuple[int, str, object]]:
    """page kind → (most queries, the login, the page) across every login."""
    out: dict[str, tuple[int, str, object]] = {}
    for login, result in crawled.items():
        for page in result.pages:
            if page.kind not in out or page.queries > out[page.kind][0]:
                out[page.kind] = (page.queries, login, page)
    return out


def test_the_crawl_reaches_the_main_pages(crawled):
    """The crawl itself works: every login gets past the dashboard, and a regulator reaches a list with and
    without search, an object page with its tabs, the plans and My day."""
    for login, result in crawled.items():
        assert result.pages and result.pages[0].url == "/", f"{login}: the dashboard did not answer"
    kinds = {page.kind for page in crawled["haishu"].pages}
    expected = {
        "/",
        "/registry/businesses/",
        "/registry/businesses/{id}/",
        "/inspections/plans/",
        "/inspections/plans/day/",
    }
    assert expected <= kinds, expected - kinds
    list_queries = [
        set(kind.partition("?")[2].split("&")) for kind in kinds if kind.startswith("/registry/businesses/?")
    ]
    assert any("q" in keys for keys in list_queries), "the business list was not searched"
    assert any({"status", "type"} <= keys for keys in list_queries), "the business list was not filtered"
    tabs = [kind for kind in kinds if kind.startswith("/registry/businesses/{id}/tabs/")]
    assert len(tabs) >= 5, tabs


def test_no_crawled_page_fails(crawled):
    """A link a person is shown never leads to a server error."""
    broken = [
        f"{login}: {page.url} answered {page.status} (linked from {page.source})"
        for login, result in crawled.items()
        for page in result.other
        if page.status >= 500
    ]
    assert not broken, "\n".join(broken)


def test_every_page_is_within_its_query_budget(crawled):
    observed = observed_counts(crawled)
    vendor = connection.vendor  # counts differ a little by database (PostgreSQL's estimated list counts)
    every = json.loads(BUDGETS.read_text()) if BUDGETS.exists() else {}
    if UPDATE:
        every[vendor] = {kind: budget_for(count) for kind, (count, _login, _page) in sorted(observed.items())}
        BUDGETS.write_text(json.dumps(every, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
        return
    budgets = every.get(vendor, {})
    missing = sorted(kind for kind in observed if kind not in budgets)
    over: dict[str, list[tuple[object, str]]] = {}
    for login, result in crawled.items():
        for page in result.pages:
            budget = budgets.get(page.kind)
            if budget is not None and page.queries > budget:
                over.setdefault(page.kind, []).append((page, login))
    messages = []
    for kind, pages in over.items():  # the worst login's queries; the others by name
        page, login = max(pages, key=lambda p: p[0].queries)
        others = ", ".join(f"{name} {p.queries}" for p, name in pages if name != login)
        sql = "\n".join(f"    {i + 1}. {q[:300]}" for i, q in enumerate(page.sql[:SHOWN_SQL]))
        more = f"\n    … and {len(page.sql) - SHOWN_SQL} more" if len(page.sql) > SHOWN_SQL else ""
        messages.append(
            f"{kind}: {page.queries} queries as {login} ({page.url}), budget {budgets[kind]}"
            + (f" (also over: {others})" if others else "")
            + f". Its queries:\n{sql}{more}"
        )
    if missing:
        messages.append(
            "page kinds without a query budget (new pages?): "
            + ", ".join(f"{kind} ({observed[kind][0]} queries as {observed[kind][1]})" for kind in missing)
            + f"\nadd them to {BUDGETS.name} ({vendor}): SHIAN_UPDATE_QUERY_BUDGETS=1 .venv/bin/pytest -q "
            "-p no:randomly tests/test_query_budget.py (with SHIAN_DATABASE_URL for PostgreSQL's)"
        )
    assert not messages, "\n\n".join(messages)


# --- the crawl's parts, on hand-written pages -------------------------------------------------------
def test_page_kind_replaces_ids_and_keeps_only_query_names():
    assert page_kind("/registry/businesses/12/") == "/registry/businesses/{id}/"
    assert page_kind("/registry/businesses/?status=operating&q=饺子&page=2") == "/registry/businesses/?page&q&status"
    assert page_kind("/registry/businesses/7/?tab=staff") == "/registry/businesses/{id}/?tab=staff"
    assert page_kind("/registry/businesses/7/tabs/staff/") == "/registry/businesses/{id}/tabs/staff/"


def test_links_follow_anchors_htmx_and_get_forms_but_not_post_forms():
    html = """
    <a href="/hazards/">h</a> <a href="?page=2">next</a> <a href="https://example.com/x">away</a>
    <a href="#top">top</a> <a href="mailto:a@b.c">mail</a>
    <div hx-get="/registry/businesses/5/tabs/staff/" hx-target="#t"></div>
    <form method="get" hx-get="/registry/businesses/"><input type="search" name="q">
      <select name="type"><option value="">All</option><option value="restaurant">R</option></select>
      <input type="hidden" name="sort" value="name"><button>go</button></form>
    <form method="post" action="/logout/"><input name="csrfmiddlewaretoken" value="x"></form>
    """
    found = links(html, "/registry/businesses/", search="饺子")
    assert ("/hazards/", False) in found
    assert ("/registry/businesses/?page=2", False) in found
    assert ("/registry/businesses/5/tabs/staff/", True) in found
    assert ("/registry/businesses/?sort=name&q=%E9%A5%BA%E5%AD%90", False) in found
    assert ("/registry/businesses/?sort=name&type=restaurant", False) in found
    assert not [path for path, _htmx in found if "example.com" in path or "logout" in path or "mail" in path]
    assert same_origin_path("http://127.0.0.1:8170/x/", "/", origin="http://127.0.0.1:8170") == "/x/"


def test_crawl_keeps_the_first_of_each_kind_and_skips_downloads_writes_and_logout():
    site = {
        "/": '<a href="/b/1/">1</a><a href="/b/2/">2</a><a href="/b/3/">3</a><a href="/b/export.xlsx">x</a>'
        '<a href="/b/?format=xlsx">x</a><a href="/b/1/edit/">e</a><a href="/logout/">out</a><a href="/gone/">g</a>',
        "/b/1/": '<a href="/">home</a>',
        "/b/2/": "",
    }
    asked = []

    def fetch(path, htmx):
        asked.append(path)
        if path not in site:
            return Response(status=404, content_type="text/html", body="")
        return Response(status=200, content_type="text/html; charset=utf-8", body=site[path])

    result = crawl(fetch, per_kind=2, writes=lambda path: path.endswith("/edit/"))
    assert asked == ["/", "/b/1/", "/b/2/", "/gone/"]
    assert [p.kind for p in result.pages] == ["/", "/b/{id}/", "/b/{id}/"]
    assert [p.url for p in result.other] == ["/gone/"]
    assert result.downloads == ["/b/export.xlsx", "/b/?format=xlsx"]
    assert result.skipped_writes == ["/b/1/edit/"]


def test_route_check_reads_the_declared_operation():
    assert django_route_writes("/registry/businesses/1/edit/")
    assert django_route_writes("/no/such/page/")  # unknown: not followed
    assert not django_route_writes("/registry/businesses/1/")
    assert not django_route_writes("/registry/businesses/?q=x")


def test_query_count_header_only_when_switched_on(web):
    """No regions needed (the demo city of the tests above may be there in the same transaction)."""
    from shian.core.choices import Role
    from shian.core.querycount import HEADER
    from shian.core.tests.factories import UserFactory

    user = UserFactory(username="querycount-public", role=Role.PUBLIC)
    middleware = ["shian.core.querycount.QueryCountMiddleware", *settings.MIDDLEWARE]
    with override_settings(MIDDLEWARE=middleware, QUERY_COUNT_HEADER=False):
        assert HEADER not in web(user).get("/account/")
    with override_settings(MIDDLEWARE=middleware, QUERY_COUNT_HEADER=True):
        client = web(user)
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/account/")
        assert response.status_code == 200
        assert int(response[HEADER]) == len(captured.captured_queries) > 0
