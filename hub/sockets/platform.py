"""Namespace ``/platform``: platforms' systems and editors' browsers.

At connect the socket is authenticated, joins its platform's room, and is *held* by the
gate: live events to it are buffered while the hub replays every delivery after the client's ``since``. Then the
hub sends ``head`` and the buffered live events (less those the replay already carried), and lets it go.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from flask_socketio import join_room

from hub import clock, throttle
from hub.core import deliveries, directives, inbox, tokens
from hub.core.access import Principal, require_platform
from hub.core.deliveries import ChangeIn
from hub.core.errors import InvalidInput, NotFound, Unauthenticated
from hub.core.limits import MAX_INT
from hub.core.receipts import ReceiptIn
from hub.db import read_session, write_session
from hub.group_commit import GroupWriter, writer_for
from hub.models import DeliveryState
from hub.runtime import current_hub
from hub.sockets import answers
from hub.sockets.answers import Unavailable, answered
from hub.sockets.connected import PlatformSocket, sockets, tokens_to_touch
from hub.sockets.credentials import admit, principal_for, refusing
from hub.sockets.gate import Gate
from hub.sockets.limits import limited, within_limit
from hub.sockets.names import DIRECTIVE, HEAD, PLATFORM_NS, platform_room, socketio
from hub.sockets.periodic import start_head_ticker

log = logging.getLogger(__name__)

CONNECTED_WAIT_SECONDS = 10.0


def _gate() -> Gate:
    return socketio.server.manager


def _admit(auth: Any) -> Principal:
    principal = principal_for(auth, require_platform, "send auth={'token': ...} or sign in")
    if tokens.token_needs_touch(principal, clock.now()):
        # Recorded with the next head, in one transaction: a reconnecting crowd must not queue thousands of
        # single writes.
        tokens_to_touch.add(principal.token_id)
    return principal


def _since(auth: Any) -> int:
    since = auth.get("since", 0) if isinstance(auth, dict) else 0
    if since is None:
        return 0
    if isinstance(since, bool) or not isinstance(since, int) or not 0 <= since <= MAX_INT:
        raise InvalidInput(f"since: a whole number from 0 to {MAX_INT}")
    return since


@socketio.on("connect", namespace=PLATFORM_NS)
def connect(auth: Any = None) -> None:
    with refusing(PLATFORM_NS):
        principal = _admit(auth)
        since = _since(auth)
    sid = request.sid
    rooms = [platform_room(principal.org_id)]
    admit(PLATFORM_NS, sid, principal)
    sockets[sid] = PlatformSocket(principal)
    _gate().hold(sid, rooms)
    for room in rooms:
        join_room(room)
    app = current_app._get_current_object()
    socketio.start_background_task(_replay_after_connect, app, sid, since)
    start_head_ticker(app)


@socketio.on("disconnect", namespace=PLATFORM_NS)
def disconnect(*_: Any) -> None:
    sockets.pop(request.sid, None)
    _gate().drop(request.sid)


def _replay_after_connect(app, sid: str, since: int) -> None:
    deadline = time.monotonic() + CONNECTED_WAIT_SECONDS
    while not socketio.server.manager.is_connected(sid, PLATFORM_NS):
        if time.monotonic() > deadline or sid not in sockets:
            _gate().drop(sid)
            return
        socketio.sleep(0.005)
    with app.app_context():
        try:
            replay(sid, since)
        except Exception:
            log.exception("replay for %s failed; disconnecting it so that it reconnects", sid)
            _gate().drop(sid)
            socketio.server.disconnect(sid, PLATFORM_NS, ignore_queue=True)


def replay(sid: str, since: int) -> tuple[int, int]:
    """Send the socket every delivery after ``since`` in order, then ``head``, then the live events held back
    meanwhile; returns (how many were sent, head). The socket must already be held by the gate."""
    gate, hub = _gate(), current_hub()
    engine, page = hub.engine, max(1, min(hub.settings.replay_page_size, inbox.INBOX_MAX))
    me = sockets.get(sid)
    if me is None:
        return 0, 0
    sent: set[int] = set()
    last, head = since, 0
    while True:
        with read_session(engine) as session:
            head = max(head, inbox.inbox_head(session, me.platform_id))
            # Nothing after the head: a delivery committed before this read raised the head with it, and one
            # committed after it is sent live (the gate holds it until the replay ends).
            rows = inbox.inbox(session, me.principal, last, page) if head > last else []
        for delivery, directive, issuer in rows:
            last = delivery.seq
            if addressed(me, delivery.platform_id):
                payload = {**directives.payload(directive, issuer), "seq": delivery.seq}
                gate.send_now(sid, PLATFORM_NS, DIRECTIVE, payload)
                sent.add(directive.id)
        if len(rows) < page:
            break
        socketio.sleep(0)  # let other sockets (and live events, which the gate holds back) have their turn
    if rows:
        head = max(head, last)  # committed between the head query and the page's
    gate.send_now(sid, PLATFORM_NS, HEAD, {"seq": head})
    while not gate.release_if_empty(sid, sent):
        for event, data in gate.take(sid):
            if event == HEAD or (event == DIRECTIVE and isinstance(data, dict) and data.get("id") in sent):
                continue
            gate.send_now(sid, PLATFORM_NS, event, data)
    return len(sent), head


def addressed(me: PlatformSocket, platform_id: int) -> bool:
    """The addressee check shared by the live path (room of the platform) and the replay (its deliveries)."""
    return platform_id == me.platform_id


def _me() -> PlatformSocket:
    return _socket(request.sid)


def _socket(sid: str) -> PlatformSocket:
    me = sockets.get(sid)
    if me is None:
        raise Unauthenticated("this socket is not connected")
    return me


@socketio.on("sync", namespace=PLATFORM_NS)
@answered
@limited("sync")
def sync(data: dict[str, Any]) -> dict[str, Any]:
    answers.only(data, "since")
    since = answers.whole_number(data, "since", minimum=0)
    sid = request.sid
    me = _me()
    gate, deadline = _gate(), time.monotonic() + CONNECTED_WAIT_SECONDS
    while gate.is_held(sid):  # the connect replay or another sync is still running
        if time.monotonic() > deadline:
            raise Unavailable("a replay is still running on this socket; try again")
        socketio.sleep(0.01)
    gate.hold(sid, [platform_room(me.platform_id)])
    try:
        count, head = replay(sid, since)
    except BaseException:
        gate.drop(sid)
        raise
    return {"ok": True, "count": count, "head": head}


def writer_handlers(app: Flask) -> dict[str, Callable[..., dict[str, Any]]]:
    """The events that go through the group-commit writer (``receipt``, ``acknowledge``, ``status``) and their
    handlers, registered on python-socketio directly (see ``hub.sockets.init_app``).

    These are the events every platform sends for every directive, all at once; Flask-SocketIO's per-event request
    context (environ, URL matching, session) costs more than the event itself, and these handlers need none of it:
    the socket id names the platform.
    """
    writer = writer_for(app)

    def direct(handle: Callable[[GroupWriter, PlatformSocket, dict[str, Any]], dict[str, Any]]) -> Callable:
        @answered
        @functools.wraps(handle)
        def answer(data: dict[str, Any], sid: str) -> dict[str, Any]:
            return handle(writer, _socket(sid), data)

        return lambda sid, *args: answer(*args, sid=sid)

    updates = throttle.limit_value("updates", app.extensions["hub"].settings)
    return {
        "receipt": direct(_receipt),
        "acknowledge": direct(within_limit("updates", updates, _acknowledge)),
        "status": direct(within_limit("updates", updates, _status)),
    }


def _receipt(writer: GroupWriter, me: PlatformSocket, data: dict[str, Any]) -> dict[str, Any]:
    answers.only(data, "directive_id", "seq")
    if ("directive_id" in data) == ("seq" in data):
        raise InvalidInput("give directive_id or seq")
    directive_id = answers.whole_number(data, "directive_id") if "directive_id" in data else None
    seq = answers.whole_number(data, "seq") if "seq" in data else None
    outcome = writer.submit(ReceiptIn(me.platform_id, me.principal.label, directive_id, seq))
    if outcome is None:
        raise Unavailable("the receipt could not be recorded now; send it again")
    if outcome.directive_id is None:
        raise NotFound("no such delivery in your inbox")
    return {"ok": True, "directive_id": outcome.directive_id, "seq": outcome.seq}


def _acknowledge(writer: GroupWriter, me: PlatformSocket, data: dict[str, Any]) -> dict[str, Any]:
    answers.only(data, "directive_id")
    directive_id = answers.whole_number(data, "directive_id")
    return _changed(writer, ChangeIn(me.principal, directive_id, DeliveryState.ACKNOWLEDGED))


def _status(writer: GroupWriter, me: PlatformSocket, data: dict[str, Any]) -> dict[str, Any]:
    answers.only(data, "directive_id", "state", "report")
    directive_id = answers.whole_number(data, "directive_id")
    state = answers.text(data, "state", required=True)
    report = answers.text(data, "report")
    return _changed(writer, ChangeIn(me.principal, directive_id, state, report))


def _changed(writer: GroupWriter, change: ChangeIn) -> dict[str, Any]:
    """Apply a delivery change through the writer, which answers after the commit and refreshes the consoles."""
    outcome = writer.submit(change)
    if outcome is None:
        raise Unavailable("the change could not be recorded now; send it again")
    if outcome.error is not None:
        raise outcome.error
    return {"ok": True, "state": outcome.state, "changed": outcome.changed}


@socketio.on("question", namespace=PLATFORM_NS)
@answered
@limited("questions")
def question(data: dict[str, Any]) -> dict[str, Any]:
    answers.only(data, "directive_id", "text")
    me = _me()
    directive_id = answers.whole_number(data, "directive_id")
    asked = answers.text(data, "text", required=True)
    with write_session(current_hub().engine) as session:
        q = deliveries.ask(session, me.principal, clock.now(), directive_id, asked)
        question_id = q.id
    return {"ok": True, "question_id": question_id}


@socketio.on("*", namespace=PLATFORM_NS)
def unknown(event: Any, *_: Any) -> dict[str, Any]:
    """An event the protocol does not have still gets an answer (a client waiting for one must not hang)."""
    known = "receipt, acknowledge, status, question or sync"
    return answers.failure(InvalidInput(f"unknown event {str(event)[:50]!r}: send {known}"))
