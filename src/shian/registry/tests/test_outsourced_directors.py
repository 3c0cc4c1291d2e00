"""双食品安全总监 (issue 9): a school canteen run by a contractor has, from its threshold, a director of the
school itself and one of the contractor. Before Staff.employer existed the rule had no effect: any one
director satisfied it. Counted by hand below."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from shian.registry import selectors, services
from shian.registry.choices import BusinessType, StaffEmployer, StaffRole
from shian.registry.models import Business
from shian.registry.tests.factories import BusinessFactory

OWN, CONTRACTOR = StaffEmployer.OWN_UNIT, StaffEmployer.CONTRACTOR
DIRECTOR, OFFICER = StaffRole.DIRECTOR, StaffRole.OFFICER


def _canteen(city, name, *, diners=800, outsourced=True, staff=()):
    business = BusinessFactory(
        name=name,
        region=city["haishu_grid"],
        type=BusinessType.SCHOOL_CANTEEN,
        diners_per_meal=diners,
        canteen_outsourced=outsourced,
    )
    for i, (role, employer) in enumerate(staff):
        services.staff_create(
            actor=None,
            business=business,
            role=role,
            name=f"{name}{i}",
            employer=employer,
            contractor_name="宁波甬膳团餐管理有限公司" if employer == CONTRACTOR else "",
        )
    services.staffing_refresh(business_ids=[business.pk])  # a business with nobody on record, too
    business.refresh_from_db()
    return business


@pytest.fixture
def canteens(city):
    return {
        # contractor's director and officer only: the school's own director is missing
        "a": _canteen(city, "A校", staff=[(DIRECTOR, CONTRACTOR), (OFFICER, CONTRACTOR)]),
        # both directors: complete
        "b": _canteen(city, "B校", staff=[(DIRECTOR, OWN), (DIRECTOR, CONTRACTOR), (OFFICER, CONTRACTOR)]),
        # the school's director only: the contractor's is missing
        "c": _canteen(city, "C校", staff=[(DIRECTOR, OWN), (OFFICER, OWN)]),
        # not outsourced: any director will do, even one a contractor employs
        "d": _canteen(city, "D校", outsourced=False, staff=[(DIRECTOR, CONTRACTOR), (OFFICER, OWN)]),
        # outsourced but below 500 diners: an officer is enough
        "e": _canteen(city, "E校", diners=400, staff=[(OFFICER, CONTRACTOR)]),
        # nobody: both directors and the officer missing (the bare "director" is not named twice)
        "f": _canteen(city, "F校"),
    }


def test_outsourced_canteens_by_hand(canteens):
    state = {k: (b.staffing_complete, b.staffing_missing) for k, b in canteens.items()}
    assert state == {
        "a": (False, "director_own"),
        "b": (True, ""),
        "c": (False, "director_contractor"),
        "d": (True, ""),
        "e": (True, ""),
        "f": (False, "director_own,director_contractor,officer"),
    }


def test_rate_and_gaps_by_hand(canteens, users):
    rate = selectors.staffing_rate(users["admin"])
    assert (rate["complete"], rate["total"], rate["rate"]) == (3, 6, 50.0)  # b, d, e of six
    gaps = {g["key"]: g["businesses"] for g in selectors.staffing_gaps(users["admin"])}
    assert gaps == {"director_own": 2, "director_contractor": 2, "officer": 1}  # a+f, c+f, f


def test_badge_says_what_is_missing(canteens, users, web):
    with translation.override("zh-hans"):
        assert canteens["a"].staffing_badge == "缺本单位食品安全总监"
        assert canteens["c"].staffing_badge == "缺承包方食品安全总监"
    client = web(users["haishu"])
    page = client.get(f"/registry/businesses/{canteens['a'].pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "缺本单位食品安全总监" in page
    staffing = client.get("/registry/staffing/").content.decode()
    assert "缺本单位食品安全总监" in staffing and "缺承包方食品安全总监" in staffing


def test_moving_the_director_to_the_school_completes_it(canteens):
    a = canteens["a"]
    director = a.staff.get(role=DIRECTOR)
    services.staff_update(actor=None, staff=director, employer=OWN)
    a.refresh_from_db()
    assert (a.staffing_complete, a.staffing_missing) == (False, "director_contractor")
    services.staff_create(
        actor=None, business=a, role=DIRECTOR, name="承包方总监", employer=CONTRACTOR, contractor_name="甬膳公司"
    )
    a.refresh_from_db()
    assert a.staffing_complete


def test_a_contractors_employee_names_the_contractor(canteens):
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=None, business=canteens["f"], role=DIRECTOR, name="无名", employer=CONTRACTOR)
    assert "contractor_name" in exc.value.message_dict
    own = services.staff_create(
        actor=None, business=canteens["f"], role=OFFICER, name="本校员", employer=OWN, contractor_name="多余"
    )
    assert own.contractor_name == ""  # only a contractor's employee has one


def test_staff_form_and_api_take_the_employer(canteens, users, web, api):
    f = canteens["f"]
    response = web(users["haishu"]).post(
        f"/registry/businesses/{f.pk}/staff/new/",
        {"role": "director", "name": "页面总监", "employer": "contractor", "contractor_name": "", "active": "on"},
    )
    assert response.status_code == 200 and "contractor_name" in response.context["form"].errors
    response = api(users["haishu"]).post(
        f"/api/businesses/{f.pk}/staff",
        {"role": "director", "name": "接口总监", "employer": "contractor", "contractor_name": "甬膳公司"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["employer"] == "contractor"
    f.refresh_from_db()
    assert f.staffing_missing == "director_own,officer"


def test_the_rules_say_whose_director(db):
    from shian.registry.models import StaffingRule

    rows = StaffingRule.objects.filter(business_type="school_canteen", required_attribute="canteen_outsourced")
    assert sorted(r.employer for r in rows) == ["contractor", "own"]
    assert all(r.min_diners == 500 and "承包" in r.source for r in rows)
    own = rows.get(employer="own")
    with translation.override("zh-hans"):
        assert own.requirement_label == "本单位食品安全总监"


def test_migration_recompute_matches_the_services(canteens):
    """The frozen recomputation in migration 0008 gives what services.staffing_refresh gives."""
    import importlib

    from django.apps import apps as django_apps

    migration = importlib.import_module("shian.registry.migrations.0008_personal_data_and_employer")
    expected = dict(Business.objects.values_list("pk", "staffing_missing"))
    Business.objects.update(staffing_complete=False, staffing_missing="officer")
    migration.recompute(django_apps)
    assert dict(Business.objects.values_list("pk", "staffing_missing")) == expected


def test_only_director_rows_name_an_employer(users):
    """Requirement keys stay within Business.staffing_missing (40 characters): the rules name whose
    director only."""
    with pytest.raises(ValidationError) as exc:
        services.staffing_rule_save(
            actor=users["admin"], business_type="school_canteen", role="officer", employer="own", source="本地规则"
        )
    assert "employer" in exc.value.message_dict
    longest = "director_own,director_contractor,officer"
    assert len(longest) <= Business._meta.get_field("staffing_missing").max_length
