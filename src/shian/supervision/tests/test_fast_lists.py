"""Fast lists (issue 14): the grade list pages in its order (highest score first, then the name) with a
bounded count, finds businesses through the register's search index, and makes no query per row."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shian.core import listing
from shian.registry.choices import BusinessType
from shian.registry.tests.factories import BusinessFactory
from shian.supervision import services


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _shops(city, n, start=0):
    for i in range(start, start + n):
        kind = BusinessType.SCHOOL_CANTEEN if i % 3 == 0 else BusinessType.CATERING
        BusinessFactory(name=f"店{i:03d}", type=kind, region=city["haishu_grid" if i % 2 else "jiangbei_grid"])
    services.grades_recompute()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url", ["/supervision/grades/", "/supervision/grades/?grade=B&q=店", "/supervision/grades/?key=1"]
)
def test_the_grade_list_does_not_query_per_row(users, web, city, url):
    client = web(users["admin"])
    _shops(city, 4)
    few = _queries(client, url)
    _shops(city, 30, start=4)
    assert _queries(client, url) == few


def test_the_grade_list_order_and_search_are_unchanged(users, web, city, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_CAP", 5)
    monkeypatch.setattr(listing, "PAGE_SIZE", 4)
    _shops(city, 12)
    client = web(users["admin"])
    pages = [client.get(f"/supervision/grades/?page={n}").context["page"] for n in (1, 2, 3)]
    assert pages[0].paginator.count_inexact  # 12 grades > the cap of 5: not counted
    rows = [(g.score, g.business.name) for page in pages for g in page]
    assert rows == sorted(rows, key=lambda r: (-r[0], r[1])) and len(rows) == 12
    assert len({r[0] for r in rows}) > 1  # more than one score: the order is tested
    assert not pages[2].has_next() and pages[2].paginator.count == 12  # the last page knows the total
    found = client.get("/supervision/grades/?q=店01").context["page"]
    assert sorted(g.business.name for g in found) == ["店010", "店011"]
    assert found.paginator.count_exact and found.paginator.count == 2
    haishu = client.get("/supervision/grades/?count=exact", HTTP_ACCEPT_LANGUAGE="en")
    assert haishu.context["page"].paginator.count == 12
