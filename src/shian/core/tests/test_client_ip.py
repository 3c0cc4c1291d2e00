"""The client's address behind the bureau's HTTPS proxy (core.context.client_ip, RequestContextMiddleware):
X-Forwarded-For is believed only from SHIAN_TRUSTED_PROXIES, read from the right; what a client writes
into it cannot choose the address the audit log records."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from shian.core.choices import AuditAction
from shian.core.context import client_ip, parse_address, parse_networks
from shian.core.models import AuditEntry
from shian.core.tests.factories import PASSWORD

PROXY = "10.0.0.2"
TRUSTED = parse_networks(["10.0.0.0/24", "fd00::/8"])


def ip(remote, forwarded=None, trusted=TRUSTED, header="X-Forwarded-For"):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_" + header.upper().replace("-", "_")] = forwarded
    return client_ip(meta, trusted, header)


def test_without_trusted_proxies_the_header_is_ignored():
    assert ip("203.0.113.5", "198.51.100.1", trusted=[]) == "203.0.113.5"


def test_the_peer_is_the_client_when_it_is_not_a_trusted_proxy():
    """A client that sends its own X-Forwarded-For straight to the server is recorded as itself."""
    assert ip("203.0.113.5", "198.51.100.1") == "203.0.113.5"


def test_behind_a_trusted_proxy_the_client_is_the_right_most_other_hop():
    assert ip(PROXY, "198.51.100.7") == "198.51.100.7"
    # the client wrote a fake address itself; our proxy appended the real one on the right
    assert ip(PROXY, "1.2.3.4, 198.51.100.7") == "198.51.100.7"
    assert ip(PROXY, "1.2.3.4,198.51.100.7, 10.0.0.3") == "198.51.100.7"  # two proxies of ours


def test_every_hop_trusted_gives_the_left_most():
    assert ip(PROXY, "10.0.0.9, 10.0.0.3") == "10.0.0.9"
    assert ip(PROXY, "") == PROXY
    assert ip(PROXY) == PROXY


def test_junk_in_the_header_stops_at_the_last_trusted_hop():
    assert ip(PROXY, "198.51.100.7, <script>") == PROXY
    assert ip(PROXY, "198.51.100.7, unknown, 10.0.0.3") == "10.0.0.3"
    assert ip(PROXY, "x" * 10_000) == PROXY


def test_ports_ipv6_and_mapped_addresses():
    assert ip(PROXY, "198.51.100.7:51234") == "198.51.100.7"
    assert ip(PROXY, "[2001:db8::1]:443") == "2001:db8::1"
    assert ip("fd00::1", "2001:db8::5") == "2001:db8::5"
    assert ip("::ffff:10.0.0.2", "198.51.100.7") == "198.51.100.7"  # a v4 proxy seen through a v6 socket
    assert parse_address("fe80::1%eth0") is not None
    assert ip("", "198.51.100.7") == "unknown"


def test_another_header_may_be_configured():
    assert ip(PROXY, "198.51.100.7", header="X-Real-IP") == "198.51.100.7"


def test_a_wrong_trusted_proxy_is_refused_at_start(settings):
    from shian.core.middleware import RequestContextMiddleware

    settings.TRUSTED_PROXIES = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured, match="10.0.0.0/33"):
        RequestContextMiddleware(lambda request: None)


# --- through the middleware: what the audit log records ---------------------------------------------
def _refused_as(user, **meta):
    client = Client(**meta)
    assert client.login(username=user.username, password=PASSWORD)
    response = client.get("/registry/businesses/")
    assert response.status_code == 403
    return AuditEntry.objects.filter(action=AuditAction.DENIED, actor=user).latest("id")


def test_the_audit_log_records_the_client_behind_the_proxy(users, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    entry = _refused_as(users["public"], REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert entry.source == "198.51.100.7"


def test_a_spoofed_header_from_outside_is_not_believed(users, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    entry = _refused_as(users["public"], REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.0.0.5")
    assert entry.source == "203.0.113.9"


def test_without_configuration_the_proxy_is_recorded(users, settings):
    settings.TRUSTED_PROXIES = []
    entry = _refused_as(users["public"], REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert entry.source == PROXY
