"""Where the current action comes from (an IP address, 'cli', 'system'), for the audit log.

Set by the request middleware and the CLI; services never see HTTP, they read this.

Behind the bureau's HTTPS proxy every request's peer (``REMOTE_ADDR``) is the proxy. :func:`client_ip`
finds the client: only when the peer is one of ``SHIAN_TRUSTED_PROXIES`` is the forwarding header
(``SHIAN_TRUSTED_PROXY_HEADER``, default ``X-Forwarded-For``) read, from the right, skipping the trusted
proxies' own hops; the first other address is the client. Whatever a client writes into the header
itself lies to the *left* of what our proxy appends, so it is never taken. Without trusted proxies
(the default) the header is ignored and the peer is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from contextvars import ContextVar

current_source: ContextVar[str] = ContextVar("shian_source", default="system")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
SOURCE_MAX_LENGTH = 64  # AuditEntry.source


def parse_networks(values: Iterable[str]) -> list[Network]:
    """``["10.0.0.1", "192.168.0.0/16", "::1"]`` as networks; a wrong value raises ValueError naming it."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"SHIAN_TRUSTED_PROXIES: {value!r} is not an IP address or network") from None
    return networks


def parse_address(value: str | None) -> Address | None:
    """An address as a proxy writes it ("1.2.3.4", "1.2.3.4:5678", "[::1]:80", "::ffff:1.2.3.4"), or None."""
    text = (value or "").strip().strip('"')
    if not text or len(text) > 100:
        return None
    if text.startswith("["):  # [v6]:port
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    text = text.split("%", 1)[0]  # a v6 zone
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: list[Network]) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def meta_key(header: str) -> str:
    """``X-Forwarded-For`` → ``HTTP_X_FORWARDED_FOR`` (a META key is kept as it is)."""
    if header.startswith("HTTP_"):
        return header
    return "HTTP_" + header.upper().replace("-", "_")


def client_ip(meta: dict, trusted: list[Network], header: str = "X-Forwarded-For") -> str:
    """The client's address for a request (``request.META``); "unknown" when there is none."""
    peer = parse_address(meta.get("REMOTE_ADDR"))
    if peer is None:
        return "unknown"
    if not trusted or not _trusted(peer, trusted):
        return str(peer)
    hops = [h for h in str(meta.get(meta_key(header), "")).split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:  # junk our proxy would not have written: stop at the last address we trust
            break
        client = address
        if not _trusted(address, trusted):
            break
    return str(client)[:SOURCE_MAX_LENGTH]
