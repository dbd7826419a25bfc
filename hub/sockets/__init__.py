"""Socket.IO: namespaces /platform and /console (see docs/protocol.md). ``push`` is the one module that emits;
adapters call its ``push_*`` functions after their transaction has committed. The machinery of speed is in ``fast/``.
"""

from __future__ import annotations

from flask import Flask

from hub.sockets import console, fast, platform
from hub.sockets.connected import is_online
from hub.sockets.fast import direct, reserved
from hub.sockets.gate import make_manager
from hub.sockets.names import PLATFORM_NS, socketio
from hub.sockets.progress import console_rooms_of, progress_feed_for
from hub.sockets.push import (
    cut,
    disconnect_token,
    push_answer,
    push_checkpoint,
    push_escalation,
    push_progress,
    push_published,
    push_question,
    push_question_answered,
    push_reminder,
    push_revoked,
)
from hub.sockets.writer import GroupWriter

__all__ = [
    "console",
    "console_rooms_of",
    "cut",
    "disconnect_token",
    "init_app",
    "is_online",
    "platform",
    "progress_feed_for",
    "push_answer",
    "push_checkpoint",
    "push_escalation",
    "push_progress",
    "push_published",
    "push_question",
    "push_question_answered",
    "push_reminder",
    "push_revoked",
    "socketio",
]


def init_app(app: Flask) -> None:
    """Bind the Socket.IO server: gevent when the process was patched (``python app.py``), else threads (tests,
    commands), so that the replay, the receipt writer and the periodic tasks always run."""
    settings = app.config["HUB_SETTINGS"]
    off = fast.switched_off(settings)
    manager = make_manager(settings.socketio_message_queue, settings.socketio_channel, "switch_interval" not in off)
    manager.on_progress = progress_feed_for(app).add
    socketio.init_app(
        app,
        async_mode="gevent" if fast.gevent_patched() else "threading",
        client_manager=manager,
        max_http_buffer_size=settings.max_content_length,
        # Each socket's events are handled one after another, in the order sent (an acknowledgement before the
        # status report that follows it), on the socket's own reader; no greenlet per event.
        async_handlers=False,
    )
    reserved.refuse_reserved_events(socketio.server)
    writer = GroupWriter(app.extensions["hub"], socketio.start_background_task, push_progress, socketio.sleep)
    handlers = platform.writer_handlers(app, writer)
    direct.register(socketio, PLATFORM_NS, handlers, direct="direct_handlers" not in off)
