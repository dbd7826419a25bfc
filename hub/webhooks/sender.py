"""One signed POST to a webhook, to an address checked at send time.

The host is resolved here and every address it resolves to is checked (``hub.core.webhook_urls``) before the
connection is made to one of those same addresses, so a DNS answer that changes between the check and the connect
(rebinding) cannot point the hub inward. TLS still verifies the certificate against the URL's host name. Every
socket operation has a timeout and the answer's body is read only up to a few kilobytes.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from hub import __version__
from hub.core import webhook_signing, webhook_urls

READ_LIMIT = 4096


@dataclass
class Answer:
    """What a receiver answered: an HTTP status, or none and the reason."""

    status: int | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (TCP)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, address: str, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, address: str, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def post(
    url: str,
    secret: str,
    body: bytes,
    *,
    allow_internal: bool,
    hub_hosts: tuple[str, ...],
    timeout: float,
    delivery_id: int,
    kind: str,
) -> Answer:
    """POST ``body`` signed with ``secret``; never raises for network trouble (it is an answer like any other)."""
    try:
        host, port = webhook_urls.check_url(url, allow_http=True, allow_internal=allow_internal, hub_hosts=hub_hosts)
        addresses = webhook_urls.check_addresses(host, resolve(host, port), allow_internal=allow_internal)
    except webhook_urls.RefusedAddress as exc:
        return Answer(None, exc.message)
    except (OSError, ValueError) as exc:
        return Answer(None, f"cannot resolve {urlsplit(url).hostname}: {exc}")
    parts = urlsplit(url)
    if parts.scheme == "https":
        conn = _PinnedHTTPSConnection(addresses[0], host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        conn = _PinnedHTTPConnection(addresses[0], host, port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": f"DirectiveHub-Webhook/{__version__}",
        webhook_signing.HEADER: webhook_signing.header(secret, int(time.time()), body),
        "Hub-Delivery": str(delivery_id),
        "Hub-Event": kind,
    }
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read(READ_LIMIT)
        return Answer(response.status, "" if 200 <= response.status < 300 else f"HTTP {response.status}")
    except (OSError, http.client.HTTPException) as exc:
        return Answer(None, f"{type(exc).__name__}: {exc}"[:300])
    finally:
        conn.close()
