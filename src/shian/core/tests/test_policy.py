"""The access policy: every model is scoped or declared city-wide; the audit log is scoped and
presented per viewer; object rules are enforced by services, not only by views."""

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied

from shian.core import policy
from shian.core.audit import audit, lines_for
from shian.core.choices import AuditAction, Role
from shian.core.models import AuditEntry, User
from shian.core.tests.factories import UserFactory
from shian.registry.tests.factories import BusinessFactory

SHIAN_APPS = [a for a in apps.get_app_configs() if a.name.startswith("shian.")]


def _models():
    return [m for a in SHIAN_APPS for m in a.get_models()]


@pytest.mark.parametrize("model", _models(), ids=lambda m: m._meta.label)
def test_every_model_is_scoped_or_declared_city_wide(model):
    """A model holding business or personal data says how to reach its region and business (or its
    owner); configuration says it is city-wide. A new model that says neither fails here."""
    regional = getattr(model, "scope_path_lookup", None) or getattr(model, "scope_region_lookup", None) is not None
    # a region-only kind (a plan, a region) says so with ``scope_business_lookup = None``
    business = hasattr(model, "scope_business_lookup")
    owner = getattr(model, "scope_owner_lookup", None)
    city_wide = getattr(model, "scope_city_wide", False)
    kinds = [bool(regional and business), bool(owner), bool(city_wide)]
    assert sum(kinds) == 1, (
        f"{model._meta.label}: declare scope_path_lookup/scope_region_lookup and scope_business_lookup, "
        "or scope_owner_lookup, or scope_city_wide = True"
    )
    assert hasattr(model._default_manager.all(), "restrict"), f"{model._meta.label} needs a ScopedQuerySet manager"


@pytest.mark.django_db
def test_scope_lookups_resolve_for_every_kind_of_user(users):
    """The lookups are real paths: restricting for a district, a business and an owner runs."""
    shop = BusinessFactory(region=users["haishu"].region)
    owner = UserFactory(username="owner-x", role=Role.BUSINESS_STAFF, business=shop)
    for model in _models():
        for user in (users["haishu"], owner, users["admin"], users["public"]):
            list(model._default_manager.all().restrict(user, policy.VIEW)[:1])


@pytest.mark.django_db
def test_audit_log_is_scoped_and_masked_per_viewer(city, users, web):
    shop = BusinessFactory(region=city["haishu_street"], name="海曙小店")
    owner = UserFactory(username="owner", role=Role.BUSINESS_STAFF, business=shop)
    audit(actor=users["haishu"], action=AuditAction.UPDATE, obj=shop, changes={"name": ["a", "b"]})
    audit(actor=owner, action=AuditAction.UPDATE, obj=shop, changes={"address": ["a", "b"]})
    # a foreign official's refused attempt is filed under the business
    assert web(users["jiangbei"]).get(f"/registry/businesses/{shop.pk}/").status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.DENIED, scope_business=shop.pk).count() == 1

    entries = AuditEntry.objects.filter(object_id=str(shop.pk), object_type="registry.business")
    assert set(entries.values_list("scope_business", flat=True)) == {shop.pk}
    assert all(p.startswith(city["haishu_street"].path) for p in entries.values_list("scope_path", flat=True))

    # the district sees all three; the foreign official is not named
    district = lines_for(users["haishu"], shop)
    assert len(district) == 3
    assert "jiangbei" not in {line.actor for line in district}
    assert "haishu" in {line.actor for line in district}

    # the business sees its own staff by name, officials by role, no refusals, no addresses
    own = lines_for(owner, shop)
    assert {line.action for line in own} == {AuditAction.UPDATE}
    assert "haishu" not in {line.actor for line in own}
    assert str(Role.DISTRICT_REGULATOR.label) in {line.actor for line in own}
    assert all(line.source == "" for line in own)
    page = web(owner).get(f"/registry/businesses/{shop.pk}/tabs/audit/").content.decode()
    assert "jiangbei" not in page and "haishu" not in page and "127.0.0.1" not in page

    # another district sees nothing of it
    assert lines_for(users["jiangbei"], shop) == []


@pytest.mark.django_db
def test_object_rule_is_enforced_by_the_service(city, users):
    from shian.oversight import services
    from shian.oversight.models import Level

    shop = BusinessFactory(region=city["haishu_street"])
    assignment = services.assignment_create(
        actor=users["haishu"], official=users["street"], business=shop, level=Level.STREET
    )
    with pytest.raises(PermissionDenied):
        services.visit_record(actor=users["inspector"], assignment=assignment, findings="x")
    services.visit_record(actor=users["street"], assignment=assignment, findings="ok")
    assert policy.may(users["street"], "record_visit", assignment)
    assert not policy.may(users["inspector"], "record_visit", assignment)


@pytest.mark.django_db
def test_assignment_api_does_not_disclose_officials_elsewhere(city, users, api):
    shop = BusinessFactory(region=city["haishu_street"])
    foreign = UserFactory(username="jb-official", role=Role.STREET_OFFICER, region=city["jiangbei_street"])
    r = api(users["haishu"]).post(
        "/api/oversight/assignments", {"official_id": foreign.pk, "business_id": shop.pk, "level": "street"}
    )
    assert r.status_code == 422
    assert "jb-official" not in r.content.decode() and str(foreign.pk) not in r.content.decode()
    assert User.objects.restrict(users["haishu"], policy.VIEW).filter(pk=foreign.pk).count() == 0


def test_a_role_without_the_grant_is_refused_before_the_object_is_looked_up():
    op = policy.declared_operation(apps.get_app_config("registry").module.views.business_edit)
    assert op.action == policy.CHANGE and op.model == "registry.business" and op.obj == {"pk": "registry.business"}


@pytest.mark.django_db
def test_nul_characters_are_refused_with_a_clear_400(users, web, api):
    """PostgreSQL cannot store NUL in text: refused up front on both databases, never a 500."""
    assert web(users["haishu"]).get("/registry/businesses/?q=%00").status_code == 400
    r = api(users["haishu"]).post("/api/hazards", {"business_id": 1, "title": "a\u0000b"})
    assert r.status_code == 400 and "NUL" in r.json()["detail"][0]["msg"]


@pytest.mark.django_db
def test_refusal_pages_speak_chinese_and_keep_the_navigation(users, web, settings):
    settings.DEBUG = False
    page = web(users["public"]).get("/registry/businesses/")
    assert page.status_code == 403
    html = page.content.decode()
    assert "无权访问" in html and 'href="/"' in html and "favicon.svg" in html
    missing = web(users["haishu"]).get("/registry/businesses/987654321/")
    assert missing.status_code == 404 and "未找到" in missing.content.decode()


@pytest.mark.django_db
def test_plans_and_my_day_are_in_the_navigation_for_those_who_may_open_them(users, web, city):
    from shian.core.tests.factories import UserFactory

    page = web(users["inspector"]).get("/inspections/plans/").content.decode()
    assert 'href="/inspections/plans/" class="active"' in page
    assert 'href="/inspections/" class="active"' not in page
    assert 'href="/inspections/plans/day/"' in page
    shop = BusinessFactory(region=city["haishu_street"])
    owner = UserFactory(username="own", role=Role.BUSINESS_STAFF, business=shop)
    assert "/inspections/plans/" not in web(owner).get("/").content.decode()


@pytest.mark.django_db
def test_control_characters_in_a_form_are_refused_naming_the_field(users, web, city):
    from shian.registry.models import Business

    before = Business.objects.count()
    response = web(users["haishu"]).post(
        "/registry/businesses/new/", {"name": "新店", "address": "海曙区\x01路", "region": city["haishu_grid"].pk}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "address" in html and "控制字符" in html and 'href="/"' in html
    assert Business.objects.count() == before
    # newlines and tabs in a text are fine
    ok = web(users["haishu"]).get("/registry/businesses/", {"q": "海曙\t"})
    assert ok.status_code == 200
