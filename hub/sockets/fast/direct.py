"""Receipts, acknowledgements and status reports handled by python-socketio directly.

These are the events every platform sends for every directive, all at once; Flask-SocketIO's per-event request
context (environ, URL matching, session) costs more than the event itself, and their handlers need none of it: the
socket id names the platform. Registered on the python-socketio server, they run on each socket's own reader in
the order sent. With ``HUB_FAST_OFF=direct_handlers`` they go through Flask-SocketIO like the other events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request
from flask_socketio import SocketIO

SidHandler = Callable[..., dict[str, Any]]  # (sid, data) -> answer


def register(socketio: SocketIO, namespace: str, handlers: dict[str, SidHandler], direct: bool = True) -> None:
    """Register each ``(sid, data)`` handler for its event, on python-socketio itself unless ``direct`` is off."""
    for event, handle in handlers.items():
        if direct:
            socketio.server.on(event, handle, namespace=namespace)
        else:
            socketio.on_event(event, _with_request_sid(handle), namespace=namespace)


def _with_request_sid(handle: SidHandler) -> Callable[..., dict[str, Any]]:
    def through_flask(*args: Any) -> dict[str, Any]:
        return handle(request.sid, *args)

    return through_flask
