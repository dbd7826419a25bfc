"""A cheaper frame writer for gevent-websocket's sockets.

gevent-websocket writes every frame with ``socket.sendall``, and gevent's ``sendall`` asks the kernel for the
socket's send-buffer size (a ``getsockopt`` system call) before each write. At thousands of frames per publish (the
directive to every platform, then an answer to every receipt) that call cost as much CPU as the sends themselves.
A frame is small: one ``send`` nearly always takes all of it, and ``sendall`` finishes whatever is left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def with_direct_frame_writes(wsgi_app: WSGIApp) -> WSGIApp:
    """Wrap a WSGI app so that each gevent-websocket connection writes its frames with :func:`frame_writer`."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        ws = environ.get("wsgi.websocket")
        handler = getattr(ws, "handler", None)
        sock = getattr(handler, "socket", None)
        if sock is not None and getattr(ws, "raw_write", None) is not None:
            ws.raw_write = frame_writer(sock)
        return wsgi_app(environ, start_response)

    return app


def frame_writer(sock: Any) -> Callable[[bytes], None]:
    """Write ``data`` to ``sock`` in full: one ``send``, and ``sendall`` for the rest if it did not take all."""

    def write(data: bytes) -> None:
        sent = sock.send(data)
        if sent < len(data):
            sock.sendall(memoryview(data)[sent:])

    return write
