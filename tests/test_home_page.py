"""The home page per role (core.home) and the columns/actions other apps add to the business pages
(core.listing), against hand counts on a small fixture."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from shian.core import home
from shian.core.choices import Role
from shian.core.tests.factories import UserFactory
from shian.hazards.choices import HazardState as S
from shian.hazards.models import Hazard
from shian.registry.tests.factories import BusinessFactory

pytestmark = pytest.mark.django_db


def _needs(user) -> dict[str, int]:
    return {n.key: n.count for n in home.needs_for(user, timezone.localdate())}


@pytest.fixture
def world(city, users):
    today = timezone.localdate()
    haishu_shop = BusinessFactory(region=city["haishu_street"], name="海曙饺子馆")
    haishu_other = BusinessFactory(region=city["haishu_street"], name="海曙面馆")
    jiangbei_shop = BusinessFactory(region=city["jiangbei"], name="江北小吃店")

    def hazard(business, state, **kw):
        return Hazard.objects.create(business=business, title=f"{state} 隐患", state=state, **kw)

    # 海曙: 2 with evidence to verify, 1 waiting for an order, 1 ordered and 3 days past its deadline,
    # 1 ordered and not yet due, 1 escalated case, 1 closed (counts nowhere)
    hazard(haishu_shop, S.EVIDENCE_SUBMITTED, deadline=today + dt.timedelta(days=2))
    hazard(haishu_other, S.EVIDENCE_SUBMITTED, deadline=today + dt.timedelta(days=5))
    hazard(haishu_shop, S.FOUND)
    hazard(haishu_shop, S.ORDERED, deadline=today - dt.timedelta(days=3))
    hazard(haishu_other, S.ORDERED, deadline=today + dt.timedelta(days=3))
    hazard(haishu_other, S.ESCALATED, escalated_on=today - dt.timedelta(days=1))
    hazard(haishu_shop, S.CLOSED, closed_on=today)
    # 江北: 1 with evidence to verify
    hazard(jiangbei_shop, S.EVIDENCE_SUBMITTED, deadline=today + dt.timedelta(days=1))
    staff = UserFactory(username="shopstaff", role=Role.BUSINESS_STAFF, business=haishu_shop)
    return {"haishu_shop": haishu_shop, "staff": staff}


def test_regulator_queue_counts_by_hand(world, users):
    needs = _needs(users["haishu"])
    assert {
        k: needs.get(k) for k in ("hazards_to_verify", "hazards_to_order", "hazards_overdue", "hazards_escalated")
    } == {
        "hazards_to_verify": 2,
        "hazards_to_order": 1,
        "hazards_overdue": 1,
        "hazards_escalated": 1,
    }
    assert _needs(users["jiangbei"]).get("hazards_to_verify") == 1
    assert "hazards_to_order" not in _needs(users["jiangbei"])  # nothing waiting: the line is left out
    assert _needs(users["admin"])["hazards_to_verify"] == 3  # the city sees both districts


def test_business_staff_get_their_day_not_a_queue(world):
    staff = world["staff"]
    assert _needs(staff) == {}
    cards = {c.key: c for c in home.cards_for(staff, timezone.localdate())}
    assert {"hazards", "business", "selfchecks", "inspection"} <= set(cards)
    # its own open hazards only: evidence submitted, found, ordered (overdue); not the closed one or others'
    assert cards["hazards"].context["total"] == 3


def test_home_page_renders_for_every_role(world, users, web):
    lab = UserFactory(username="lab", role=Role.LABORATORY, region=users["admin"].region)
    for user in [*users.values(), world["staff"], lab]:
        response = web(user).get("/")
        assert response.status_code == 200, user.username
    page = web(users["haishu"]).get("/").content.decode()
    assert re.search(r'data-need="hazards_to_verify".*?<span class="badge warn">2</span>', page, re.S)
    assert 'id="pending-role"' in web(lab).get("/").content.decode()
    assert 'id="pending-role"' not in page


def test_every_need_has_a_definition(world, users):
    for need in home.needs_for(users["admin"], timezone.localdate()):
        assert str(need.definition).strip(), need.key


def test_business_header_offers_what_the_user_may_do(world, users, web):
    url = f"/registry/businesses/{world['haishu_shop'].pk}/"
    inspector_page = web(users["inspector"]).get(url).content.decode()
    assert 'data-action="inspect"' in inspector_page and 'data-action="hazard"' in inspector_page
    staff_page = web(world["staff"]).get(url).content.decode()
    assert 'data-action="inspect"' not in staff_page


def test_business_list_shows_the_risk_grade(world, users, web):
    from shian.supervision.services import grades_recompute

    grades_recompute()
    page = web(users["haishu"]).get("/registry/businesses/").content.decode()
    assert 'data-column="grade"' in page
    from shian.supervision.models import BusinessGrade

    grade = BusinessGrade.objects.get(business=world["haishu_shop"]).grade
    row = re.search(r"海曙饺子馆.*?</tr>", page, re.S).group()
    assert re.search(rf'title="[^"]*">{grade}</span>', row)


def test_an_official_with_nothing_waiting_is_told_so(city, users, web):
    """An official's queue, empty, says so (even beside cards such as an inspector's day); business staff,
    whose page is their cards, get no queue at all."""
    inspector = users["inspector"]
    assert _needs(inspector) == {}
    assert [c.key for c in home.cards_for(inspector, timezone.localdate())] == ["my_day"]
    page = web(inspector).get("/").content.decode()
    assert 'id="needs-me"' in page and "暂无待办事项" in page and 'data-card="my_day"' in page
