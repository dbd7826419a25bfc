"""Socket.IO: namespaces /platform and /console (see docs/protocol.md). The ``push_*`` functions are the only code
that emits; adapters call them after their transaction has committed."""

from __future__ import annotations

from flask import Flask
from gevent import monkey

from hub.sockets import console, platform
from hub.sockets.gate import make_manager
from hub.sockets.names import PLATFORM_NS, socketio
from hub.sockets.progress import progress_feed_for, push_progress
from hub.sockets.push import (
    cut,
    disconnect_token,
    push_answer,
    push_checkpoint,
    push_escalation,
    push_published,
    push_reminder,
    push_revoked,
)
from hub.sockets.reserved import refuse_reserved_events

__all__ = [
    "console",
    "cut",
    "disconnect_token",
    "init_app",
    "platform",
    "progress_feed_for",
    "push_answer",
    "push_checkpoint",
    "push_escalation",
    "push_progress",
    "push_published",
    "push_reminder",
    "push_revoked",
    "socketio",
]


def init_app(app: Flask) -> None:
    """Bind the Socket.IO server: gevent when the process was patched (``python app.py``), else threads (tests,
    commands), so that the replay, the receipt writer and the periodic tasks always run."""
    settings = app.config["HUB_SETTINGS"]
    manager = make_manager(settings.socketio_message_queue, settings.socketio_channel)
    manager.on_progress = progress_feed_for(app).add
    socketio.init_app(
        app,
        async_mode="gevent" if monkey.is_module_patched("socket") else "threading",
        client_manager=manager,
        max_http_buffer_size=settings.max_content_length,
        # Each socket's events are handled one after another, in the order sent (an acknowledgement before the
        # status report that follows it), on the socket's own reader; no greenlet per event.
        async_handlers=False,
    )
    refuse_reserved_events(socketio.server)
    from hub.sockets.platform import writer_handlers

    for event, handler in writer_handlers(app).items():
        socketio.server.on(event, handler, namespace=PLATFORM_NS)
