"""Client managers that hold back live events for a socket while its replay runs.

Every emit — local, or received from another hub process through the message queue — ends in the base
``Manager.emit``. The gate sits just above it: events addressed to a socket that is being replayed are kept in that
socket's buffer instead of being sent, and the replay sends them after the stored deliveries. So a directive
published while a replay runs arrives once, after the older ones, never in between.

The gate also carries two control messages between processes, which never reach a client:
:data:`~hub.sockets.names.CUT` (a :class:`~hub.core.sessions.Cut`: ended sessions, revoked tokens, deactivated
users and organisations) disconnects the sockets admitted with any of them in every process, on either namespace,
and :data:`~hub.sockets.names.PROGRESS_CHANGED` hands directive ids to each process's progress feed.

What each socket was admitted as is kept here too, and forgotten only when the manager itself disconnects the
socket: no event handler can erase it, so a cut or the periodic check always finds every socket of a credential.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import socketio as sio

from hub.core.access import Principal
from hub.core.sessions import Cut
from hub.sockets.fast.broadcast import Broadcasting
from hub.sockets.names import CUT, DIRECTIVE, PLATFORM_NS, PROGRESS_CHANGED

REPLAYED_MEMORY_SECONDS = 10.0

QUEUES = {
    "redis": sio.RedisManager,
    "rediss": sio.RedisManager,
    "valkey": sio.RedisManager,
    "valkeys": sio.RedisManager,
    "unix": sio.RedisManager,
    "kafka": sio.KafkaManager,
    "zmq": sio.ZmqManager,
}


class Gate(Broadcasting):
    """The in-process part of the gate: per-socket buffers of held-back events.

    After a replay, the directives it carried are remembered for a few seconds: a directive committed just before
    the replay read the inbox may still have its live emit on the way, and the socket must not get it twice.
    Only held or recently replayed sockets are *watched*, and they are indexed by room, so an emit to thousands of
    rooms costs one lookup per room, and nothing at all when no socket is watched.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rooms: dict[str, set[str]] = {}  # watched socket -> its rooms (and its own sid)
        self._watchers: dict[str, set[str]] = {}  # room -> watched sockets in it
        self._held: dict[str, list[tuple[str, Any]]] = {}
        self._replayed: dict[str, tuple[float, set[int]]] = {}
        self._next_purge = 0.0
        self.on_progress: Callable[[list[int]], None] | None = None
        self._admitted: dict[tuple[str, str], Principal] = {}  # (namespace, sid) -> who the socket speaks for

    def admit(self, namespace: str, sid: str, principal: Principal) -> None:
        """Remember who a connecting socket speaks for, until the manager disconnects it."""
        self._admitted[(namespace, sid)] = principal

    def admitted(self) -> dict[tuple[str, str], Principal]:
        """Every socket of this process still connected, with who it was admitted as."""
        return {key: who for key, who in list(self._admitted.items()) if self.is_connected(key[1], key[0])}

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        self._admitted.pop((namespace, sid), None)
        super().basic_disconnect(sid, namespace, **kwargs)

    def hold(self, sid: str, rooms: list[str]) -> None:
        """Buffer every event to ``sid`` (addressed to it or to one of ``rooms``) from now on."""
        self._unwatch(sid)
        self._rooms[sid] = {sid, *rooms}
        for room in self._rooms[sid]:
            self._watchers.setdefault(room, set()).add(sid)
        self._held[sid] = []

    def is_held(self, sid: str) -> bool:
        return sid in self._held

    def take(self, sid: str) -> list[tuple[str, Any]]:
        """The events buffered so far (the socket stays held)."""
        events = self._held.get(sid)
        if not events:
            return []
        self._held[sid] = []
        return events

    def release_if_empty(self, sid: str, replayed: set[int]) -> bool:
        """Stop holding ``sid`` if nothing is buffered (checked and done in one step, without yielding), and
        remember for a while which directives its replay carried."""
        if self._held.get(sid):
            return False
        self._held.pop(sid, None)
        if replayed and sid in self._rooms:
            self._replayed[sid] = (time.monotonic() + REPLAYED_MEMORY_SECONDS, set(replayed))
        else:
            self._unwatch(sid)
        return True

    def drop(self, sid: str) -> None:
        self._held.pop(sid, None)
        self._replayed.pop(sid, None)
        self._unwatch(sid)

    def _unwatch(self, sid: str) -> None:
        for room in self._rooms.pop(sid, ()):
            watchers = self._watchers.get(room)
            if watchers is not None:
                watchers.discard(sid)
                if not watchers:
                    del self._watchers[room]

    def send_now(self, sid: str, namespace: str, event: str, data: Any) -> None:
        """Send to one local socket, past the gate (the replay's own events)."""
        super().emit(event, data, namespace, room=sid)

    def emit(self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kwargs):
        room = to or room
        if event == CUT:
            self._cut(data)
            return None
        if event == PROGRESS_CHANGED:
            if self.on_progress is not None and isinstance(data, list):
                self.on_progress(data)
            return None
        if namespace == PLATFORM_NS and self._rooms:
            self._forget_old_replays()
            skip = set(skip_sid if isinstance(skip_sid, list) else [skip_sid] if skip_sid else [])
            for sid in self._watched_in(room) - skip:
                if sid in self._held:
                    self._held[sid].append((event, data))
                    skip.add(sid)
                elif event == DIRECTIVE and isinstance(data, dict) and self._was_replayed(sid, data.get("id")):
                    skip.add(sid)
            skip_sid = list(skip)
        return super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs)

    def _watched_in(self, room: Any) -> set[str]:
        if room is None:
            return set(self._rooms)
        if isinstance(room, str):
            return set(self._watchers.get(room, ()))
        found: set[str] = set()
        for one in room:
            watchers = self._watchers.get(one)
            if watchers:
                found |= watchers
        return found

    def _was_replayed(self, sid: str, directive_id: Any) -> bool:
        entry = self._replayed.get(sid)
        return entry is not None and directive_id in entry[1]

    def _forget_old_replays(self) -> None:
        now = time.monotonic()
        if now < self._next_purge:
            return
        self._next_purge = now + 1.0
        for sid in [sid for sid, (expires, _) in self._replayed.items() if expires < now]:
            del self._replayed[sid]
            if sid not in self._held:
                self._unwatch(sid)

    def _cut(self, data: Any) -> None:
        cut = Cut.from_message(data)
        for (namespace, sid), who in list(self._admitted.items()):
            if cut.covers(who):
                self.server.start_background_task(self.server.disconnect, sid, namespace, ignore_queue=True)


def make_manager(url: str, channel: str, long_switch_interval: bool = True) -> Gate:
    """A gated manager for the configured message queue (or none, for a single process)."""
    if not url:
        manager = Gate()
    else:
        queue = QUEUES.get(url.split("://", 1)[0].lower(), sio.KombuManager)
        manager = type(f"Gated{queue.__name__}", (queue, Gate), {})(url, channel=channel)
    manager.long_switch_interval = long_switch_interval
    return manager
