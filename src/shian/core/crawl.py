"""Follow a signed-in person's links, the way they would click through the site: the page crawl shared by
the page-speed benchmark (benchmarks/bench_pages.py, over HTTP against the production server) and the
per-page query budget test (tests/test_query_budget.py, in-process with Django's test client).

Nothing here lists pages. From ``/`` it visits, breadth first, every same-origin GET target it finds:
``<a href>``, HTMX ``hx-get``, and each GET form submitted twice (once with only its search box filled in,
once with every drop-down set to its first real option), so lists are seen with and without filters and
search. A URL's *kind* is its path with ids replaced by ``{id}`` plus the sorted names of its query
parameters (``/registry/businesses/{id}/?tab=licences``; the value of ``tab`` is kept, since each tab is
a page of its own). Up to ``per_kind`` URLs of each kind are kept: the first object of each kind reached.

Skipped without a request: other origins, static and media files, the API (bearer tokens; its own
benchmarks), logout, downloads by their extension (listed, not timed), and routes whose declared
operation writes (core.policy ``write=True``: forms, actions, reveals), when a route check is given.
A response that is not HTML is a download too. This module imports Django only inside
:func:`django_route_writes`, so a benchmark can use it before Django is configured."""

from __future__ import annotations

import re
import urllib.parse
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

DOWNLOAD_EXTENSIONS = (".xlsx", ".xls", ".pdf", ".csv", ".zip", ".docx", ".png", ".jpg", ".jpeg", ".gif", ".webp")
SKIPPED_PREFIXES = ("/static/", "/media/", "/api/", "/logout/", "/i18n/", "/sw.js", "/favicon")
KIND_VALUE_KEYS = frozenset({"tab"})  # a query parameter whose value selects a different page, not a filter
_ID = re.compile(r"^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", re.IGNORECASE)
SEARCH_NAMES = frozenset({"q", "search", "query"})


@dataclass
class Response:
    status: int
    content_type: str
    body: str
    queries: int | None = None  # database queries of the request, when the fetcher knows them
    sql: list[str] = field(default_factory=list)  # their text (in-process only)


@dataclass
class Page:
    url: str
    kind: str
    htmx: bool  # reached through hx-get: requested as HTMX does (HX-Request header)
    source: str  # the page that linked it
    status: int = 0
    content_type: str = ""
    queries: int | None = None
    sql: list[str] = field(default_factory=list)


@dataclass
class CrawlResult:
    pages: list[Page]  # fetched HTML pages that answered 200, in the order reached
    other: list[Page]  # fetched, but did not answer 200 (redirects, refusals, errors)
    downloads: list[str]  # download links (by extension: not fetched; else fetched once, not HTML)
    skipped_writes: list[str]  # links to routes that write (not fetched)
    capped: int  # links left unfetched because the page cap was reached


def page_kind(url: str) -> str:
    """``/registry/businesses/12/?tab=staff&page=2`` → ``/registry/businesses/{id}/?page&tab=staff``."""
    parts = urllib.parse.urlsplit(url)
    path = "/".join("{id}" if _ID.match(segment) else segment for segment in parts.path.split("/"))
    keys = []
    for key, value in sorted(urllib.parse.parse_qsl(parts.query, keep_blank_values=True)):
        item = f"{key}={value}" if key in KIND_VALUE_KEYS else key
        if item not in keys:
            keys.append(item)
    return path + ("?" + "&".join(keys) if keys else "")


def same_origin_path(href: str, base: str, origin: str = "") -> str | None:
    """The path and query of ``href`` (relative to the page ``base``) on our own site, or None. ``origin`` is
    the site's scheme://host:port when the fetcher knows it (absolute links to it are ours)."""
    href = (href or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    absolute = urllib.parse.urljoin("http://site.invalid" + base, href)
    parts = urllib.parse.urlsplit(absolute)
    if parts.netloc != "site.invalid":
        mine = urllib.parse.urlsplit(origin) if origin else None
        if not mine or (parts.scheme, parts.netloc) != (mine.scheme, mine.netloc):
            return None
    path = parts.path or "/"
    return path + (f"?{parts.query}" if parts.query else "")


class _Links(HTMLParser):
    """Collects (href, htmx) targets and GET forms from a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.targets: list[tuple[str, bool]] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.targets.append((a["href"], False))
        if a.get("hx-get") and tag != "form":
            self.targets.append((a["hx-get"], True))
        if tag == "form":
            method = (a.get("method") or "get").lower()
            writes = any(k in a for k in ("hx-post", "hx-put", "hx-patch", "hx-delete"))
            self._form = None
            if method == "get" and not writes:
                self._form = {"action": a.get("hx-get") or a.get("action") or "", "htmx": False, "fields": []}
                self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea") and a.get("name"):
            kind = a.get("type", "text").lower() if tag == "input" else tag
            if kind in ("submit", "button", "reset", "image", "file", "password"):
                return
            entry = {"name": a["name"], "type": kind, "value": a.get("value", ""), "options": []}
            if kind in ("checkbox", "radio") and "checked" not in a:
                entry["value"] = None
            self._form["fields"].append(entry)
            if tag == "select":
                self._select = entry
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def form_submissions(form: dict, search: str) -> list[str]:
    """A GET form, submitted as someone would: with a search term only, and with every drop-down set to its
    first real option (empty fields are left out, as the canonical URL of that filter)."""
    fixed = [(f["name"], f["value"]) for f in form["fields"] if f["type"] == "hidden" and f["value"]]
    searches = [f for f in form["fields"] if f["type"] == "search" or f["name"] in SEARCH_NAMES]
    selects = [f for f in form["fields"] if f["type"] == "select" and any(o for o in f["options"])]
    out = []
    if searches:
        out.append(fixed + [(searches[0]["name"], search)])
    if selects:
        out.append(fixed + [(f["name"], next(o for o in f["options"] if o)) for f in selects])
    return [urllib.parse.urlencode(pairs) for pairs in out if pairs]


def links(html: str, base: str, search: str, origin: str = "") -> list[tuple[str, bool]]:
    """Every GET target on a page: (path?query, reached through HTMX)."""
    parser = _Links()
    parser.feed(html)
    out: list[tuple[str, bool]] = []
    for href, htmx in parser.targets:
        path = same_origin_path(href, base, origin)
        if path:
            out.append((path, htmx))
    for form in parser.forms:
        action = same_origin_path(form["action"] or base, base, origin)
        if not action:
            continue
        action = action.split("?", 1)[0]
        for query in form_submissions(form, search):
            out.append((f"{action}?{query}", False))
    return out


def is_download(path: str) -> bool:
    """A file by its extension, or an export asked for with ``?format=xlsx`` (or pdf, csv, ...)."""
    parts = urllib.parse.urlsplit(path)
    formats = [v.lower() for k, v in urllib.parse.parse_qsl(parts.query) if k == "format"]
    return parts.path.lower().endswith(DOWNLOAD_EXTENSIONS) or any("." + f in DOWNLOAD_EXTENSIONS for f in formats)


def django_route_writes(path: str) -> bool:
    """Whether the route serving ``path`` declares a writing operation (core.policy); unknown routes are
    not followed either. Needs Django configured (the URLconf is imported, the database is not touched)."""
    from django.urls import Resolver404, resolve

    from shian.core import policy

    try:
        match = resolve(urllib.parse.urlsplit(path).path)
    except Resolver404:
        return True
    op = policy.declared_operation(match.func)
    return bool(op and op.write)


def crawl(
    fetch: Callable[[str, bool], Response],
    *,
    start: str = "/",
    per_kind: int = 2,
    kinds_per_path: int = 12,
    max_pages: int = 150,
    search: str = "海曙",
    writes: Callable[[str], bool] | None = django_route_writes,
    origin: str = "",
) -> CrawlResult:
    """Breadth first from ``start``: ``fetch(path, htmx)`` answers each kept URL once. Up to ``per_kind``
    URLs of a kind and ``kinds_per_path`` kinds of one path (a list's filters, sorts and pages combine into
    many kinds; breadth first keeps the ones a single click from the list away), ``max_pages`` in all."""
    kept: dict[str, int] = {}
    kinds_of_path: dict[str, set[str]] = {}
    seen: set[str] = set()
    queue: deque[Page] = deque([Page(url=start, kind=page_kind(start), htmx=False, source="")])
    kept[page_kind(start)] = 1
    seen.add(start)
    pages, other, downloads, skipped = [], [], [], []
    capped = 0
    while queue:
        page = queue.popleft()
        if len(pages) + len(other) >= max_pages:
            capped += 1
            continue
        response = fetch(page.url, page.htmx)
        page.status, page.content_type = response.status, response.content_type
        page.queries, page.sql = response.queries, response.sql
        if response.status == 200 and "html" not in response.content_type:
            downloads.append(page.url)  # a file served without a telling extension (evidence photos, ...)
            continue
        if response.status != 200:
            other.append(page)
            continue
        pages.append(page)
        for path, htmx in links(response.body, page.url, search, origin):
            if path in seen:
                continue
            seen.add(path)
            if path.startswith(SKIPPED_PREFIXES):
                continue
            if is_download(path):
                downloads.append(path)
                continue
            if writes is not None and writes(path):
                skipped.append(path)
                continue
            kind = page_kind(path)
            if kept.get(kind, 0) >= per_kind:
                continue
            same_path = kinds_of_path.setdefault(kind.split("?", 1)[0], set())
            if kind not in same_path and len(same_path) >= kinds_per_path:
                continue
            same_path.add(kind)
            kept[kind] = kept.get(kind, 0) + 1
            queue.append(Page(url=path, kind=kind, htmx=htmx, source=page.url))
    return CrawlResult(pages=pages, other=other, downloads=downloads, skipped_writes=skipped, capped=capped)
