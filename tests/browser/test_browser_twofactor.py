"""Two-step login in a real browser, on a desktop and on a phone (390 px): a person turns it on (the QR
code drawn on the server, the key, a first code), sees the ten recovery codes once, and at the next login
is asked for a code before anything else. Each page has its heading, raises no script error and is no
wider than the screen. The codes are computed here from the key the page shows, as a phone app would."""

import time

import pytest

from shian.twofactor import totp

PASSWORD = "Tf-browser-Kq7!2026"  # a password of its own: the account is made for this test


def _create_account(server, username: str) -> None:
    server.shian(
        "shell",
        "-c",
        "from shian.core.models import Region; from shian.core.services import user_create; "
        f"user_create(username={username!r}, password={PASSWORD!r}, role='district_regulator', "
        "region=Region.objects.get(code='330203'), last_name='两步', first_name='测试', validate_password=False)",
    )


def _log_in(v, username: str) -> None:
    v.go("/login/")
    v.page.fill("input[name=username]", username)
    v.page.fill("input[name=password]", PASSWORD)
    v.page.locator("form.form button.primary").click()
    v.page.wait_for_load_state()


def _fits(v, where: str) -> None:
    assert v.page.locator("main h1").count(), f"{where}: no heading"
    overflow = v.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{where}: {overflow}px wider than the screen"


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_turn_on_two_step_login_then_log_in_with_a_code(server, visit, phone):
    username = f"tf-{'phone' if phone else 'desktop'}"
    _create_account(server, username)
    v = visit(None, phone=phone)
    _log_in(v, username)
    assert "/login/" not in v.page.url

    v.go("/twofactor/")
    _fits(v, "status page")
    assert "两步登录" in v.text("main h1")
    v.page.locator("a[href='/twofactor/enrol/']").click()
    v.page.wait_for_load_state()
    assert v.page.url.endswith("/twofactor/enrol/")
    qr = v.page.locator("img.qr")
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert v.page.evaluate("document.querySelector('img.qr').naturalWidth") > 0  # the SVG draws
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["x"] + box["width"] <= v.page.viewport_size["width"]
    _fits(v, "enrolment")
    v.shot("twofactor-enrol")
    v.page.locator("details summary").click()
    key = v.page.locator("[data-secret]").inner_text()
    assert v.page.locator("[data-uri]").inner_text().startswith("otpauth://totp/ShiAn:")
    secret = totp.from_b32(key)

    v.page.fill("input[name=password]", PASSWORD)
    v.page.fill("input[name=code]", totp.totp(secret, time.time()))
    v.page.locator("form.form button.primary").click()
    v.page.wait_for_load_state()
    codes = v.page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10 and all(len(c) == 14 for c in codes)
    _fits(v, "recovery codes")
    v.shot("twofactor-recovery-codes")

    # the next login (a new browser session) is asked for a code before anything else
    again = visit(None, phone=phone)
    _log_in(again, username)
    assert "/twofactor/verify/" in again.page.url
    _fits(again, "code page")
    again.shot("twofactor-verify")
    again.go("/registry/businesses/")
    assert "/twofactor/verify/" in again.page.url  # nothing else opens until the code is given
    again.page.fill("input[name=code]", "000000" if totp.totp(secret, time.time()) != "000000" else "111111")
    again.page.locator("form.form button.primary").click()
    again.page.wait_for_load_state()
    assert "/twofactor/verify/" in again.page.url and again.page.locator("p.error").count()
    assert again.errors == ["Failed to load resource: the server responded with a status of 401 (Unauthorized)"]
    again.errors.clear()  # the wrong code's page answers 401, as the login page does for a wrong password
    # the next step's code: the enrolment's own code may still be the current one, and is used up
    again.page.fill("input[name=code]", totp.totp(secret, time.time() + totp.STEP_SECONDS))
    again.page.locator("form.form button.primary").click()
    again.page.wait_for_load_state()
    assert again.page.url.endswith("/registry/businesses/")
    assert not v.errors and not again.errors, v.errors + again.errors
