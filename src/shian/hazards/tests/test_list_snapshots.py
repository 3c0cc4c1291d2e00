"""The hazard and case-lead lists read their KPI tiles from the snapshot (issue 14): the figures agree with
the live count, the page says how old they are, and a hazard recorded since shows at the next recompute."""

import re

from shian.core import snapshots
from shian.hazards import services
from shian.hazards.choices import Severity
from shian.registry.tests.factories import BusinessFactory


def _open_tile(html: str) -> int:
    match = re.search(r'data-kpi="open">.*?tile-value">(\d+)<', html, re.S)
    assert match, html[:2000]
    return int(match.group(1))


def test_hazard_list_tiles_come_from_the_snapshot_with_their_age(users, city, web, settings):
    settings.KPI_SNAPSHOT_AUTO_REFRESH = False  # only the explicit recompute below
    shops = [BusinessFactory(region=city["haishu_grid"]) for _ in range(3)]
    for shop in shops[:2]:
        services.hazard_create(actor=users["inspector"], business=shop, title="鼠患", severity=Severity.GENERAL)
    snapshots.recompute("")
    client = web(users["haishu"])

    html = client.get("/hazards/").content.decode()
    assert _open_tile(html) == 2 and 'id="kpi-freshness"' in html

    services.hazard_create(actor=users["inspector"], business=shops[2], title="积水", severity=Severity.GENERAL)
    assert _open_tile(client.get("/hazards/").content.decode()) == 2  # the snapshot, until recomputed
    snapshots.recompute("")
    assert _open_tile(client.get("/hazards/").content.decode()) == 3


def test_case_lead_list_reads_the_snapshot(users, city, web, settings):
    settings.KPI_SNAPSHOT_AUTO_REFRESH = False
    shop = BusinessFactory(region=city["haishu_grid"])
    services.hazard_create(actor=users["inspector"], business=shop, title="鼠患", severity=Severity.SERIOUS)
    services.raise_case_leads()
    snapshots.recompute("")
    html = web(users["haishu"]).get("/hazards/leads/").content.decode()
    assert 'id="kpi-freshness"' in html
