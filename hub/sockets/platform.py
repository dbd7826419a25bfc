"""Namespace ``/platform``: platforms' systems and editors' browsers. Each handler parses the event, calls the core
(or the group-commit writer), and answers; what it changed is pushed after the commit.

At connect the socket is authenticated, joins its platform's room, and gets its inbox replayed after the client's
``since`` (``hub/sockets/replay.py``), live events held back meanwhile.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from flask_socketio import join_room

from hub import clock, throttle
from hub.core import questions, tokens
from hub.core.access import Principal, require_platform
from hub.core.deliveries import ChangeIn
from hub.core.errors import InvalidInput, NotFound, Unauthenticated, Unavailable
from hub.core.limits import MAX_INT
from hub.core.receipts import ReceiptIn
from hub.db import write_session
from hub.models import DeliveryState
from hub.runtime import current_hub
from hub.sockets import answers, connlog, replay
from hub.sockets.answers import answered
from hub.sockets.connected import PlatformSocket, sockets, tokens_to_touch
from hub.sockets.credentials import admit, principal_for, refusing
from hub.sockets.limits import limited, within_limit
from hub.sockets.names import PLATFORM_NS, platform_room, socketio
from hub.sockets.periodic import start_head_ticker
from hub.sockets.push import push_question
from hub.sockets.writer import GroupWriter


def _admit(auth: Any) -> Principal:
    principal = principal_for(auth, require_platform, "platform_credentials_missing")
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
        raise InvalidInput("number_invalid", field="since", min=0, max=MAX_INT)
    return since


@socketio.on("connect", namespace=PLATFORM_NS)
def connect(auth: Any = None) -> None:
    with refusing(PLATFORM_NS):
        principal = _admit(auth)
        since = _since(auth)
    sid = request.sid
    admit(PLATFORM_NS, sid, principal)
    connlog.accepted(PLATFORM_NS, sid, principal)
    sockets[sid] = PlatformSocket(principal)
    replay.hold(sid, principal.org_id)
    join_room(platform_room(principal.org_id))
    app = current_app._get_current_object()
    socketio.start_background_task(replay.replay_after_connect, app, sid, since)
    start_head_ticker(app)


@socketio.on("disconnect", namespace=PLATFORM_NS)
def disconnect(reason: Any = None, *_: Any) -> None:
    sockets.pop(request.sid, None)
    replay.forget(request.sid)
    connlog.closed(PLATFORM_NS, request.sid, reason)


def _me() -> PlatformSocket:
    return _socket(request.sid)


def _socket(sid: str) -> PlatformSocket:
    me = sockets.get(sid)
    if me is None:
        raise Unauthenticated("socket_not_connected")
    return me


@socketio.on("sync", namespace=PLATFORM_NS)
@answered
@limited("sync")
def sync(data: dict[str, Any]) -> dict[str, Any]:
    answers.only(data, "since")
    since = answers.whole_number(data, "since", minimum=0)
    count, head = replay.replay_again(request.sid, _me(), since)
    return {"ok": True, "count": count, "head": head}


def writer_handlers(app: Flask, writer: GroupWriter) -> dict[str, Callable[..., dict[str, Any]]]:
    """The events that go through the group-commit writer (``receipt``, ``acknowledge``, ``status``), as
    ``(sid, data)`` handlers: they need no request context, the socket id names the platform
    (``hub/sockets/fast/direct.py`` registers them)."""

    def direct(handle: Callable[[GroupWriter, PlatformSocket, dict[str, Any]], dict[str, Any]]) -> Callable:
        @answered
        @functools.wraps(handle)
        def answer(data: dict[str, Any], sid: str) -> dict[str, Any]:
            return handle(writer, _socket(sid), data)

        return lambda sid, *args: answer(*args, sid=sid)

    updates = throttle.Ledger("updates", throttle.limit_value("updates", app.extensions["hub"].settings))
    return {
        "receipt": direct(_receipt),
        "acknowledge": direct(within_limit(app, updates, _acknowledge)),
        "status": direct(within_limit(app, updates, _status)),
    }


def _receipt(writer: GroupWriter, me: PlatformSocket, data: dict[str, Any]) -> dict[str, Any]:
    answers.only(data, "directive_id", "seq")
    if ("directive_id" in data) == ("seq" in data):
        raise InvalidInput("delivery_target_missing")
    directive_id = answers.whole_number(data, "directive_id") if "directive_id" in data else None
    seq = answers.whole_number(data, "seq") if "seq" in data else None
    outcome = writer.submit(ReceiptIn(me.platform_id, me.principal.label, directive_id, seq))
    if outcome is None:
        raise Unavailable("receipt_unavailable")
    if outcome.directive_id is None:
        raise NotFound("delivery_not_in_inbox")
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
        raise Unavailable("change_unavailable")
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
        result = questions.ask(session, me.principal, clock.now(), directive_id, asked)
        question_id = result.question.id
    if result.fresh:
        push_question(result.issuer_province, result.notice)
    return {"ok": True, "question_id": question_id}


@socketio.on("*", namespace=PLATFORM_NS)
def unknown(event: Any, *_: Any) -> dict[str, Any]:
    """An event the protocol does not have still gets an answer (a client waiting for one must not hang)."""
    return answers.failure(InvalidInput("event_unknown", event=repr(str(event)[:50])))
