"""The dashboard's figures from the KPI snapshots (core.snapshots), on a desktop and a phone: their age
("as of hh:mm") above the tiles, the warning when none covers the scope, and the refresh button."""

import pytest

RECOMPUTE = "from shian.core import snapshots; snapshots.recompute('')"
DROP = "from shian.core.models import KpiSnapshot; KpiSnapshot.objects.all().delete()"


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_dashboard_shows_the_age_of_its_figures(server, visit, phone):
    server.shian("shell", "-c", DROP)
    v = visit("haishu", phone=phone)
    v.go("/")
    block = v.page.locator("#kpi-freshness")
    assert block.count() == 1 and block.get_attribute("data-missing") == "1"
    assert block.locator(".kpi-warning").count() == 1  # computed live, and it says so
    assert v.page.locator("[data-kpi=staffing_rate]").count()
    live_rate = v.page.locator("[data-kpi=staffing_rate] .tile-value").inner_text()

    server.shian("shell", "-c", RECOMPUTE)
    v.go("/")
    block = v.page.locator("#kpi-freshness")
    assert block.get_attribute("data-missing") == "0" and block.get_attribute("data-stale") == "0"
    at = block.get_attribute("data-computed-at")  # ISO time; "as of hh:mm" shows its local hh:mm
    assert at and at[11:16] in block.inner_text() and block.locator(".kpi-warning").count() == 0
    assert v.page.locator("[data-kpi=staffing_rate] .tile-value").inner_text() == live_rate
    if phone:
        overflow = v.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"the page is {overflow}px wider than the phone"
    v.shot(f"home-kpi-freshness-{'phone' if phone else 'desktop'}")
    assert not v.errors, v.errors


def test_refresh_button_queues_a_recompute_once(server, visit):
    server.shian("shell", "-c", RECOMPUTE)
    v = visit("haishu", phone=True)
    v.go("/")
    button = v.page.locator("#kpi-freshness button")
    button.click()
    v.page.wait_for_selector("#kpi-freshness a[href^='/jobs/']")
    assert v.page.locator("#kpi-freshness a[href^='/jobs/']").count() == 1  # the job, to follow
    assert not v.errors, v.errors
