"""The account page and the pages it leads to (password change, two-step login) open on a
desktop and a phone: heading, no script error, no wider than the screen. (Changing the password is tested in
accounts/tests: here it would change a demo login the other browser tests share.)"""

import pytest


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_account_pages_open(visit, phone):
    v = visit("canteen", phone=phone)
    for path in ("/account/", "/account/password/", "/twofactor/"):
        v.go(path)
        assert v.page.locator("main h1").count(), path
        overflow = v.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path}: {overflow}px wider than the screen"
    assert not v.errors, v.errors
