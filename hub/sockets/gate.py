"""Client managers that hold back live events for a socket while its replay runs.

Every emit — local, or received from another hub process through the message queue — ends in the base
``Manager.emit``. The gate sits just above it: events addressed to a socket that is being replayed are kept in that
socket's buffer instead of being sent, and the replay sends them after the stored deliveries. So a directive
published while a replay runs arrives once, after the older ones, never in between.

The gate also carries one control message between processes: :data:`~hub.sockets.names.CUT` emitted to a room
disconnects that room's sockets in every process instead of reaching a client.
"""

from __future__ import annotations

from typing import Any

import socketio as sio

from hub.sockets.names import CUT, PLATFORM_NS

QUEUES = {
    "redis": sio.RedisManager,
    "rediss": sio.RedisManager,
    "valkey": sio.RedisManager,
    "valkeys": sio.RedisManager,
    "unix": sio.RedisManager,
    "kafka": sio.KafkaManager,
    "zmq": sio.ZmqManager,
}


class Gate(sio.Manager):
    """The in-process part of the gate: per-socket buffers of held-back events."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: dict[str, tuple[set[str], list[tuple[str, Any]]]] = {}

    def hold(self, sid: str, rooms: list[str]) -> None:
        """Buffer every event to ``sid`` (addressed to it or to one of ``rooms``) from now on."""
        self._held[sid] = ({sid, *rooms}, [])

    def is_held(self, sid: str) -> bool:
        return sid in self._held

    def take(self, sid: str) -> list[tuple[str, Any]]:
        """The events buffered so far (the socket stays held)."""
        entry = self._held.get(sid)
        if entry is None or not entry[1]:
            return []
        events = list(entry[1])
        entry[1].clear()
        return events

    def release_if_empty(self, sid: str) -> bool:
        """Stop holding ``sid`` if nothing is buffered; checked and done in one step, without yielding."""
        entry = self._held.get(sid)
        if entry is not None and entry[1]:
            return False
        self._held.pop(sid, None)
        return True

    def drop(self, sid: str) -> None:
        self._held.pop(sid, None)

    def send_now(self, sid: str, namespace: str, event: str, data: Any) -> None:
        """Send to one local socket, past the gate (the replay's own events)."""
        sio.Manager.emit(self, event, data, namespace, room=sid)

    def emit(self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kwargs):
        room = to or room
        if event == CUT:
            self._cut(namespace, room)
            return None
        if self._held and namespace == PLATFORM_NS:
            held = self._held_in(room)
            if held:
                skip = skip_sid if isinstance(skip_sid, list) else ([skip_sid] if skip_sid else [])
                skip = set(skip)
                for sid in held:
                    if sid not in skip:
                        self._held[sid][1].append((event, data))
                skip_sid = list(skip | set(held))
        return super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs)

    def _held_in(self, room: Any) -> list[str]:
        if room is None:
            return list(self._held)
        targets = {room} if isinstance(room, str) else set(room)
        return [sid for sid, (rooms, _) in self._held.items() if rooms & targets]

    def _cut(self, namespace: str, room: Any) -> None:
        if room is None:
            return
        for sid, _ in list(self.get_participants(namespace, room)):
            self.server.start_background_task(self.server.disconnect, sid, namespace, ignore_queue=True)


def make_manager(url: str, channel: str) -> Gate:
    """A gated manager for the configured message queue (or none, for a single process)."""
    if not url:
        return Gate()
    scheme = url.split("://", 1)[0].lower()
    queue = QUEUES.get(scheme, sio.KombuManager)
    gated = type(f"Gated{queue.__name__}", (queue, Gate), {})
    return gated(url, channel=channel)
