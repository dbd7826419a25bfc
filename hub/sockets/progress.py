"""Live progress on the consoles, computed where the consoles are.

``push.push_progress`` sends one small control message through the queue ("these directives changed"). Every hub
process hears it, coalesces what it heard for a moment, and then counts — with the core, within each room's scope —
only for the console rooms it holds itself, and emits those counts locally. So a publish or a batch of receipts
costs one queue message and no query at all in a process without consoles, whatever the number of provinces.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, current_app
from sqlmodel import Session

from hub import clock
from hub.core import access, progress
from hub.db import read_session
from hub.runtime import current_hub
from hub.sockets.names import CONSOLE_ALL, CONSOLE_NS, console_rooms, province_room, socketio
from hub.sockets.push import push_counts

log = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 0.3
PROVINCE_ROOM_PREFIX = province_room("")


def refresh(directive_ids: list[int]) -> None:
    """Count and send progress for the console rooms this process holds, each within its own scope."""
    rooms = {r for r in socketio.server.manager.rooms.get(CONSOLE_NS, {}) if isinstance(r, str)}
    provinces = {r.removeprefix(PROVINCE_ROOM_PREFIX) for r in rooms if r.startswith(PROVINCE_ROOM_PREFIX)}
    if not directive_ids or not (CONSOLE_ALL in rooms or provinces):
        return
    now = clock.now()
    with read_session(current_hub().engine) as session:
        if CONSOLE_ALL in rooms:
            central = progress.counts(session, access.EVERYTHING, directive_ids, now)
            push_counts(CONSOLE_ALL, {i: central[i].as_dict() for i in directive_ids})
        if not provinces:
            return
        reached = access.provinces_seeing(session, directive_ids)
        for province in sorted(provinces):
            mine = [i for i in directive_ids if province in reached.get(i, ())]
            if not mine:
                continue
            counts = progress.counts(session, access.Scope(province=province), mine, now)
            push_counts(province_room(province), {i: counts[i].as_dict() for i in mine})


def console_rooms_of(session: Session, directive_id: int) -> list[str]:
    """The console rooms that see a directive, for the adapter that announces it (the emitter queries nothing)."""
    return console_rooms(access.provinces_seeing(session, [directive_id])[directive_id])


class ProgressFeed:
    """Coalesces the refreshes this process hears: many changes in a short while become one count per directive."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._pending: set[int] = set()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._started = False

    def add(self, directive_ids: Any) -> None:
        self._pending |= {int(i) for i in directive_ids}
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
                    refresh(sorted(ids))
            except Exception:
                log.exception("progress refresh failed")


def progress_feed_for(app: Flask | None = None) -> ProgressFeed:
    """This app's progress feed (one per hub process)."""
    app = app or current_app._get_current_object()
    feed = app.extensions.get("hub_progress")
    if feed is None:
        feed = app.extensions["hub_progress"] = ProgressFeed(app)
    return feed
