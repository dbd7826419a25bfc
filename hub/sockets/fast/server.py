"""The web server of ``python app.py``: gevent's WSGI server with gevent-websocket, as ``socketio.run`` builds it,
with a smaller read buffer per connection and a cheaper frame writer.

Each connection reads through a buffered file that allocates its buffer when the connection opens: 8 KB by default,
held for the life of a websocket. Requests and frames arrive in far smaller pieces (a receipt is under 100 bytes,
and a larger body is still read whole, in more steps), so 2 KB is enough.

gevent-websocket writes every frame with ``socket.sendall``, and gevent's ``sendall`` asks the kernel for the
socket's send-buffer size (a ``getsockopt`` system call) before each write. At thousands of frames per publish (the
directive to every platform, then an answer to every receipt) that call cost as much CPU as the sends themselves.
A frame is small: one ``send`` nearly always takes all of it, and ``sendall`` finishes whatever is left.

gevent-websocket checks incoming text frames' UTF-8 with wsaccel's C validator when it can import it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

READ_BUFFER_BYTES = 2048


def frame_writer(sock: Any) -> Callable[[bytes], None]:
    """Write ``data`` to ``sock`` in full: one ``send``, and ``sendall`` for the rest if it did not take all."""

    def write(data: bytes) -> None:
        sent = sock.send(data)
        if sent < len(data):
            sock.sendall(memoryview(data)[sent:])

    return write


def listen(host: str, port: int) -> Any:
    """A socket listening on ``host:port`` as gevent's server would open it (address reuse, its backlog); raises
    ``OSError`` when the address is taken or not this machine's."""
    from gevent import baseserver, pywsgi

    family, address = baseserver.parse_address((host, port))
    return pywsgi.WSGIServer.get_listener(address, family=family)


def serve(app: Any, listener: Any, off: frozenset[str] = frozenset()) -> None:
    """Serve ``app`` (pages, API and websockets) on the bound ``listener`` socket until the process is stopped,
    without the tricks in ``off``."""
    from gevent import pywsgi

    if "wsaccel" in off:
        _without_wsaccel()
    handler = _handler_class(read_buffer="read_buffer" not in off, one_send="frame_writer" not in off)
    pywsgi.WSGIServer(listener, app, handler_class=handler, log=None).serve_forever()


def _handler_class(read_buffer: bool, one_send: bool) -> type:
    """gevent-websocket's handler, reading through a :data:`READ_BUFFER_BYTES` buffer and writing frames with
    :func:`frame_writer` (each as switched on)."""
    from geventwebsocket.handler import WebSocketHandler

    class Handler(WebSocketHandler):
        def __init__(self, sock: Any, address: Any, server: Any, rfile: Any = None) -> None:
            if rfile is None and read_buffer:
                rfile = sock.makefile("rb", READ_BUFFER_BYTES)
            super().__init__(sock, address, server, rfile)

        def run_websocket(self) -> None:
            if one_send:
                self.websocket.raw_write = frame_writer(self.socket)
            super().run_websocket()

    return Handler


def _without_wsaccel() -> None:
    """Make gevent-websocket fall back to its pure-Python UTF-8 validator."""
    sys.modules["wsaccel.utf8validator"] = None  # type: ignore[assignment]  # an import of it now fails
    validator = importlib.reload(importlib.import_module("geventwebsocket.utf8validator"))
    importlib.import_module("geventwebsocket.websocket").Utf8Validator = validator.Utf8Validator
