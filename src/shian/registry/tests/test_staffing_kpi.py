from shian.registry import selectors, services
from shian.registry.choices import BusinessType, Scale, StaffRole
from shian.registry.models import StaffingRule
from shian.registry.staffing import RuleBook
from shian.registry.tests.factories import BusinessFactory, StaffFactory


def test_default_rules_follow_the_regulations(db):
    book = RuleBook.load()
    assert book.required(BusinessType.CATERING, Scale.SMALL, None) == ["officer"]
    assert book.required(BusinessType.CATERING, Scale.MEDIUM, None) == ["director", "officer"]
    assert book.required(BusinessType.SCHOOL_CANTEEN, Scale.SMALL, 499) == ["officer"]
    assert book.required(BusinessType.SCHOOL_CANTEEN, Scale.SMALL, 500) == ["director", "officer"]
    assert book.required(BusinessType.ELDERLY_CANTEEN, Scale.SMALL, 300) == ["director", "officer"]
    # Order 60: central kitchens serving *more than* 1000 (超过): 1000 itself does not count
    assert book.required(BusinessType.CENTRAL_KITCHEN, Scale.SMALL, 1000) == ["officer"]
    assert book.required(BusinessType.CENTRAL_KITCHEN, Scale.SMALL, 1001) == ["director", "officer"]
    assert all(rule.source for rule in StaffingRule.objects.all())


def test_rate_by_region_and_type(users, city):
    complete = BusinessFactory(region=city["haishu_grid"])
    StaffFactory(business=complete)
    BusinessFactory(region=city["haishu_grid"])  # no officer
    school = BusinessFactory(region=city["jiangbei_grid"], type=BusinessType.SCHOOL_CANTEEN, diners_per_meal=800)
    StaffFactory(business=school)  # officer but no director
    services.staffing_refresh()
    kpi = selectors.staffing_rate(users["admin"])
    assert (kpi["complete"], kpi["total"]) == (1, 3)
    assert kpi["rate"] == 33.3
    regions = {r["name"]: (r["complete"], r["total"]) for r in kpi["by_region"]}
    assert regions == {"海曙区": (1, 2), "江北区": (0, 1)}
    types = {r["type"]: (r["complete"], r["total"]) for r in kpi["by_type"]}
    assert types == {"catering": (1, 2), "school_canteen": (0, 1)}
    district = selectors.staffing_rate(users["haishu"])
    assert (district["complete"], district["total"]) == (1, 2)
    assert [r["name"] for r in district["by_region"]] == ["海曙区一街道"]  # one level down


def test_editing_a_rule_recomputes(users, city, web):
    school = BusinessFactory(region=city["haishu_grid"], type=BusinessType.SCHOOL_CANTEEN, diners_per_meal=800)
    StaffFactory(business=school)
    services.staffing_refresh()
    school.refresh_from_db()
    assert not school.staffing_complete
    rule = StaffingRule.objects.get(business_type="school_canteen", role=StaffRole.DIRECTOR, required_attribute="")
    response = web(users["admin"]).post(
        f"/registry/staffing/rules/{rule.pk}/edit/",
        {
            "business_type": "school_canteen",
            "role": "director",
            "min_diners": 1000,
            "diners_comparison": "gte",
            "source": rule.source,
            "active": "on",
        },
    )
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.staffing_complete
    assert web(users["haishu"]).get(f"/registry/staffing/rules/{rule.pk}/edit/").status_code == 403


def test_staffing_page(users, web, city):
    response = web(users["admin"]).get("/registry/staffing/")
    assert response.status_code == 200
    assert "by-region" in response.content.decode()


def test_missing_roles_read_as_roles_not_keys(users, city, web):
    """The missing roles show as 食品安全总监/食品安全员, not the stored keys "director,officer"."""
    from django.utils import translation

    school = BusinessFactory(region=city["haishu_grid"], type=BusinessType.SCHOOL_CANTEEN, diners_per_meal=800)
    services.staffing_refresh()
    school.refresh_from_db()
    assert school.staffing_missing == "director,officer"
    with translation.override("zh-hans"):
        assert school.staffing_missing_display == "食品安全总监；食品安全员"
    page = web(users["admin"]).get(f"/registry/businesses/{school.pk}/?tab=staff").content.decode()
    assert "食品安全总监" in page and "director" not in page
