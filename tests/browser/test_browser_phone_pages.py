"""Every page in the navigation, and the first row's page of each list, opens on a phone (390 px): it
answers 200, has its heading, raises no script error and is no wider than the screen (wide tables scroll
inside their own box). Run for the city administrator (every module's pages, the case leads and incidents
among them) and for a business's staff (their own pages)."""

import pytest
from test_browser_language import _pages  # same folder (rootdir import mode)


@pytest.mark.parametrize("login", ["admin", "shop"])
def test_every_page_fits_a_phone(visit, login):
    v = visit(login, phone=True)
    problems = []
    for path in _pages(v):
        v.go(path)
        if not v.page.locator("main h1").count():
            problems.append(f"{path}: no heading")
        overflow = v.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 1:
            problems.append(f"{path}: {overflow}px wider than the phone")
    assert not v.errors, v.errors
    assert not problems, "\n".join(problems)
