"""Where a webhook may point: HTTPS to a public address, never the hub itself or an internal network (SSRF).

The URL is checked when it is registered and its resolved addresses again at every send (against DNS rebinding):
loopback, private, link-local, multicast, reserved, unspecified and shared (CGNAT) addresses are refused, and so are
the hub's own host names, unless the regulator's admin allowed internal addresses for this webhook. Plain ``http``
likewise needs the regulator admin's allowance.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from hub.core.errors import InvalidInput

MAX_URL = 2000
CGNAT = ipaddress.ip_network("100.64.0.0/10")


class RefusedAddress(InvalidInput):
    kind = "refused_address"


def is_public(address: str) -> bool:
    """Whether an IP address is one the hub may call without an allowance."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (ip.version == 4 and ip in CGNAT)
    )


def check_url(url: str, *, allow_http: bool, allow_internal: bool, hub_hosts: Iterable[str]) -> tuple[str, int]:
    """Refuse a URL a webhook may not have; return its host and port."""
    if not url or len(url) > MAX_URL or any(c.isspace() for c in url):
        raise InvalidInput("webhook_url_invalid", max=MAX_URL)
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidInput("webhook_url_scheme")
    if parts.scheme == "http" and not allow_http:
        raise RefusedAddress("webhook_url_http")
    if parts.username or parts.password:
        raise InvalidInput("webhook_url_credentials")
    if parts.fragment:
        raise InvalidInput("webhook_url_fragment")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise InvalidInput("webhook_url_port") from None
    host = parts.hostname.rstrip(".").lower()
    if allow_internal:
        return host, port
    if host in {h.lower() for h in hub_hosts if h} or host == "localhost" or host.endswith(".localhost"):
        raise RefusedAddress("webhook_url_hub")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return host, port
    if not is_public(str(literal)):
        raise RefusedAddress("webhook_url_internal", host=host)
    return host, port


def check_addresses(host: str, addresses: Iterable[str], *, allow_internal: bool) -> list[str]:
    """The resolved addresses of ``host``, refusing them all if any is internal (a rebinding answer mixes both)."""
    found = list(dict.fromkeys(addresses))
    if not found:
        raise RefusedAddress("webhook_url_unresolved", host=host)
    if not allow_internal:
        bad = [a for a in found if not is_public(a)]
        if bad:
            raise RefusedAddress("webhook_url_resolves_internal", host=host, address=bad[0])
    return found
