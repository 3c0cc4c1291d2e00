"""The grade tiles against a hand count: the highest-risk grade, the inspections a year the grades require."""

from decimal import Decimal

import pytest
from django.utils import translation

from shian.registry.tests.factories import BusinessFactory
from shian.supervision import kpis
from shian.supervision.models import BusinessGrade, RiskRuleSet


@pytest.fixture
def grades(city):
    """Current grades under the rule set in force (the 2016 set: A 1, B 1–2, C 2–3, D 3–4 a year):
    Haishu A B B C D D, Jiangbei D."""
    rule_set = RiskRuleSet.objects.get(active=True)
    for region, grade in [("haishu_grid", g) for g in "ABBCDD"] + [("jiangbei_grid", "D")]:
        BusinessGrade.objects.create(
            business=BusinessFactory(region=city[region]),
            rule_set=rule_set,
            grade=grade,
            score=Decimal(0),
            static_points=Decimal(0),
            dynamic_points=Decimal(0),
        )


def tiles_of(user) -> dict:
    return {t.key: t for t in kpis.tiles(user, kpis.data(user))}


def test_highest_risk_grade(users, grades):
    tile = tiles_of(users["haishu"])["grade_high"]
    assert (tile.value, tile.url.endswith("?grade=D")) == (2, True)
    assert tiles_of(users["admin"])["grade_high"].value == 3


def test_inspections_required_per_year(users, grades):
    # Haishu: least 1 + 1 + 1 + 2 + 3 + 3 = 11, most 1 + 2 + 2 + 3 + 4 + 4 = 16
    assert tiles_of(users["haishu"])["inspections_required"].value == "11–16"
    # the city adds a D: 14–20
    assert tiles_of(users["admin"])["inspections_required"].value == "14–20"


def test_the_definitions_name_the_rule_set_and_its_frequencies(users, grades):
    with translation.override("en"):
        tiles = tiles_of(users["haishu"])
    assert "A 1, B 1–2, C 2–3, D 3–4" in tiles["inspections_required"].definition
    assert RiskRuleSet.objects.get(active=True).name in tiles["grade_high"].definition
