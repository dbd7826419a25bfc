"""The only code that emits. Adapters call these after their transaction has committed.

A publication is one emit with the list of platform rooms and one payload, so with several hub processes it is
one message through the queue whatever the audience; each process sends it to the sockets it holds.
"""

from __future__ import annotations

import logging
from typing import Any

from hub.core.directives import Published
from hub.core.sessions import Cut
from hub.db import read_session
from hub.runtime import current_hub
from hub.sockets.names import (
    ANSWER,
    CHECKPOINT,
    CONSOLE_ALL,
    CONSOLE_NS,
    CUT,
    DIRECTIVE,
    ESCALATION,
    PLATFORM_NS,
    PUBLISHED,
    REMINDER,
    REVOKED,
    platform_room,
    province_room,
    socketio,
)
from hub.sockets.progress import provinces_of, push_progress

log = logging.getLogger(__name__)


def push_published(published: Published) -> None:
    """Announce a committed publication to its platforms (one payload, all rooms at once) and the consoles.

    The platforms come first: on gevent the emit returns once every socket's writer has sent the frame (see
    ``Gate._broadcast``), before the consoles' query runs."""
    directive = published.directive
    if published.platform_ids:
        rooms = [platform_room(i) for i in published.platform_ids]
        socketio.emit(DIRECTIVE, published.payload, to=rooms, namespace=PLATFORM_NS)
    with read_session(current_hub().engine) as session:
        provinces = provinces_of(session, [directive.id])[directive.id]
    info = {"directive_id": directive.id, "ref_no": directive.ref_no, "title": directive.title}
    socketio.emit(PUBLISHED, info, to=_console_rooms(provinces), namespace=CONSOLE_NS)
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
    socketio.emit(ESCALATION, payload, to=_console_rooms({province} if province else set()), namespace=CONSOLE_NS)


def push_answer(platform_id: int, payload: dict[str, Any]) -> None:
    """The issuer's answer to a platform's question."""
    socketio.emit(ANSWER, payload, to=platform_room(platform_id), namespace=PLATFORM_NS)


def push_checkpoint(record: dict[str, Any]) -> None:
    """A new signed checkpoint of the log's head, to every console: staff see the head they can note down."""
    socketio.emit(CHECKPOINT, record, namespace=CONSOLE_NS)


def disconnect_token(token_id: int) -> None:
    """Cut off the live sockets authenticated with a revoked token, in every hub process."""
    cut(Cut(tokens=[token_id]))


def cut(ended: Cut) -> None:
    """Cut off, in every hub process and on both namespaces, the live sockets admitted with what ``ended`` ended."""
    if ended:
        socketio.emit(CUT, ended.as_message(), namespace=PLATFORM_NS)


def _console_rooms(provinces: set[str]) -> list[str]:
    return [CONSOLE_ALL, *(province_room(p) for p in sorted(provinces))]
