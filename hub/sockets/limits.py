"""Rate limits on the /platform events a machine can repeat: one decorator line per handler, counting in the same
budgets (and storage) as the JSON API (``hub/throttle.py``), so a platform over its limit is told how long to wait
whichever way it asks."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, request

from hub import throttle
from hub.sockets.connected import sockets
from hub.sockets.names import socketio

log = logging.getLogger(__name__)

Handler = Callable[..., dict[str, Any]]


def limited(kind: str) -> Callable[[Handler], Handler]:
    """Answer ``rate_limited`` with ``retry_after`` (seconds) instead of handling the event once the socket's
    platform has spent its ``kind`` budget (refused attempts spend nothing). Goes under ``@answered``."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def wrapper(data: dict[str, Any], **context: Any) -> dict[str, Any]:
            me = sockets.get(request.sid)
            wait = throttle.spend(kind, me.principal) if me is not None else None
            if wait is not None:
                return refusal(wait)
            return handler(data, **context)

        return wrapper

    return decorate


def refusal(wait: int) -> dict[str, Any]:
    """The answer to an event over the limit: the client should send it again after ``wait`` seconds."""
    message = f"too many requests; try again in {wait} s"
    return {"ok": False, "error": "rate_limited", "message": message, "retry_after": wait}


def within_limit(
    app: Flask, ledger: throttle.Ledger, handle: Callable[..., dict[str, Any]]
) -> Callable[..., dict[str, Any]]:
    """The same refusal for a handler registered on python-socketio directly (no request context: the platform
    socket is passed in), counted by a :class:`~hub.throttle.Ledger`: a storm of acknowledgements after a publish
    costs a dictionary update each, not a storage call each."""

    @functools.wraps(handle)
    def check(writer: Any, me: Any, data: dict[str, Any]) -> dict[str, Any]:
        if not ledger.settling:
            ledger.settling = True
            _start_settling(app, ledger)
        wait = ledger.spend(me.principal)
        return refusal(wait) if wait is not None else handle(writer, me, data)

    return check


def _start_settling(app: Flask, ledger: throttle.Ledger) -> None:
    """Settle ``ledger`` with the shared storage every ``Ledger.SETTLE_SECONDS`` in a background task."""

    def settle_forever() -> None:
        while True:
            socketio.sleep(ledger.SETTLE_SECONDS)
            try:
                with app.app_context():
                    ledger.settle()
            except Exception:
                log.exception("settling the %s budget failed", ledger.kind)

    socketio.start_background_task(settle_forever)
