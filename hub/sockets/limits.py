"""Rate limits on the /platform events a machine can repeat: one decorator line per handler, counting in the same
budgets (and storage) as the JSON API (``hub/throttle.py``), so a platform over its limit is told how long to wait
whichever way it asks."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import request

from hub import throttle
from hub.sockets.connected import sockets

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


def within_limit(kind: str, limits: str, handle: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """The same refusal for a handler registered on python-socketio directly (no request context: the platform
    socket and the configured ``limits`` are passed in)."""

    @functools.wraps(handle)
    def check(writer: Any, me: Any, data: dict[str, Any]) -> dict[str, Any]:
        wait = throttle.spend(kind, me.principal, limits)
        return refusal(wait) if wait is not None else handle(writer, me, data)

    return check
