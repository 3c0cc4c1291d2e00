"""A home page per role, logged in through the real login form, on a desktop and a phone: what each
person sees first. Screenshots of each land in var/screenshots/."""

import pytest

ROLES = {
    # login: what must be on the home page
    "admin": ["#needs-me", "[data-kpi]"],
    "haishu": ["#needs-me", "[data-kpi]"],
    "street": ["#needs-me"],
    "inspector": ["[data-card=my_day]", "#needs-me"],
    "shop": ["[data-card=selfchecks]", "[data-card=hazards]", "[data-card=business]", "[data-card=inspection]"],
    "canteen": ["[data-card=selfchecks]", "[data-card=business]"],
    "lab": ["#pending-role"],
    "insurer": ["#pending-role"],
    "public": ["#pending-role"],
}


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
@pytest.mark.parametrize("login", list(ROLES))
def test_home_per_role(visit, login, phone):
    v = visit(login, phone=phone)
    v.go("/")
    for selector in ROLES[login]:
        assert v.page.locator(selector).count(), f"{login}: {selector} missing"
    assert v.page.locator("h1").inner_text().startswith("首页")
    # nothing wider than the screen on a phone
    if phone:
        overflow = v.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{login}: the page is {overflow}px wider than the phone"
    v.shot(f"home-{login}")
    assert not v.errors, v.errors


def test_needs_me_lines_open_their_lists(visit):
    v = visit("admin")
    v.go("/")
    needs = v.page.locator("#needs-me details[data-need]")
    assert needs.count() >= 2
    first = needs.first
    count = int(first.locator("summary .badge").inner_text())
    first.locator("summary").click()
    assert first.locator("ul.list li").count() == min(count, 5)
    first.locator("a.need-all").click()
    v.page.wait_for_load_state()
    assert v.page.url != v.server.url + "/"


def test_business_starts_its_daily_check_in_one_tap(visit):
    v = visit("shop", phone=True)
    v.go("/")
    v.page.locator("[data-start-selfcheck]").click()
    v.page.wait_for_load_state()
    assert "/selfchecks/" in v.page.url


def test_inspector_day_cards_start_an_inspection(visit):
    v = visit("inspector", phone=True)
    v.go("/")
    cards = v.page.locator("#home-visits .visit-card")
    if not cards.count():
        pytest.skip("the demo inspector has no visit planned for today")
    start = v.page.locator("#home-visits [data-start-inspection]").first
    start.click()
    v.page.wait_for_load_state()
    assert "/inspections/" in v.page.url
