"""Namespace ``/console``: signed-in regulator and provincial staff watch live progress within their scope."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_socketio import join_room

from hub.core.access import Principal, require_reader, scope_of
from hub.sockets import connlog
from hub.sockets.credentials import admit, principal_for, refusing
from hub.sockets.names import CONSOLE_ALL, CONSOLE_NS, province_room, socketio


def console_room(principal: Principal) -> str:
    """The central regulator watches everything; a provincial department its province."""
    scope = scope_of(principal)
    return CONSOLE_ALL if scope.everything else province_room(scope.province)


@socketio.on("connect", namespace=CONSOLE_NS)
def connect(auth: Any = None) -> None:
    with refusing(CONSOLE_NS):
        principal = principal_for(auth, require_reader, "console_sign_in_first")
    admit(CONSOLE_NS, request.sid, principal)
    connlog.accepted(CONSOLE_NS, request.sid, principal)
    join_room(console_room(principal))


@socketio.on("disconnect", namespace=CONSOLE_NS)
def disconnect(reason: Any = None, *_: Any) -> None:
    connlog.closed(CONSOLE_NS, request.sid, reason)
