"""``/metrics`` for Prometheus, on the hub's own port: open to a scraper on this machine (loopback, not through a
proxy) and to an admin's bearer token; closed to everyone else.

A request that came through a proxy is never "loopback", whatever address it shows: a proxy on the same machine
connects from 127.0.0.1 for every outside client, and with ``HUB_PROXY_COUNT`` the address is the one the proxy
names. So any forwarding header (``X-Forwarded-For``, ``Forwarded``, ``X-Real-IP``) makes it an outside request.
"""

from __future__ import annotations

import ipaddress

from flask import Flask, Response, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from hub import metrics
from hub.core.errors import Forbidden
from hub.models import Role
from hub.runtime import current_hub
from hub.web.auth import bearer_token, current_principal

FORWARDING = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


def from_loopback() -> bool:
    """The request came straight from this machine: a loopback peer and no proxy in between."""
    if any(header in request.headers for header in FORWARDING):
        return False
    peer = request.environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR", request.remote_addr)
    try:
        return ipaddress.ip_address((peer or "").split("%")[0]).is_loopback
    except ValueError:
        return False


def scrape() -> Response:
    """The metrics in Prometheus's text format, for a loopback scraper or an admin's token."""
    if not from_loopback():
        if bearer_token() is None:
            raise Forbidden("metrics_loopback_or_token")
        principal = current_principal()
        if principal.role != Role.ADMIN or principal.user_id is None:
            raise Forbidden("metrics_admin_token")
    body = generate_latest(metrics.scrape_registry(current_hub().engine))
    return Response(body, content_type=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    app.add_url_rule("/metrics", "metrics", scrape)
