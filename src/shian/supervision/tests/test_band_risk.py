"""The grade colour comes from the band's risk level (data), not from the letter: in the UK scheme A
is the highest risk and D is low risk (it was shown red through an and/or precedence slip)."""

import pytest

from shian.supervision.models import GradeBand


@pytest.mark.django_db
def test_band_risk_decides_the_colour_in_both_rule_sets():
    tone = {(b.rule_set.code, b.grade): b.tone for b in GradeBand.objects.select_related("rule_set")}
    assert tone[("cn-samr-2016", "D")] == "bad"
    assert tone[("cn-samr-2016", "C")] == "warn"
    assert tone[("cn-samr-2016", "A")] == ""
    assert tone[("uk-fsa-flcop", "A")] == "bad"
    assert tone[("uk-fsa-flcop", "B")] == "warn"
    assert tone[("uk-fsa-flcop", "D")] == ""  # low risk, not red


@pytest.mark.django_db
def test_highest_risk_tile_follows_the_data(users):
    from shian.supervision import kpis
    from shian.supervision.models import RiskRuleSet

    RiskRuleSet.objects.update(active=False)
    RiskRuleSet.objects.filter(code="uk-fsa-flcop").update(active=True)
    tiles = kpis.tiles(users["admin"], kpis.data(users["admin"]))
    assert tiles[0].url.endswith("?grade=A")
    RiskRuleSet.objects.update(active=False)
    RiskRuleSet.objects.filter(code="cn-samr-2016").update(active=True)
    assert kpis.tiles(users["admin"], kpis.data(users["admin"]))[0].url.endswith("?grade=D")


@pytest.mark.django_db
def test_grade_tab_speaks_people_words(users, web, city):
    """Factors by their labels (not internal keys), triggers in words, frequencies without decimals."""
    from shian.hazards import services as hazard_services
    from shian.registry.tests.factories import BusinessFactory
    from shian.supervision.services import grades_recompute

    shop = BusinessFactory(region=city["haishu_grid"], type="catering")
    hazard_services.hazard_create(actor=users["inspector"], business=shop, title="鼠患", severity="serious")
    grades_recompute(trigger="nightly")
    html = web(users["haishu"]).get(f"/registry/businesses/{shop.pk}/tabs/grade/").content.decode()
    assert "餐饮服务" in html and "hazards_open" not in html and ">catering<" not in html
    assert "夜间重新分级" in html and ">nightly<" not in html
    assert ".00" not in html
