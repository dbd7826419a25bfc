"""Namespace ``/console``: signed-in regulator and provincial staff watch live progress within their scope."""

from __future__ import annotations

import logging
from typing import Any

from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room

from hub import clock
from hub.core import registry
from hub.core.access import Principal, require_reader
from hub.core.errors import Forbidden, HubError, Unauthenticated
from hub.db import read_session
from hub.sockets.names import CONSOLE_ALL, CONSOLE_NS, province_room, socketio
from hub.state import current_hub

log = logging.getLogger(__name__)


def _authenticate(auth: Any) -> Principal:
    token = auth.get("token") if isinstance(auth, dict) else None
    if token is not None:
        if not isinstance(token, str):
            raise Unauthenticated("token: text is required")
        with read_session(current_hub().engine) as session:
            principal = registry.resolve_token(session, token, clock.now())
    elif current_user.is_authenticated:
        principal = current_user.principal
    else:
        raise Unauthenticated("sign in first")
    try:
        require_reader(principal)
    except Forbidden as exc:
        raise Unauthenticated(exc.message) from None
    return principal


def console_room(principal: Principal) -> str:
    """The central regulator watches everything; a provincial department its province."""
    return CONSOLE_ALL if principal.is_regulator else province_room(principal.province)


@socketio.on("connect", namespace=CONSOLE_NS)
def connect(auth: Any = None) -> None:
    try:
        principal = _authenticate(auth)
    except HubError as exc:
        raise ConnectionRefusedError(f"{exc.code}: {exc.message}") from None
    except Exception:
        log.exception("console connect failed")
        raise ConnectionRefusedError("unavailable: the hub could not check the credentials now") from None
    join_room(console_room(principal))
