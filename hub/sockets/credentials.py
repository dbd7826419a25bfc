"""Who a connecting socket speaks for, on either namespace: the token in its ``auth``, or the signed-in user of its
session cookie. A connection that cannot be admitted is refused with ``"<code>: <reason>"``, which a client sees as
the ``connect_error`` reason."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app
from flask_login import current_user
from flask_socketio import ConnectionRefusedError

from hub import clock
from hub.core import tokens
from hub.core.access import Principal
from hub.core.errors import Forbidden, HubError, Unauthenticated
from hub.db import read_session
from hub.runtime import current_hub
from hub.sockets import connlog
from hub.sockets.names import socketio
from hub.sockets.periodic import start_credential_check

log = logging.getLogger(__name__)


def principal_for(auth: Any, require: Callable[[Principal], None], missing: str) -> Principal:
    """The principal of the token in ``auth`` or of the session, if ``require`` lets it in; ``missing`` (an error
    code) tells a client that sent neither what to send."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if token is not None:
        if not isinstance(token, str):
            raise Unauthenticated("token_text_required")
        with read_session(current_hub().engine) as session:
            principal = tokens.resolve_token(session, token, clock.now())
    elif current_user.is_authenticated:
        principal = current_user.principal
    else:
        raise Unauthenticated(missing)
    try:
        require(principal)
    except Forbidden as exc:
        raise Unauthenticated(exc.code, **exc.values) from None
    return principal


def admit(namespace: str, sid: str, principal: Principal) -> None:
    """Record who the socket speaks for where no event handler can erase it, so that ending its token, session, user
    or organisation finds it (a cut message now, the periodic check otherwise)."""
    socketio.server.manager.admit(namespace, sid, principal)
    start_credential_check(current_app._get_current_object())


@contextmanager
def refusing(namespace: str) -> Iterator[None]:
    """Turn what goes wrong while admitting a socket into a refusal with a reason (never a dropped socket)."""
    try:
        yield
    except HubError as exc:
        connlog.refused(namespace, exc.kind)
        raise ConnectionRefusedError(f"{exc.kind}: {exc.message}") from None
    except Exception:
        log.exception("%s connect failed", namespace)
        connlog.refused(namespace, "unavailable")
        raise ConnectionRefusedError("unavailable: the hub could not check the credentials now") from None
