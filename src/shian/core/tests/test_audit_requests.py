"""What the request layer writes to the audit log (RequestContextMiddleware): refusals (403) and downloads
(exports), for every page and API operation; and what a viewer of the audit tab sees of personal data."""

import pytest
from django.test import Client

from shian.core.audit import audit, lines_for
from shian.core.choices import AuditAction, Role
from shian.core.models import AuditEntry
from shian.core.tests.factories import UserFactory
from shian.registry.tests.factories import BusinessFactory

PHONE = "13812341234"
ID_NUMBER = "330203199001011236"


def denied(user):
    return AuditEntry.objects.filter(action=AuditAction.DENIED, actor=user)


def test_a_role_refusal_on_a_page_is_audited(users, web):
    public = users["public"]
    assert not denied(public).exists()
    assert web(public).get("/registry/businesses/").status_code == 403
    (entry,) = denied(public)
    assert entry.object_type == "registry.business"
    assert entry.object_repr == "GET /registry/businesses/"
    assert "view registry.business refused" in entry.note and entry.source == "127.0.0.1"
    assert entry.digest  # chained like every entry


def test_a_role_refusal_on_the_api_is_audited(users, api):
    public = users["public"]
    assert api(public).get("/api/businesses").status_code == 403
    (entry,) = denied(public)
    assert entry.object_repr == "GET /api/businesses" and "refused" in entry.note


def test_a_refusal_is_scoped_to_the_actors_area(users, city, web):
    inspector = users["inspector"]  # read-only register: may not create
    assert web(inspector).post("/registry/businesses/new/", {}).status_code == 403
    (entry,) = denied(inspector)
    assert entry.scope_path == city["haishu"].path and "add registry.business refused" in entry.note
    # the district sees it, the other district does not
    assert AuditEntry.objects.restrict(users["haishu"]).filter(pk=entry.pk).exists()
    assert not AuditEntry.objects.restrict(users["jiangbei"]).filter(pk=entry.pk).exists()


def test_anonymous_requests_are_not_audited(db):
    assert Client().get("/api/businesses").status_code in (401, 403)
    assert not AuditEntry.objects.filter(action=AuditAction.DENIED).exists()


def test_an_export_is_audited_with_its_filters(users, city, web):
    BusinessFactory(region=city["haishu_grid"])
    response = web(users["haishu"]).get("/registry/businesses/export.xlsx", {"q": "面馆", "status": "operating"})
    assert response.status_code == 200
    (entry,) = AuditEntry.objects.filter(action=AuditAction.EXPORT)
    assert entry.actor == users["haishu"] and entry.object_type == "registry.business"
    assert entry.note.startswith("businesses-") and ".xlsx" in entry.note and "status=operating" in entry.note
    assert entry.changes["bytes"] == len(response.content)
    assert entry.scope_path == city["haishu"].path


def test_a_page_is_not_an_export(users, web):
    assert web(users["haishu"]).get("/registry/businesses/").status_code == 200
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


# --- what a viewer sees (issue 10, item 6) ---------------------------------------------------------
@pytest.fixture
def shop_and_owner(city):
    shop = BusinessFactory(region=city["haishu_street"], name="海曙小店")
    owner = UserFactory(username="owner", role=Role.BUSINESS_STAFF, business=shop)
    return shop, owner


def test_the_audit_tab_masks_phones_and_id_numbers(users, shop_and_owner, web):
    shop, owner = shop_and_owner
    audit(
        actor=users["haishu"],
        action=AuditAction.UPDATE,
        obj=shop,
        # contact_phone is an encrypted field: the log stores it masked already (core.audit); the others
        # are stored as given and masked when shown
        changes={
            "contact_phone": ["", PHONE],
            "applicant_phone": ["", PHONE],
            "director_id_number": [None, ID_NUMBER],
            "name": ["a", "b"],
        },
        note=f"called {PHONE}",
    )
    for viewer in (owner, users["haishu"], users["admin"]):
        (line,) = lines_for(viewer, shop)
        assert line.changes["contact_phone"] == ["", "138****1234"]
        assert line.changes["applicant_phone"] == ["", "138****1234"]
        assert line.changes["director_id_number"] == [None, "330203********1236"]
        assert line.changes["name"] == ["a", "b"]
        assert line.note == "called 138****1234"
    # the business's staff: the regulator by role, no address, nothing unmasked on the page
    (line,) = lines_for(owner, shop)
    assert line.actor == str(Role.DISTRICT_REGULATOR.label) and line.source == ""
    page = web(owner).get(f"/registry/businesses/{shop.pk}/tabs/audit/").content.decode()
    for secret in (PHONE, ID_NUMBER, "haishu", "127.0.0.1"):
        assert secret not in page
    # the log itself keeps what happened
    stored = AuditEntry.objects.get(object_id=str(shop.pk), action=AuditAction.UPDATE)
    assert stored.changes["applicant_phone"][1] == PHONE and stored.changes["director_id_number"][1] == ID_NUMBER
