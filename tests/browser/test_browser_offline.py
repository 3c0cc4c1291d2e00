"""The service worker keeps the inspection pages an inspector opened, for a dropped connection, and
forgets them when the session is over (issue 10, item 12: it used to keep them after the session expired)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

KEPT = "shian-offline-v1"


def _kept(page, path: str) -> bool:
    """Is the page at ``path`` among the kept copies? (The login page's own static files may be kept anew.)"""
    return page.evaluate(
        f"() => caches.open('{KEPT}').then(c => c.keys()).then(k => k.some(r => r.url.endsWith('{path}')))"
    )


def test_kept_for_offline_then_forgotten_when_the_session_ends(visit):
    v = visit("inspector", phone=True)
    v.go("/inspections/")
    links = v.page.locator("main a[href]").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    page = next(h for h in links if re.fullmatch(r"/inspections/\d+/", h))  # an inspection record
    v.go(page)  # its script registers the worker
    v.page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    v.go(page)  # now under the worker's control: this load is kept
    v.page.wait_for_function(
        f"() => caches.open('{KEPT}').then(c => c.keys()).then(k => k.some(r => r.url.endsWith('{page}')))"
    )
    assert _kept(v.page, page)
    heading = v.text("h1")

    v.context.set_offline(True)
    v.page.reload()
    assert v.text("h1") == heading  # the kept copy, offline
    v.context.set_offline(False)

    v.context.clear_cookies()  # the session ended (idle timeout, absolute lifetime) without the log-out form
    v.page.goto(v.server.url + page)
    assert "/login/" in v.page.url
    v.page.wait_for_function(
        f"() => caches.open('{KEPT}').then(c => c.keys()).then(k => !k.some(r => r.url.endsWith('{page}')))"
    )
    assert not _kept(v.page, page)

