"""The one module that emits. Adapters call these after their transaction has committed, with everything the emit
needs (rooms, payloads): nothing here reads the database or the clock.

A publication is one emit with the list of platform rooms and one payload, so with several hub processes it is
one message through the queue whatever the audience; each process sends it to the sockets it holds. The control
messages between hub processes (cut these sockets off, these directives' progress changed) go out here too; the
gate of every process receives them (``hub/sockets/gate.py``).
"""

from __future__ import annotations

import time
from typing import Any

from hub import metrics
from hub.core.directives import Published
from hub.core.sessions import Cut
from hub.sockets.names import (
    ANSWER,
    CHECKPOINT,
    CONSOLE_NS,
    CUT,
    DIRECTIVE,
    ESCALATION,
    HEAD,
    PLATFORM_NS,
    PROGRESS,
    PROGRESS_CHANGED,
    PUBLISHED,
    QUESTION,
    QUESTION_ANSWERED,
    REMINDER,
    REVOKED,
    console_rooms,
    platform_room,
    socketio,
)


def push_published(published: Published, rooms: list[str]) -> None:
    """Announce a committed publication to its platforms (one payload, all rooms at once), then to the console
    ``rooms`` that see it, and refresh the progress of the directive (and of the one it supersedes).

    The platforms come first: on gevent the emit returns once every socket's writer has sent the frame."""
    directive = published.directive
    started = time.perf_counter()
    if published.platform_ids:
        platforms = [platform_room(i) for i in published.platform_ids]
        socketio.emit(DIRECTIVE, published.payload, to=platforms, namespace=PLATFORM_NS)
    metrics.published(len(published.platform_ids), time.perf_counter() - started)
    info = {"directive_id": directive.id, "ref_no": directive.ref_no, "title": directive.title}
    socketio.emit(PUBLISHED, info, to=rooms, namespace=CONSOLE_NS)
    push_progress([directive.id] + ([published.superseded.id] if published.superseded else []))


def push_revoked(directive_id: int, ref_no: str | None, reason: str, platform_ids: list[int]) -> None:
    """Tell the platforms that had a directive that it was revoked."""
    if platform_ids:
        payload = {"directive_id": directive_id, "ref_no": ref_no, "reason": reason}
        socketio.emit(REVOKED, payload, to=[platform_room(i) for i in platform_ids], namespace=PLATFORM_NS)
    push_progress([directive_id])


def push_reminder(platform_id: int, payload: dict[str, Any]) -> None:
    """A reminder to one platform."""
    socketio.emit(REMINDER, payload, to=platform_room(platform_id), namespace=PLATFORM_NS)


def push_escalation(province: str | None, payload: dict[str, Any]) -> None:
    """An escalation, to the platform's province console and the central console."""
    socketio.emit(ESCALATION, payload, to=console_rooms({province} if province else set()), namespace=CONSOLE_NS)


def push_answer(platform_id: int, payload: dict[str, Any]) -> None:
    """The issuer's answer to a platform's question."""
    socketio.emit(ANSWER, payload, to=platform_room(platform_id), namespace=PLATFORM_NS)


def _issuer_rooms(province: str | None) -> list[str]:
    """The consoles of a directive's issuer: the central one, and the provincial department's when it issued it."""
    return console_rooms({province} if province else set())


def push_question(issuer_province: str | None, notice: dict[str, Any]) -> None:
    """A platform's new question, to the consoles of the directive's issuer."""
    socketio.emit(QUESTION, notice, to=_issuer_rooms(issuer_province), namespace=CONSOLE_NS)


def push_question_answered(issuer_province: str | None, notice: dict[str, Any]) -> None:
    """A question was answered: the issuer's consoles count one fewer waiting."""
    socketio.emit(QUESTION_ANSWERED, notice, to=_issuer_rooms(issuer_province), namespace=CONSOLE_NS)


def push_checkpoint(record: dict[str, Any]) -> None:
    """A new signed checkpoint of the log's head, to every console: staff see the head they can note down."""
    socketio.emit(CHECKPOINT, record, namespace=CONSOLE_NS)


def push_progress(directive_ids: list[int]) -> None:
    """Refresh live progress counts on the consoles (of every hub process) for these directives: one control
    message, which each process's gate hands to its progress feed."""
    ids = sorted({int(i) for i in directive_ids})
    if ids:
        socketio.emit(PROGRESS_CHANGED, ids, namespace=CONSOLE_NS)


def push_counts(room: str, counts: dict[int, dict[str, int]]) -> None:
    """This process's consoles in ``room``: the progress counts of each directive (counted where they are held)."""
    for directive_id, figures in counts.items():
        payload = {"directive_id": directive_id, "counts": figures}
        socketio.emit(PROGRESS, payload, to=room, namespace=CONSOLE_NS, ignore_queue=True)


def push_heads(heads: dict[int, int]) -> None:
    """Each platform's newest sequence number, to its sockets in this process (each process does its own).

    Platforms with the same head share one emit (and one encoded frame): most platforms receive the same
    directives, so a few thousand connected platforms make a handful of emits, not thousands."""
    by_seq: dict[int, list[str]] = {}
    for platform_id, seq in heads.items():
        by_seq.setdefault(seq, []).append(platform_room(platform_id))
    for seq, rooms in by_seq.items():
        socketio.emit(HEAD, {"seq": seq}, to=rooms, namespace=PLATFORM_NS, ignore_queue=True)


def push_replayed(sid: str, event: str, data: Any) -> None:
    """One event of a replay to the one socket being replayed, past the gate that holds its live events back."""
    socketio.server.manager.send_now(sid, PLATFORM_NS, event, data)


def disconnect_token(token_id: int) -> None:
    """Cut off the live sockets authenticated with a revoked token, in every hub process."""
    cut(Cut(tokens=[token_id]))


def cut(ended: Cut) -> None:
    """Cut off, in every hub process and on both namespaces, the live sockets admitted with what ``ended`` ended."""
    if ended:
        socketio.emit(CUT, ended.as_message(), namespace=PLATFORM_NS)
