"""Fast lists (issue 14): the hazard, case-lead and incident lists count at most listing.COUNT_CAP rows, and
run the same number of queries for a few rows as for many (no query per row)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shian.core import listing
from shian.hazards import services
from shian.hazards.choices import Severity
from shian.registry.tests.factories import BusinessFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _add(users, city, n, start=0):
    for i in range(start, start + n):
        shop = BusinessFactory(name=f"面馆{i:03d}", region=city["haishu_grid"])
        services.hazard_create(actor=users["inspector"], business=shop, title=f"鼠患{i}", severity=Severity.SERIOUS)
        services.incident_create(
            actor=users["haishu"],
            business=shop,
            occurred_on=timezone.localdate() - dt.timedelta(days=i % 20),
            title=f"食物中毒{i}",
        )
    services.raise_case_leads()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/hazards/",
        "/hazards/?state=open&q=鼠患",
        "/hazards/?overdue=1",
        "/hazards/leads/",
        "/hazards/leads/?state=",
        "/hazards/incidents/",
        "/hazards/incidents/?q=食物",
    ],
)
def test_hazard_lists_do_not_query_per_row(users, web, city, url):
    client = web(users["haishu"])
    _add(users, city, 3)
    few = _queries(client, url)
    _add(users, city, 25, start=3)
    assert _queries(client, url) == few


def test_a_long_hazard_list_is_not_counted_unless_asked(users, web, city, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_CAP", 10)
    monkeypatch.setattr(listing, "PAGE_SIZE", 5)
    _add(users, city, 14)
    client = web(users["haishu"])
    for url in ("/hazards/", "/hazards/leads/?state=", "/hazards/incidents/"):
        response = client.get(url)
        paginator = response.context["page"].paginator
        assert paginator.count_inexact, url
        html = response.content.decode()
        assert 'data-count="inexact"' in html, url
        assert ("超过 10" in html or "more than 10" in html) and ">11 " not in html, url  # not the cap + 1
        exact = client.get(url + ("&" if "?" in url else "?") + "count=exact").context["page"].paginator
        assert exact.count_exact and exact.count == 14, url
