"""Case leads (案件线索): 立案 is a person's decision with the bureau head's approval (市场监督管理行政处罚程序规定
Arts. 18-20). The lead table, the one service that applies it, the pages and the API."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shian.core.choices import AuditAction, Role
from shian.core.models import AuditEntry
from shian.core.tests.factories import UserFactory
from shian.hazards import services
from shian.hazards.choices import HazardState, LeadState, Severity
from shian.hazards.models import CaseLead, Hazard
from shian.registry.tests.factories import BusinessFactory

TODAY = timezone.localdate


@pytest.fixture
def shop(city):
    return BusinessFactory(name="海曙老王面馆", region=city["haishu_grid"])


@pytest.fixture
def lead(users, shop):
    hazard = services.hazard_create(actor=users["inspector"], business=shop, title="鼠患", severity=Severity.SERIOUS)
    services.raise_case_leads()
    return CaseLead.objects.get(hazard=hazard)


def decide(actor, lead, action, **kw):
    return services.case_lead_decide(actor=actor, lead=lead, action=action, **kw)


def test_accepting_opens_the_case_with_its_approval(users, lead):
    day = TODAY() - dt.timedelta(days=0)
    done = decide(
        users["haishu"], lead, "accept", approver="王局长", approved_on=day, case_number="甬海市监案〔2026〕12号"
    )
    assert (done.state, done.approver, done.approved_on, done.decided_by) == (
        "accepted",
        "王局长",
        day,
        users["haishu"],
    )
    hazard = Hazard.objects.get(pk=lead.hazard_id)
    assert hazard.state == HazardState.ESCALATED and hazard.escalated_on == day
    event = hazard.events.last()
    assert event.action == "escalate" and event.actor == users["haishu"] and "王局长" in event.note
    assert AuditEntry.objects.filter(action=AuditAction.TRANSITION, object_id=str(lead.pk)).exists()


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"approver": "", "approved_on": None}, "approver"),
        ({"approver": "王局长", "approved_on": None}, "approved_on"),
        ({"approver": "王局长", "approved_on": dt.date(2999, 1, 1)}, "approved_on"),
        ({"approver": "x" * 101, "approved_on": dt.date.today()}, "approver"),
        ({"approver": "王局长", "approved_on": dt.date.today(), "case_number": "x" * 65}, "case_number"),
    ],
)
def test_accepting_needs_the_approval(users, lead, kw, field):
    with pytest.raises(ValidationError) as exc:
        decide(users["haishu"], lead, "accept", **kw)
    assert field in exc.value.message_dict
    lead.refresh_from_db()
    assert lead.state == LeadState.OPEN and lead.hazard.state == HazardState.FOUND


def test_declining_needs_ground_and_reason_and_leaves_the_hazard_loop(users, lead):
    with pytest.raises(ValidationError) as exc:
        decide(users["haishu"], lead, "decline", ground="", reason="")
    assert set(exc.value.message_dict) == {"ground", "reason"}
    done = decide(users["haishu"], lead, "decline", ground="minor", reason="当场整改，无危害后果")
    assert done.state == LeadState.DECLINED and done.decline_reason == "当场整改，无危害后果"
    hazard = Hazard.objects.get(pk=lead.hazard_id)
    assert hazard.state == HazardState.FOUND and hazard.escalated_on is None
    assert hazard.events.last().action == "lead_declined"
    with pytest.raises(ValidationError):  # decided once: no second decision
        decide(users["haishu"], done, "accept", approver="王局长", approved_on=TODAY())


def test_only_the_bureaus_that_penalise_decide(users, lead):
    for who in ("inspector", "street"):
        with pytest.raises(PermissionDenied):
            decide(users[who], lead, "accept", approver="王局长", approved_on=TODAY())
    from django.http import Http404

    with pytest.raises(Http404):  # another district's bureau: not found
        decide(users["jiangbei"], lead, "accept", approver="王局长", approved_on=TODAY())
    assert CaseLead.objects.get(pk=lead.pk).state == LeadState.OPEN


def test_a_referral_needs_its_facts_and_one_open_lead_per_hazard(users, shop, lead):
    hazard = services.hazard_create(actor=users["inspector"], business=shop, title="无证经营")
    with pytest.raises(ValidationError) as exc:
        services.case_lead_raise(actor=users["inspector"], hazard=hazard, detail="")
    assert "detail" in exc.value.message_dict
    services.case_lead_raise(actor=users["inspector"], hazard=hazard, detail="拒不整改")
    with pytest.raises(ValidationError):
        services.case_lead_raise(actor=users["inspector"], hazard=hazard, detail="再次移送")
    owner = UserFactory(role=Role.BUSINESS_STAFF, business=shop)
    with pytest.raises(PermissionDenied):
        services.case_lead_raise(actor=owner, hazard=hazard, detail="x")


def test_pages_list_leads_and_decide_with_field_errors(users, web, lead):
    client = web(users["haishu"])
    page = client.get("/hazards/leads/").content.decode()
    assert "鼠患" in page and f'data-lead="{lead.pk}"' in page
    assert "鼠患" not in web(users["jiangbei"]).get("/hazards/leads/").content.decode()  # scoped to the region
    url = f"/hazards/{lead.hazard_id}/lead/decide/"
    response = client.post(url, {"action": "accept", "version": lead.version, "approver": "", "approved_on": ""})
    assert response.status_code == 200 and set(response.context["form"].errors) == {"approver", "approved_on"}
    response = client.post(url, {"action": "decline", "version": lead.version, "ground": "", "reason": ""})
    assert set(response.context["form"].errors) == {"ground", "reason"}
    response = client.post(
        url, {"action": "accept", "version": lead.version, "approver": "王局长", "approved_on": TODAY().isoformat()}
    )
    assert response.status_code == 302
    assert CaseLead.objects.get(pk=lead.pk).state == LeadState.ACCEPTED
    hazard_page = client.get(f"/hazards/{lead.hazard_id}/").content.decode()
    assert 'id="leads"' in hazard_page and "王局长" in hazard_page
    # the inspector sees the lead but is offered no decision
    inspector_page = web(users["inspector"]).get(f"/hazards/{lead.hazard_id}/lead/")
    assert inspector_page.status_code == 200 and inspector_page.context["form"] is None


def test_a_business_sees_no_lead(users, web, shop, lead):
    owner = UserFactory(role=Role.BUSINESS_STAFF, business=shop)
    assert web(owner).get("/hazards/leads/").status_code == 403
    page = web(owner).get(f"/hazards/{lead.hazard_id}/").content.decode()
    assert 'id="leads"' not in page and 'data-action="lead"' not in page


def test_home_needs_show_open_leads_to_deciders(users, web, lead):
    from shian.hazards import home

    need = home.open_leads(users["haishu"], TODAY())
    assert need.count == 1 and need.definition
    assert home.open_leads(users["inspector"], TODAY()) is None
    assert home.open_leads(users["jiangbei"], TODAY()).count == 0


def test_api_refer_and_decide(users, api, shop, lead):
    client = api(users["haishu"])
    response = client.post(f"/api/hazards/{lead.hazard_id}/leads/decision", {"action": "accept"})
    assert response.status_code == 422
    assert {e["loc"][-1] for e in response.json()["detail"]} >= {"approver", "approved_on"}
    response = client.post(f"/api/hazards/{lead.hazard_id}/leads/decision", {"action": "open_case"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "action"
    response = client.post(
        f"/api/hazards/{lead.hazard_id}/leads/decision",
        {"action": "decline", "ground": "first", "reason": "初次违法，危害轻微并已改正"},
    )
    assert response.status_code == 200 and response.json()["state"] == "declined"
    assert client.get("/api/case-leads?state=declined").json()["count"] == 1
    hazard = services.hazard_create(actor=users["inspector"], business=shop, title="无证经营")
    response = client.post(f"/api/hazards/{hazard.pk}/leads", {"detail": "拒不整改"})
    assert response.status_code == 201 and response.json()["reason"] == "referral"
    assert api(users["jiangbei"]).post(f"/api/hazards/{hazard.pk}/leads", {"detail": "x"}).status_code == 404
    response = client.post(f"/api/hazards/{hazard.pk}/transitions", {"action": "escalate", "note": "x"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "action"
