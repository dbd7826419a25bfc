"""Every few seconds: cut off sockets whose credentials ended (on both namespaces), record tokens' last use, and send
each connected platform its ``head`` so that a client notices a message the queue lost and asks for it (``sync``)."""

from __future__ import annotations

import logging

from flask import Flask

from hub import clock
from hub.core import inbox, sessions, tokens
from hub.db import read_session, write_session
from hub.runtime import current_hub
from hub.sockets.connected import sockets, tokens_to_touch
from hub.sockets.names import socketio
from hub.sockets.push import push_heads

log = logging.getLogger(__name__)


def start_credential_check(app: Flask) -> None:
    """Start this app's periodic check of the live sockets' credentials (once per process)."""
    if app.extensions.get("hub_credential_check"):
        return
    app.extensions["hub_credential_check"] = True
    socketio.start_background_task(_check_credentials, app)


def _check_credentials(app: Flask) -> None:
    """Every few seconds, cut what a cut message could not reach: the command line's revocations, a message the
    queue lost, sessions that reached their idle or absolute limit."""
    interval = app.extensions["hub"].settings.credential_check_seconds
    while True:
        socketio.sleep(interval)
        try:
            with app.app_context():
                cut_lapsed()
        except Exception:
            log.exception("checking the sockets' credentials failed")


def cut_lapsed() -> None:
    """Disconnect this process's sockets whose token, session, user or organisation no longer admits them."""
    held = socketio.server.manager.admitted()
    if not held:
        return
    hub = current_hub()
    with read_session(hub.engine) as session:
        gone = sessions.lapsed(session, held, clock.now(), hub.session_policy)
    for namespace, sid in gone:
        socketio.server.disconnect(sid, namespace, ignore_queue=True)


def start_head_ticker(app: Flask) -> None:
    """Start this app's periodic head (once per process)."""
    if app.extensions.get("hub_heads"):
        return
    app.extensions["hub_heads"] = True
    socketio.start_background_task(_tick_heads, app)


def _tick_heads(app: Flask) -> None:
    """Every few seconds, tell each connected platform its newest sequence number, so it notices a lost message."""
    interval = app.extensions["hub"].settings.head_interval_seconds
    while True:
        socketio.sleep(interval)
        try:
            with app.app_context():
                touch_tokens()
                send_heads()
        except Exception:
            log.exception("sending heads failed")


def touch_tokens() -> None:
    """Record when the tokens of recent connections were last used (at most once a minute each)."""
    if not tokens_to_touch:
        return
    token_ids = sorted(tokens_to_touch)
    tokens_to_touch.clear()
    now = clock.now()
    with write_session(current_hub().engine) as session:
        tokens.touch_tokens(session, token_ids, now)


def send_heads() -> None:
    """Send ``head`` to every platform room this process holds sockets of (locally: each process does its own)."""
    platform_ids = list({s.principal.org_id for s in sockets.values()})
    engine = current_hub().engine
    with read_session(engine) as session:
        heads = inbox.inbox_heads(session, platform_ids)
    push_heads(heads)
