"""The web server of ``python app.py``: gevent's WSGI server with gevent-websocket, as ``socketio.run`` builds it,
with a smaller read buffer per connection.

Each connection reads through a buffered file that allocates its buffer when the connection opens: 8 KB by default,
held for the life of a websocket. Requests and frames arrive in far smaller pieces (a receipt is under 100 bytes,
and a larger body is still read whole, in more steps), so 2 KB is enough and saves 6 KB per connection: about a
tenth of what a connected platform costs the hub (bench/bench_fanout.py, "KB/conn").
"""

from __future__ import annotations

from typing import Any

from gevent import pywsgi
from geventwebsocket.handler import WebSocketHandler

READ_BUFFER_BYTES = 2048


class Handler(WebSocketHandler):
    """gevent-websocket's handler, reading through a :data:`READ_BUFFER_BYTES` buffer."""

    def __init__(self, sock: Any, address: Any, server: Any, rfile: Any = None) -> None:
        if rfile is None:
            rfile = sock.makefile("rb", READ_BUFFER_BYTES)
        super().__init__(sock, address, server, rfile)


def serve(app: Any, host: str, port: int) -> None:
    """Serve ``app`` (pages, API and websockets) until the process is stopped."""
    pywsgi.WSGIServer((host, port), app, handler_class=Handler, log=None).serve_forever()
