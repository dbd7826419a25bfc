"""One log line per socket connect (accepted or refused, with the reason) and per disconnect (how long it lasted),
naming who and which organisation, and the count of connected sockets. Nothing is logged or counted per event or
per delivery: that path must stay cheap."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import request

from hub import metrics
from hub.core.access import Principal
from hub.web.requestlog import who

logger = logging.getLogger("hub.socket")
# sid -> (monotonic time of connect, principal): the principal is held anyway, so an entry costs a small tuple.
_opened: dict[str, tuple[float, Principal]] = {}


def accepted(namespace: str, sid: str, principal: Principal) -> None:
    """The socket ``sid`` was admitted for ``principal``."""
    acting = who(principal)
    _opened[sid] = (time.monotonic(), principal)
    metrics.connected.labels(namespace).inc()
    logger.info("connect", extra={"request_id": sid, "fields": _fields(namespace, "accepted", acting)})


def refused(namespace: str, reason: str) -> None:
    """A socket was refused (bad or missing credentials, a hub that could not check them)."""
    fields = {**_fields(namespace, "refused", {"who": "anonymous"}), "reason": reason}
    logger.info("connect", extra={"request_id": _sid(), "fields": fields})


def closed(namespace: str, sid: str, reason: Any = None) -> None:
    """The socket ``sid`` is gone; the line says how long it was connected."""
    opened, principal = _opened.pop(sid, (None, None))
    fields = _fields(namespace, "disconnected", who(principal))
    if opened is not None:
        metrics.connected.labels(namespace).dec()
        fields["seconds"] = round(time.monotonic() - opened, 1)
    if reason is not None:
        fields["reason"] = str(reason)
    logger.info("disconnect", extra={"request_id": sid, "fields": fields})


def _fields(namespace: str, result: str, acting: dict[str, str]) -> dict[str, Any]:
    return {"namespace": namespace, "result": result, **acting, "ip": _peer()}


def _sid() -> str:
    return getattr(request, "sid", None) or "-"


def _peer() -> str:
    try:
        return request.remote_addr or ""
    except RuntimeError:  # no request context (a disconnect noticed by the server's own task)
        return ""
