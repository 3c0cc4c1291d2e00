"""The service worker keeps the inspection pages an inspector opened, for a dropped connection, and
forgets them when the session is over (issue 10, item 12: it used to keep them after the session expired)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

KEPT = "shian-offline-v1"


def _kept(page) -> bool:
    return page.evaluate(f"() => caches.has('{KEPT}')")


def test_kept_for_offline_then_forgotten_when_the_session_ends(visit):
    v = visit("inspector", phone=True)
    v.go("/inspections/plans/day/")
    v.page.evaluate("() => navigator.serviceWorker.ready")
    v.go("/inspections/plans/day/")  # now under the worker's control: this load is kept
    v.page.wait_for_function(
        f"() => caches.open('{KEPT}').then(c => c.keys()).then(k => k.some(r => r.url.includes('/plans/day/')))"
    )
    heading = v.text("h1")

    v.context.set_offline(True)
    v.page.reload()
    assert v.text("h1") == heading  # the kept copy, offline
    v.context.set_offline(False)

    v.context.clear_cookies()  # the session ended (idle timeout, absolute lifetime) without the log-out form
    v.page.goto(v.server.url + "/inspections/plans/day/")
    assert "/login/" in v.page.url
    v.page.wait_for_function(f"() => caches.has('{KEPT}').then(has => !has)")
    assert not _kept(v.page)
