"""A broadcast runs to its end before gevent polls the sockets again.

``emit`` only queues the frame for each socket; the writers then run as gevent callbacks, and gevent polls the
sockets every few milliseconds in between. At thousands of recipients the first ones' receipts were then read and
handled while most frames were still unsent, which made the last delivery several times slower than a plain
broadcast (0.56 s instead of 0.15 s at 5,000 platforms). For the length of one broadcast the callbacks run without
that break, and the ``sleep(0)`` (queued behind every writer) returns once they have all written.
"""

from __future__ import annotations

import sys

import socketio as sio

# While a broadcast's frames are being written, gevent runs ready greenlets for this long before it polls the
# sockets again (normally 5 ms).
BROADCAST_SWITCH_INTERVAL = 1.0


class Broadcasting(sio.Manager):
    """A client manager whose emits to several rooms run with :data:`BROADCAST_SWITCH_INTERVAL` (on gevent)."""

    long_switch_interval = True  # off with HUB_FAST_OFF=switch_interval
    _broadcasting = 0
    _switch_interval = 0.0

    def emit(self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kwargs):
        room = to or room
        plain = isinstance(room, str) or self.server.async_mode != "gevent" or not self.long_switch_interval
        if plain:
            return super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs)
        self._broadcasting += 1
        if self._broadcasting == 1:
            self._switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(BROADCAST_SWITCH_INTERVAL)
        try:
            result = super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs)
            self.server.sleep(0)
            return result
        finally:
            self._broadcasting -= 1
            if self._broadcasting == 0:
                sys.setswitchinterval(self._switch_interval)
