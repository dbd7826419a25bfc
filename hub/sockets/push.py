"""The only code that emits. Adapters call these after their transaction has committed.

A publication is one emit with the list of platform rooms and one payload, so with several hub processes it is
one message through the queue whatever the audience; each process sends it to the sockets it holds.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from hub import clock
from hub.core import followthrough
from hub.core.access import Principal
from hub.core.directives import Published
from hub.db import read_session
from hub.models import Delivery, Directive, Organisation, OrgKind, Role
from hub.sockets.names import (
    ANSWER,
    CONSOLE_ALL,
    CONSOLE_NS,
    CUT,
    DIRECTIVE,
    ESCALATION,
    PLATFORM_NS,
    PROGRESS,
    PUBLISHED,
    REMINDER,
    REVOKED,
    platform_room,
    province_room,
    socketio,
    token_room,
)
from hub.state import current_hub

log = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 0.3
CENTRAL_READER = Principal(org_id=0, org_kind=OrgKind.REGULATOR, role=Role.MANAGER, label="console")


def push_published(published: Published) -> None:
    """Announce a committed publication to its platforms (one payload, all rooms at once) and the consoles.

    The platforms' emit comes first and the consoles' part runs afterwards in the background, so the publishing
    request neither delays the fan-out nor waits for the consoles' queries."""
    directive = published.directive
    if published.platform_ids:
        rooms = [platform_room(i) for i in published.platform_ids]
        socketio.emit(DIRECTIVE, published.payload, to=rooms, namespace=PLATFORM_NS)
    info = {"directive_id": directive.id, "ref_no": directive.ref_no, "title": directive.title}
    ids = [directive.id] + ([published.superseded.id] if published.superseded else [])
    socketio.start_background_task(_announce_to_consoles, current_app._get_current_object(), info, ids)


def _announce_to_consoles(app: Flask, info: dict[str, Any], directive_ids: list[int]) -> None:
    try:
        with app.app_context():
            provinces = _provinces_of([info["directive_id"]]).get(info["directive_id"], set())
            socketio.emit(PUBLISHED, info, to=_console_rooms(provinces), namespace=CONSOLE_NS)
            progress_feed_for(app).add(set(directive_ids))
    except Exception:
        log.exception("announcing directive %s to the consoles failed", info["directive_id"])


def push_revoked(directive_id: int, ref_no: str | None, reason: str, platform_ids: list[int]) -> None:
    """Tell the platforms that had a directive that it was revoked."""
    if platform_ids:
        payload = {"directive_id": directive_id, "ref_no": ref_no, "reason": reason}
        socketio.emit(REVOKED, payload, to=[platform_room(i) for i in platform_ids], namespace=PLATFORM_NS)
    push_progress([directive_id])


def push_progress(directive_ids: list[int]) -> None:
    """Refresh live progress counts on the consoles: each room gets the counts within its own scope."""
    ids = sorted(set(directive_ids))
    if not ids:
        return
    engine = current_hub().engine
    now = clock.now()
    provinces = _provinces_of(ids)
    with read_session(engine) as session:
        central = followthrough.progress(session, CENTRAL_READER, ids, now)
        for directive_id in ids:
            _emit_progress(CONSOLE_ALL, directive_id, central[directive_id].as_dict())
        for province in sorted(set().union(*provinces.values())):
            reader = Principal(org_id=0, org_kind=OrgKind.PROVINCE, role=Role.MANAGER, province=province)
            mine = [i for i in ids if province in provinces.get(i, ())]
            counts = followthrough.progress(session, reader, mine, now)
            for directive_id in mine:
                _emit_progress(province_room(province), directive_id, counts[directive_id].as_dict())


def _emit_progress(room: str, directive_id: int, counts: dict[str, int]) -> None:
    socketio.emit(PROGRESS, {"directive_id": directive_id, "counts": counts}, to=room, namespace=CONSOLE_NS)


def push_reminder(platform_id: int, payload: dict[str, Any]) -> None:
    """A reminder to one platform."""
    socketio.emit(REMINDER, payload, to=platform_room(platform_id), namespace=PLATFORM_NS)


def push_escalation(province: str | None, payload: dict[str, Any]) -> None:
    """An escalation, to the platform's province console and the central console."""
    socketio.emit(ESCALATION, payload, to=_console_rooms({province} if province else set()), namespace=CONSOLE_NS)


def push_answer(platform_id: int, payload: dict[str, Any]) -> None:
    """The issuer's answer to a platform's question."""
    socketio.emit(ANSWER, payload, to=platform_room(platform_id), namespace=PLATFORM_NS)


def disconnect_token(token_id: int) -> None:
    """Cut off the live sockets authenticated with a revoked token, in every hub process."""
    socketio.emit(CUT, None, to=token_room(token_id), namespace=PLATFORM_NS)


def _console_rooms(provinces: set[str]) -> list[str]:
    return [CONSOLE_ALL, *(province_room(p) for p in sorted(provinces))]


def _provinces_of(directive_ids: list[int]) -> dict[int, set[str]]:
    """The provinces whose consoles see each directive: its platforms' provinces and its issuer's."""
    out: dict[int, set[str]] = {i: set() for i in directive_ids}
    with read_session(current_hub().engine) as session:
        reached = session.execute(
            sa.select(Delivery.directive_id, Organisation.province)
            .join(Organisation, Organisation.id == Delivery.platform_id)
            .where(Delivery.directive_id.in_(directive_ids))
            .distinct()
        )
        issued = session.execute(
            sa.select(Directive.id, Organisation.province)
            .join(Organisation, Organisation.id == Directive.issuer_id)
            .where(Directive.id.in_(directive_ids), Organisation.kind == OrgKind.PROVINCE)
        )
        for directive_id, province in [*reached, *issued]:
            if province:
                out[directive_id].add(province)
    return out


class ProgressFeed:
    """Coalesces progress refreshes: many receipts in a short while become one refresh per directive."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._pending: set[int] = set()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._started = False

    def add(self, directive_ids: set[int]) -> None:
        self._pending |= set(directive_ids)
        if not self._started:
            with self._lock:
                if not self._started:
                    socketio.start_background_task(self._run)
                    self._started = True
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            socketio.sleep(PROGRESS_EVERY_SECONDS)
            self._wake.clear()
            ids, self._pending = self._pending, set()
            if not ids:
                continue
            try:
                with self._app.app_context():
                    push_progress(sorted(ids))
            except Exception:
                log.exception("progress refresh failed")


def progress_feed_for(app: Flask | None = None) -> ProgressFeed:
    """This app's progress feed (one per hub process)."""
    app = app or current_app._get_current_object()
    feed = app.extensions.get("hub_progress")
    if feed is None:
        feed = app.extensions["hub_progress"] = ProgressFeed(app)
    return feed
