"""Food-safety incidents (食品安全事故, Food Safety Law Art. 150): recorded, scoped, and the one fact other
rules read (``selectors.latest_incident_on``)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from shian.core.choices import AuditAction
from shian.core.models import AuditEntry
from shian.hazards import selectors, services
from shian.hazards.models import Incident
from shian.registry.tests.factories import BusinessFactory

TODAY = timezone.localdate


@pytest.fixture
def shop(city):
    return BusinessFactory(name="海曙老王面馆", region=city["haishu_grid"])


def record(actor, business, days_ago=0, **kw):
    kw.setdefault("title", "食物中毒")
    return services.incident_create(
        actor=actor, business=business, occurred_on=TODAY() - dt.timedelta(days=days_ago), **kw
    )


def test_latest_incident_on_is_the_latest_day_or_none(users, shop, city):
    other = BusinessFactory(region=city["haishu_grid"])
    assert selectors.latest_incident_on(shop) is None
    record(users["haishu"], shop, days_ago=40)
    record(users["haishu"], shop, days_ago=200)
    record(users["haishu"], other, days_ago=3)
    assert selectors.latest_incident_on(shop) == TODAY() - dt.timedelta(days=40)
    assert selectors.latest_incident_on(shop.pk) == TODAY() - dt.timedelta(days=40)
    assert selectors.latest_incidents_on([shop.pk, other.pk]) == {
        shop.pk: TODAY() - dt.timedelta(days=40),
        other.pk: TODAY() - dt.timedelta(days=3),
    }


def test_an_escalated_hazard_is_not_an_incident(users, shop):
    hazard = services.hazard_create(actor=users["inspector"], business=shop, title="冷藏柜温度超标", severity="serious")
    services.hazard_transition(actor=users["haishu"], hazard=hazard, action="order", order_text="修")
    assert selectors.latest_incident_on(shop) is None


def test_recording_is_audited_and_scoped(users, shop):
    incident = record(users["inspector"], shop, diners_affected=40, ill_count=12, level="iv", source="medical")
    assert incident.reported_by == users["inspector"]
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(incident.pk)).exists()
    with pytest.raises(Http404):
        record(users["jiangbei"], shop)  # another district's regulator
    assert Incident.objects.count() == 1


@pytest.mark.parametrize(
    "kw,field",
    [
        ({"days_ago": -1}, "occurred_on"),
        ({"diners_affected": 5, "ill_count": 6}, "ill_count"),
        ({"title": "x" * 201}, "title"),
        ({"level": "v"}, "level"),
    ],
)
def test_bad_input_names_the_field(users, shop, kw, field):
    with pytest.raises(ValidationError) as exc:
        record(users["haishu"], shop, **kw)
    assert field in exc.value.message_dict
    assert not Incident.objects.exists()
