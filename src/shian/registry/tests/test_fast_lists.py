"""Fast lists (issue 14): the register's lists count at most COUNT_CAP rows unless asked to count exactly,
page past the counted rows without a count, and run the same number of queries for 5 rows as for 40."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shian.core import listing
from shian.registry import views
from shian.registry.models import Business
from shian.registry.tests.factories import BusinessFactory, LicenceFactory, StaffFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def small_cap(monkeypatch):
    """Count up to 12, pages of 10: the lists of these tests are "long"."""
    monkeypatch.setattr(listing, "COUNT_CAP", 12)
    monkeypatch.setattr(views, "PAGE_SIZE", 10)


def _shops(city, n, *, start=0, region="haishu_grid"):
    shops = []
    for i in range(start, start + n):
        b = BusinessFactory(name=f"面馆{i:03d}", region=city[region])
        LicenceFactory(business=b)
        StaffFactory(business=b)
        shops.append(b)
    return shops


class _Request:
    def __init__(self, **params):
        self.GET = params


def _names(response):
    return [b.name for b, _lic, _extra in response.context["rows"]]


def test_a_short_list_is_counted_exactly(users, web, city, small_cap):
    _shops(city, 10)
    response = web(users["admin"]).get("/registry/businesses/")
    page = response.context["page"]
    assert page.paginator.count == 10 and page.paginator.count_exact
    html = response.content.decode()
    assert 'data-count="exact"' in html and "data-count-exact" not in html


def test_a_long_list_says_more_than_the_cap_and_pages_without_a_count(users, web, city, small_cap):
    shops = _shops(city, 30)
    client = web(users["admin"])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/registry/businesses/?sort=name")
    page = response.context["page"]
    assert not page.paginator.count_exact and page.paginator.count_inexact
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 13" in sql for sql in counts), counts  # never a count of the whole scope
    html = response.content.decode()
    assert 'data-count="inexact"' in html and "data-count-exact" in html and "12" in html and 'rel="next"' in html
    assert _names(response) == [b.name for b in shops[:10]]
    # a page turn does not count exactly again: its links drop count=exact
    counted = client.get("/registry/businesses/?count=exact&page=2").content.decode()
    pager = counted[counted.index('<nav class="pager"') :].split("</nav>", 1)[0]
    assert 'href="?page=3"' in pager and "count=exact" not in pager

    # pages of 5 rows through paginate, which every list view calls
    qs = Business.objects.order_by("name", "id")
    fifth = listing.paginate(_Request(page="5"), qs, per_page=5)
    assert not fifth.paginator.count_exact  # 30 rows > the cap of 12: page 5 (rows 21-25) without a count
    assert [b.name for b in fifth] == [b.name for b in shops[20:25]]
    assert fifth.has_next() and fifth.has_previous()
    assert list(fifth.paginator.get_elided_page_range(5, on_each_side=2, on_ends=1)) == [1, 2, 3, 4, 5, 6, "…"]
    sixth = listing.paginate(_Request(page="6"), qs, per_page=5)
    assert [b.name for b in sixth] == [b.name for b in shops[25:30]] and not sixth.has_next()
    # the last page: now the total is known without a count
    assert sixth.paginator.count_exact and sixth.paginator.count == 30
    assert list(sixth.paginator.get_elided_page_range(6, on_each_side=2, on_ends=1)) == [1, 2, 3, 4, 5, 6]
    # past the last row, a page number that is not one, or below 1: as Django does (the last page, page 1)
    assert listing.paginate(_Request(page="99"), qs, per_page=5).number == 6
    assert listing.paginate(_Request(page="x"), qs, per_page=5).number == 1
    assert listing.paginate(_Request(page="0"), qs, per_page=5).number == 6


@pytest.mark.django_db(transaction=True)  # PostgreSQL limits a count in autocommit only, as a page runs
def test_a_count_that_takes_too_long_is_cut_short(city, monkeypatch):
    _shops(city, 60)
    qs = Business.objects.order_by("name", "id")
    monkeypatch.setattr(listing, "COUNT_BUDGET_MS", 0)
    monkeypatch.setattr(listing, "_PROGRESS_STEPS", 1)  # SQLite: look at the clock at every step
    if connection.vendor == "postgresql":  # a count slower than the 1 ms budget
        qs = qs.extra(where=["pg_sleep(0.002) IS NOT NULL"])  # noqa: S610 - a constant
    page = listing.paginate(_Request(page="1"), qs, per_page=50)
    paginator = page.paginator
    assert paginator.count_inexact and page.has_next()
    assert [b.pk for b in page] == list(Business.objects.order_by("name", "id").values_list("pk", flat=True)[:50])
    assert paginator.count_label.endswith("50")  # "more than 50": the rows seen so far
    monkeypatch.setattr(listing, "COUNT_BUDGET_MS", 60_000)
    assert listing.paginate(_Request(page="1"), qs, per_page=50).paginator.count == 60  # given time: exact


def test_count_exactly_on_request_then_about_that_many(users, web, city, small_cap):
    _shops(city, 20)
    client = web(users["admin"])
    exact = client.get("/registry/businesses/?count=exact")
    assert exact.context["page"].paginator.count == 20 and exact.context["page"].paginator.count_exact
    assert 'data-count="exact"' in exact.content.decode()
    # the next look at the same list shows the remembered figure as an estimate, with its time
    _shops(city, 1, start=50)
    later = client.get("/registry/businesses/")
    paginator = later.context["page"].paginator
    assert not paginator.count_exact and paginator.count_estimate == 20
    html = later.content.decode()
    assert 'data-count="inexact"' in html and "20" in html
    assert 'href="?count=exact"' in html  # "count exactly" asks again
    # a different filter is a different list: not the remembered figure
    other = client.get("/registry/businesses/?q=面馆0")
    assert other.context["page"].paginator.count_estimate is None


def test_the_remembered_count_is_per_scope(users, web, city, small_cap):
    _shops(city, 15)
    _shops(city, 15, start=100, region="jiangbei_grid")
    assert web(users["admin"]).get("/registry/businesses/?count=exact").context["page"].paginator.count == 30
    haishu = web(users["haishu"]).get("/registry/businesses/").context["page"].paginator
    assert haishu.count_estimate is None and not haishu.count_exact  # 15 > 12, and not admin's 30


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/registry/businesses/",
        "/registry/businesses/?q=面馆&sort=-updated",
        "/registry/businesses/?licence=valid&sort=region",
        "/registry/licences/",
        "/registry/licences/?q=面馆",
    ],
)
def test_register_lists_do_not_query_per_row(users, web, city, url):
    client = web(users["admin"])
    _shops(city, 5)
    few = _queries(client, url)
    _shops(city, 35, start=5)
    assert _queries(client, url) == few
