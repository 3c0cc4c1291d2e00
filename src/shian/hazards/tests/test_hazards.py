import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shian.core.choices import AuditAction, Role
from shian.core.models import AuditEntry
from shian.core.tests.factories import UserFactory
from shian.hazards import selectors, services, transitions
from shian.hazards.choices import HazardState, Severity
from shian.hazards.models import CaseLead, Hazard, Notification
from shian.registry.tests.factories import BusinessFactory

# a real 1×1 PNG: uploaded images are decoded and re-encoded (core.files), so a bare header is refused
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)
TODAY = timezone.localdate


@pytest.fixture
def shop(city):
    return BusinessFactory(name="海曙老王面馆", region=city["haishu_grid"])


@pytest.fixture
def owner(shop):
    return UserFactory(username="owner", role=Role.BUSINESS_STAFF, business=shop)


@pytest.fixture
def hazard(users, shop):
    return services.hazard_create(actor=users["inspector"], business=shop, title="冷藏柜温度超标")


def photo(name="photo.png", data=PNG):
    return SimpleUploadedFile(name, data, content_type="image/png")


def step(actor, hazard, action, **kw):
    return services.hazard_transition(actor=actor, hazard=hazard, action=action, **kw)


def test_closed_loop(users, owner, hazard):
    inspector = users["inspector"]
    hazard = step(inspector, hazard, "order", order_text="三日内修复冷藏柜")
    assert hazard.state == HazardState.ORDERED
    assert hazard.deadline == TODAY() + dt.timedelta(days=15)  # the general-severity rule
    hazard = step(owner, hazard, "start")
    services.evidence_add(actor=owner, hazard=hazard, upload=photo())
    hazard = step(owner, hazard, "submit")
    hazard = step(inspector, hazard, "verify")
    hazard = step(inspector, hazard, "close")
    assert hazard.state == HazardState.CLOSED and hazard.closed_on == TODAY()
    assert [e.to_state for e in hazard.events.all()] == [
        "found",
        "ordered",
        "rectifying",
        "evidence_submitted",
        "verified",
        "closed",
    ]
    transitions_audited = AuditEntry.objects.filter(action=AuditAction.TRANSITION, object_id=str(hazard.pk))
    assert transitions_audited.count() == 5
    assert transitions_audited.filter(actor=owner).count() == 2


def test_out_of_order_refused_and_nothing_changes(users, hazard):
    with pytest.raises(ValidationError):
        step(users["inspector"], hazard, "close")
    with pytest.raises(ValidationError):
        step(users["inspector"], hazard, "verify")
    hazard.refresh_from_db()
    assert hazard.state == HazardState.FOUND and hazard.version == 1
    assert not AuditEntry.objects.filter(action=AuditAction.TRANSITION).exists()


def test_business_cannot_verify_its_own_hazard(users, owner, hazard):
    hazard = step(users["inspector"], hazard, "order")
    services.evidence_add(actor=owner, hazard=hazard, upload=photo())
    hazard = step(owner, hazard, "submit")
    with pytest.raises(PermissionDenied):
        step(owner, hazard, "verify")
    with pytest.raises(ValidationError) as exc:  # a case is opened only by accepting a case lead
        step(owner, hazard, "escalate", note="x")
    assert "action" in exc.value.message_dict
    hazard.refresh_from_db()
    assert hazard.state == HazardState.EVIDENCE_SUBMITTED


def test_submit_needs_evidence_and_reject_needs_a_note(users, owner, hazard):
    hazard = step(users["inspector"], hazard, "order")
    with pytest.raises(ValidationError):
        step(owner, hazard, "submit")
    services.evidence_add(actor=owner, hazard=hazard, upload=photo())
    hazard = step(owner, hazard, "submit")
    with pytest.raises(ValidationError) as exc:
        step(users["inspector"], hazard, "reject")
    assert "note" in exc.value.message_dict
    hazard = step(users["inspector"], hazard, "reject", note="照片看不清")
    assert hazard.state == HazardState.RECTIFYING
    assert Notification.objects.filter(user=owner, text__contains="照片看不清").exists()


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("fake.jpg", b"this is text, not a photo", "not a JPEG / PNG / PDF"),
        ("big.png", PNG + b"\x00" * (10 * 1024 * 1024), "at most 10 MB"),
        ("script.pdf", b"#!/bin/sh\nrm -rf /", "not a JPEG / PNG / PDF"),
    ],
)
def test_bad_evidence_refused(users, hazard, name, data, fragment):
    from django.utils import translation

    hazard = step(users["inspector"], hazard, "order")
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.evidence_add(actor=users["inspector"], hazard=hazard, upload=photo(name, data))
    assert fragment in exc.value.message_dict["file"][0]
    assert not hazard.evidence.exists()


def test_pdf_evidence_accepted(users, hazard):
    hazard = step(users["inspector"], hazard, "order")
    evidence = services.evidence_add(
        actor=users["inspector"],
        hazard=hazard,
        upload=SimpleUploadedFile("整改.pdf", b"%PDF-1.7\n...", "application/pdf"),
    )
    assert evidence.content_type == "application/pdf"


def test_second_save_from_a_stale_page_is_a_conflict(users, hazard):
    step(users["inspector"], hazard, "order", expected_version=1)
    with pytest.raises(services.ConflictError):
        step(users["street"], hazard, "verify", note="重复处理", expected_version=1)
    hazard.refresh_from_db()
    assert hazard.state == HazardState.ORDERED and hazard.version == 2


def test_the_nightly_job_raises_case_leads_and_opens_no_case(users, owner, hazard, shop):
    """立案 is a person's decision (市场监督管理行政处罚程序规定 Arts. 18-19): the job raises leads for the
    overdue (past the grace days) and the serious, and escalates nothing."""
    hazard = step(users["inspector"], hazard, "order")
    Hazard.objects.filter(pk=hazard.pk).update(deadline=TODAY() - dt.timedelta(days=8))  # grace for general: 7
    recent = services.hazard_create(actor=users["inspector"], business=shop, title="未超期")
    step(users["inspector"], recent, "order")
    serious = services.hazard_create(actor=users["inspector"], business=shop, title="鼠患", severity=Severity.SERIOUS)
    assert services.raise_case_leads() == 2
    assert not Hazard.objects.filter(state=HazardState.ESCALATED).exists()
    assert {(lead.hazard_id, lead.reason, lead.state) for lead in CaseLead.objects.all()} == {
        (hazard.pk, "overdue", "open"),
        (serious.pk, "serious", "open"),
    }
    assert Hazard.objects.get(pk=recent.pk).state == HazardState.ORDERED
    assert Notification.objects.filter(user=users["haishu"]).count() == 2  # the district bureau is told
    assert not Notification.objects.filter(user=owner).exists()  # a lead is the bureau's own
    assert not Notification.objects.filter(user=users["jiangbei"]).exists()
    assert services.raise_case_leads() == 0  # idempotent
    event = Hazard.objects.get(pk=hazard.pk).events.last()
    assert (event.action, event.actor, event.actor_name) == ("lead", None, "system")


def test_a_declined_serious_lead_is_raised_again_when_overdue_but_not_twice(users, shop):
    serious = services.hazard_create(actor=users["inspector"], business=shop, title="鼠患", severity=Severity.SERIOUS)
    assert services.raise_case_leads() == 1
    lead = CaseLead.objects.get()
    services.case_lead_decide(
        actor=users["haishu"], lead=lead, action="decline", ground="minor", reason="当场整改，无危害后果"
    )
    assert services.raise_case_leads() == 0  # declined as serious: not raised again for the same reason
    step(users["inspector"], serious, "order")
    Hazard.objects.filter(pk=serious.pk).update(deadline=TODAY() - dt.timedelta(days=1))  # serious: no grace
    assert services.raise_case_leads() == 1
    assert list(CaseLead.objects.order_by("id").values_list("reason", "state")) == [
        ("serious", "declined"),
        ("overdue", "open"),
    ]


def test_kpis(users, shop):
    def closed(days_to_close, deadline_days):
        h = services.hazard_create(
            actor=users["inspector"], business=shop, title="x", found_on=TODAY() - dt.timedelta(days=days_to_close)
        )
        Hazard.objects.filter(pk=h.pk).update(
            state=HazardState.CLOSED, closed_on=TODAY(), deadline=h.found_on + dt.timedelta(days=deadline_days)
        )

    closed(4, 7)
    closed(10, 7)  # late
    closed(6, 7)
    open_one = services.hazard_create(actor=users["inspector"], business=shop, title="open")
    Hazard.objects.filter(pk=open_one.pk).update(state=HazardState.ORDERED, deadline=TODAY() - dt.timedelta(days=1))
    k = selectors.hazard_kpis(users["haishu"])
    assert k["closed"] == 3 and k["on_time_rate"] == 66.7 and k["median_days_to_close"] == 6
    assert k["open"] == 1 and k["overdue"] == 1
    assert k["by_region"] == [{"code": "330203001", "name": "海曙区一街道", "open": 1, "overdue": 1}]
    assert selectors.hazard_kpis(users["jiangbei"])["open"] == 0


def test_transition_table_is_consistent():
    for t in transitions.TRANSITIONS:
        assert t.source != t.target
    # a case is opened only through an accepted lead, by the roles that decide leads
    for t in transitions.TRANSITIONS:
        assert t.by_lead_only == (t.action == "escalate")
        if t.by_lead_only:
            assert t.roles == transitions.DECIDERS and transitions.SYSTEM not in t.roles
    for t in transitions.LEAD_TRANSITIONS:
        assert t.source == "open" and t.target != t.source and t.roles == transitions.DECIDERS
    # no business role can verify, reject, close or escalate; no regulator takes the business's own steps
    for t in transitions.TRANSITIONS:
        if t.action in {"verify", "reject", "close", "escalate"}:
            assert not (t.roles & transitions.BUSINESS)
        if t.action in {"start", "submit"}:
            assert not (t.roles & transitions.REGULATORS)
    # every step a state offers on the page is either the one it waits for, or someone else's option
    for state, waiting in transitions.WAITING.items():
        assert waiting.actions <= {t.action for t in transitions.TRANSITIONS if t.source == state}


def test_on_time_rate_counts_escalations_against_it(users, shop):
    """Hand count: 2 closed in time, 1 closed late, 1 closed after escalation (within its deadline on
    paper), 2 still escalated → 2 on time of 6 ended loops = 33.3 %."""

    def hazard(state, closed_days=None, deadline_days=7, escalated=False):
        h = services.hazard_create(
            actor=users["inspector"], business=shop, title="x", found_on=TODAY() - dt.timedelta(days=20)
        )
        Hazard.objects.filter(pk=h.pk).update(
            state=state,
            deadline=h.found_on + dt.timedelta(days=deadline_days),
            closed_on=h.found_on + dt.timedelta(days=closed_days) if closed_days is not None else None,
            escalated_on=h.found_on + dt.timedelta(days=deadline_days + 1) if escalated else None,
        )

    hazard(HazardState.CLOSED, closed_days=3)
    hazard(HazardState.CLOSED, closed_days=7)
    hazard(HazardState.CLOSED, closed_days=12)  # late
    hazard(HazardState.CLOSED, closed_days=5, escalated=True)
    hazard(HazardState.ESCALATED, escalated=True)
    hazard(HazardState.ESCALATED, escalated=True)
    k = selectors.hazard_kpis(users["haishu"])
    assert (k["on_time"], k["ended"], k["on_time_rate"]) == (2, 6, 33.3)
