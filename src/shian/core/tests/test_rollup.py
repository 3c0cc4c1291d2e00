"""The shared reads: percentages, the roll-up by region, KPI colour thresholds."""

import pytest

from shian.core import kpis
from shian.core.rollup import RegionTally, code_at, pct


def test_pct():
    assert pct(1, 3) == 33.3
    assert pct(0, 0) is None
    assert pct(5, 5) == 100.0


def test_code_at_cuts_the_path_at_a_level_or_keeps_its_own():
    assert code_at("330200/330203/330203001/", 2) == "330203"
    assert code_at("330200/330203/330203001/", 3) == "330203001"
    assert code_at("330200/330203/", 3) == "330203"  # registered above the level: its own region


@pytest.mark.django_db
def test_tally_adds_up_by_sub_region_with_names(city):
    t = RegionTally(level=2, width=2)
    t.add(city["haishu_grid"].path, 1, 2)
    t.add(city["haishu_street"].path, 3, 4)
    t.add(city["jiangbei_street"].path, 5, 6)
    rows = {r["name"]: r for r in t.rows()}
    assert rows["海曙区"]["values"] == [4, 6]
    assert rows["江北区"]["values"] == [5, 6]
    assert rows["海曙区"]["region_id"] == city["haishu"].pk
    with pytest.raises(ValueError):
        t.add(city["haishu"].path, 1)


def test_thresholds_are_data_on_the_provider():
    assert kpis.tone("staffing_rate", 95) == "good"
    assert kpis.tone("staffing_rate", 94.9) == "warn"
    assert kpis.tone("staffing_rate", 79) == "bad"
    assert kpis.tone("selfcheck_daily", 60) == "warn"
    assert kpis.tone("staffing_rate", None) == ""
    assert kpis.tone("no-such-kpi", 10) == ""
