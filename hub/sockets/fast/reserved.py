"""Event names that Socket.IO keeps for itself are refused when a client sends them as events.

python-socketio looks a client's event up among the namespace's handlers by name, so an *event* named
``disconnect`` ran the hub's disconnect handler (which forgot the socket, while it stayed open in its platform's
room) and one named ``connect`` ran the connect handler again. Such events, and events whose name is not text, are
answered with an error here, before any handler is looked up; the socket stays connected. It lives with the speed
tricks because it patches python-socketio's private ``Server._handle_event``; it has no switch.
"""

from __future__ import annotations

import logging
from typing import Any

import socketio as sio
from socketio import packet

from hub.core.errors import InvalidInput
from hub.sockets.answers import failure

log = logging.getLogger(__name__)

RESERVED_EVENTS = frozenset({"connect", "disconnect", "connect_error"})


def refuse_reserved_events(server: sio.Server) -> None:
    """Put the check in front of the server's handling of every client event (binary ones included)."""
    handle = server._handle_event

    def checked(eio_sid: str, namespace: str | None, ack_id: int | None, data: list[Any]) -> None:
        problem = _problem(data[0] if data else None)
        if problem is None:
            handle(eio_sid, namespace, ack_id, data)
            return
        log.warning("refused a client event on %s: %s", namespace or "/", problem.message)
        if ack_id is not None:
            answer = failure(problem)
            server._send_packet(eio_sid, server.packet_class(packet.ACK, namespace=namespace, id=ack_id, data=[answer]))

    server._handle_event = checked


def _problem(name: Any) -> InvalidInput | None:
    if not isinstance(name, str):
        return InvalidInput("event_name_not_text")
    if name in RESERVED_EVENTS:
        return InvalidInput("event_name_reserved", name=repr(name))
    return None
