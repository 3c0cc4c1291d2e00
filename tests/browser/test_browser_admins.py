"""The three administrators (三员) in a browser, on a desktop and on a phone: each opens its own pages
(home card, navigation, lists, forms) — headed, no script error, no wider than the screen — and is
refused the others'. On the desktop the whole split runs once: the system administrator creates an
account, the security administrator authorises it, the audit administrator finds both in the log and
exports it."""

import re

import pytest

PAGES = {
    "sysadmin": ["/", "/administration/accounts/", "/administration/accounts/new/"],
    "secadmin": [
        "/",
        "/administration/accounts/",
        "/administration/accounts/?state=pending",
        "/administration/security-policy/",
        "/administration/permissions/",
        "/twofactor/accounts/",
    ],
    "auditadmin": ["/", "/administration/audit/", "/administration/audit/chain/"],
}
REFUSED = {
    "sysadmin": ["/administration/audit/", "/administration/security-policy/", "/registry/businesses/"],
    "secadmin": ["/administration/accounts/new/", "/administration/audit/", "/registry/businesses/"],
    "auditadmin": ["/administration/accounts/", "/administration/permissions/", "/registry/businesses/"],
}


def _fits(v, what: str) -> None:
    overflow = v.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{what}: {overflow}px wider than the screen"


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
@pytest.mark.parametrize("login", ["sysadmin", "secadmin", "auditadmin"])
def test_each_administrator_opens_its_pages_and_no_others(visit, login, phone):
    v = visit(login, phone=phone)
    for path in PAGES[login]:
        v.go(path)
        if path != "/":
            assert v.page.locator("main h1").count(), f"{path}: no heading"
        _fits(v, path)
    v.go("/")
    assert v.page.locator("#home-admin").count() == 1  # the home page is not a dashboard of nothing
    v.shot(f"admins-home-{login}")
    v.go(PAGES[login][1])
    v.shot(f"admins-{login}")
    assert not v.errors, v.errors
    for path in REFUSED[login]:
        v.go(path, status=403)


def test_one_creates_another_authorises_the_third_reads(visit):
    sys_v = visit("sysadmin")
    sys_v.go("/administration/accounts/new/")
    sys_v.page.fill("input[name=username]", "browser-new")
    sys_v.page.fill("input[name=last_name]", "陈")
    sys_v.page.select_option("select[name=requested_role]", "inspector")
    sys_v.page.select_option("select[name=requested_region]", label="海曙区")
    sys_v.page.locator("form.form button.primary").click()
    sys_v.page.wait_for_load_state()
    password = sys_v.page.locator("#one-time-password").inner_text()
    assert len(password) == 16
    sys_v.page.locator("a.btn", has_text=re.compile("返回|Back")).click()
    sys_v.page.wait_for_load_state()
    account_url = sys_v.page.url
    assert sys_v.page.locator("#authorise").count() == 0  # the system administrator gives no roles

    sec_v = visit("secadmin")
    sec_v.go("/administration/accounts/?state=pending")
    sec_v.page.locator("#accounts a", has_text="browser-new").click()
    sec_v.page.wait_for_load_state()
    sec_v.page.locator("#authorise").click()
    sec_v.page.wait_for_load_state()
    assert sec_v.page.locator("select[name=role]").input_value() == "inspector"  # the request, pre-filled
    sec_v.page.locator("#authorise-form button.primary").click()
    sec_v.page.wait_for_load_state()
    assert sec_v.page.url == account_url
    assert "检查人员" in sec_v.text("#account") or "Inspector" in sec_v.text("#account")

    account_id = account_url.rstrip("/").rsplit("/", 1)[1]
    aud_v = visit("auditadmin")
    for actor in ("sysadmin", "secadmin"):  # the creation and the authorisation, each under its actor
        aud_v.go(f"/administration/audit/?actor={actor}&object_type=core.user")
        assert f"core.user #{account_id}" in aud_v.text("#audit-entries"), actor
    with aud_v.page.expect_download() as download:
        aud_v.page.locator("#audit-export").click()
    assert download.value.suggested_filename.startswith("audit-")
    assert not (sys_v.errors or sec_v.errors or aud_v.errors)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_one_time_password_reads_clearly_and_administrators_are_not_reset(visit, phone):
    """The review's checks in a browser: the one-time password is shown once, whole, on the screen (a phone
    too), with what to do next; another administrator's page offers the system administrator no reset or
    deactivation and says why."""
    name = f"review-{'phone' if phone else 'desktop'}"
    v = visit("sysadmin", phone=phone)
    v.go("/administration/accounts/new/")
    v.page.fill("input[name=username]", name)
    v.page.select_option("select[name=requested_role]", "inspector")
    v.page.select_option("select[name=requested_region]", label="海曙区")
    v.page.locator("form.form button.primary").click()
    v.page.wait_for_load_state()
    code = v.page.locator("#one-time-password")
    assert len(code.inner_text()) == 16
    box = code.bounding_box()
    width = v.page.evaluate("window.innerWidth")
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, "the password is cut off"
    assert "一次" in v.text("#password-once") or "once" in v.text("#password-once")
    _fits(v, "one-time password")
    v.shot("admins-password-once")
    v.page.locator("#password-once a.btn").click()
    v.page.wait_for_load_state()
    v.page.once("dialog", lambda d: d.accept())
    v.page.locator("#reset-password").click()  # an ordinary account: reset, a new one-time password
    v.page.wait_for_load_state()
    assert len(v.page.locator("#one-time-password").inner_text()) == 16
    v.go("/administration/accounts/?q=secadmin")
    v.page.locator("#accounts a", has_text="secadmin").first.click()
    v.page.wait_for_load_state()
    assert v.page.locator("#reset-password").count() == 0 and v.page.locator("#deactivate").count() == 0
    assert v.page.locator("#administrator-note").is_visible()
    _fits(v, "administrator's account")
    assert not v.errors, v.errors
