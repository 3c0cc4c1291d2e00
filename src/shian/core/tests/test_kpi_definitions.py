"""Every dashboard tile, from every KPI provider, says how it is counted, and the dashboard shows it:
a ``title`` for the pointer, and an ⓘ that opens the text on a phone (a <details>, no script)."""

import datetime as dt
import html

import pytest
from django.utils import timezone

from shian.core import kpis
from shian.hazards.models import Hazard, Notification
from shian.oversight import services as oversight_services
from shian.oversight.models import Level
from shian.registry.tests.factories import BusinessFactory, LicenceFactory, StaffFactory


@pytest.fixture
def everything(users, city):
    """Enough for every provider to show every tile it has to the Haishu regulator: a business with a
    licence and staff, a 包保 assignment that is due, and an unread hazard notice."""
    shop = BusinessFactory(region=city["haishu_grid"])
    LicenceFactory(business=shop)
    StaffFactory(business=shop)
    oversight_services.assignment_create(
        actor=None,
        official=users["haishu"],
        business=shop,
        level=Level.DISTRICT,
        starts_on=timezone.localdate() - dt.timedelta(days=200),
    )
    hazard = Hazard.objects.create(business=shop, title="冷藏柜温度超标")
    Notification.objects.create(user=users["haishu"], hazard=hazard, text="转立案")
    return shop


def provider_tiles(provider, user) -> list[kpis.Tile]:
    return provider.tiles(user, provider.data(user)) if provider.data else provider.tiles(user)


def test_every_tile_of_every_provider_has_a_definition(users, everything):
    seen = set()
    for provider in kpis.providers():
        tiles = provider_tiles(provider, users["haishu"])
        assert tiles, f"provider {provider.key} shows no tile here: extend the fixture so it is checked"
        for tile in tiles:
            assert tile.definition.strip(), f"{provider.key}: tile {tile.key} has no definition"
            assert tile.definition.strip() != str(tile.label).strip(), tile.key
            seen.add(tile.key)
    assert {
        "businesses",
        "staffing_rate",
        "licences_expiring",
        "licences_expired",
        "oversight_rate",
        "selfcheck_daily",
        "grade_high",
        "inspections_required",
        "hazards_open",
        "hazards_overdue",
        "hazards_on_time",
        "notifications",
    } <= seen


def test_a_business_account_sees_definitions_too(users, everything):
    from shian.core.choices import Role
    from shian.core.tests.factories import UserFactory

    staff = UserFactory(role=Role.BUSINESS_STAFF, business=everything)
    tiles, _charts = kpis.collect(staff)
    assert tiles and all(t.definition.strip() for t in tiles)


def test_the_dashboard_shows_each_definition(users, everything, web):
    page = web(users["haishu"]).get("/")
    tiles = page.context["tiles"]
    body = page.content.decode()
    for tile in tiles:
        start = body.index(f'data-kpi="{tile.key}"')
        block = body[start : body.index("</details>", start)]
        escaped = html.escape(tile.definition, quote=True)
        assert f'title="{escaped}"' in block, tile.key  # on the tile: a pointer's hover
        assert '<details class="tile-definition">' in block and escaped in block, tile.key  # an ⓘ to open
