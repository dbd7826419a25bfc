"""The replay of a platform's inbox on its socket: at connect (everything after the client's ``since``) and on
``sync``. The gate holds the socket's live events back meanwhile, and they follow the replay, less those it carried.
"""

from __future__ import annotations

import logging
import time

from flask import Flask

from hub.core import directive_payload, inbox
from hub.core.errors import Unavailable
from hub.db import read_session
from hub.runtime import current_hub
from hub.sockets.connected import PlatformSocket, sockets
from hub.sockets.gate import Gate
from hub.sockets.names import DIRECTIVE, HEAD, PLATFORM_NS, platform_room, socketio
from hub.sockets.push import push_replayed

log = logging.getLogger(__name__)

CONNECTED_WAIT_SECONDS = 10.0


def _gate() -> Gate:
    return socketio.server.manager


def hold(sid: str, platform_id: int) -> None:
    """Hold back live events to a connecting socket until its replay has run."""
    _gate().hold(sid, [platform_room(platform_id)])


def forget(sid: str) -> None:
    """Stop holding or watching a socket that went away."""
    _gate().drop(sid)


def replay_after_connect(app: Flask, sid: str, since: int) -> None:
    """Once the socket is connected, replay its inbox after ``since``; a failed replay disconnects it (the client
    reconnects and gets it again)."""
    deadline = time.monotonic() + CONNECTED_WAIT_SECONDS
    while not socketio.server.manager.is_connected(sid, PLATFORM_NS):
        if time.monotonic() > deadline or sid not in sockets:
            forget(sid)
            return
        socketio.sleep(0.005)
    with app.app_context():
        try:
            replay(sid, since)
        except Exception:
            log.exception("replay for %s failed; disconnecting it so that it reconnects", sid)
            forget(sid)
            socketio.server.disconnect(sid, PLATFORM_NS, ignore_queue=True)


def replay_again(sid: str, me: PlatformSocket, since: int) -> tuple[int, int]:
    """A ``sync``: wait for a replay still running on the socket, then replay after ``since``."""
    gate, deadline = _gate(), time.monotonic() + CONNECTED_WAIT_SECONDS
    while gate.is_held(sid):  # the connect replay or another sync is still running
        if time.monotonic() > deadline:
            raise Unavailable("replay_running")
        socketio.sleep(0.01)
    hold(sid, me.platform_id)
    try:
        return replay(sid, since)
    except BaseException:
        forget(sid)
        raise


def replay(sid: str, since: int) -> tuple[int, int]:
    """Send the socket every delivery after ``since`` in order, then ``head``, then the live events held back
    meanwhile; returns (how many were sent, head). The socket must already be held by the gate."""
    hub = current_hub()
    page = max(1, min(hub.settings.replay_page_size, inbox.INBOX_MAX))
    me = sockets.get(sid)
    if me is None:
        return 0, 0
    sent: set[int] = set()
    last, head = since, 0
    while True:
        with read_session(hub.engine) as session:
            head = max(head, inbox.inbox_head(session, me.platform_id))
            # Nothing after the head: a delivery committed before this read raised the head with it, and one
            # committed after it is sent live (the gate holds it until the replay ends).
            rows = inbox.inbox(session, me.principal, last, page) if head > last else []
        for delivery, directive, issuer in rows:
            last = delivery.seq
            if addressed(me, delivery.platform_id):
                push_replayed(sid, DIRECTIVE, {**directive_payload.payload(directive, issuer), "seq": delivery.seq})
                sent.add(directive.id)
        if len(rows) < page:
            break
        socketio.sleep(0)  # let other sockets (and live events, which the gate holds back) have their turn
    if rows:
        head = max(head, last)  # committed between the head query and the page's
    push_replayed(sid, HEAD, {"seq": head})
    _release(sid, sent)
    return len(sent), head


def _release(sid: str, sent: set[int]) -> None:
    """Send the live events held back during the replay (less the heads and what it carried), then let go."""
    gate = _gate()
    while not gate.release_if_empty(sid, sent):
        for event, data in gate.take(sid):
            if event == HEAD or (event == DIRECTIVE and isinstance(data, dict) and data.get("id") in sent):
                continue
            push_replayed(sid, event, data)


def addressed(me: PlatformSocket, platform_id: int) -> bool:
    """The addressee check shared by the live path (room of the platform) and the replay (its deliveries)."""
    return platform_id == me.platform_id
