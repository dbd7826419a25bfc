"""Socket.IO: namespaces /platform and /console. ``push`` functions are the only code that emits."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from hub.core.directives import Published

socketio = SocketIO()


def init_app(app: Flask) -> None:
    settings = app.config["HUB_SETTINGS"]
    socketio.init_app(app, message_queue=settings.socketio_message_queue or None)


def push_published(published: Published) -> None:
    """Announce a committed publication to its platforms (one payload, all rooms at once)."""


def push_revoked(directive_id: int, platform_ids: list[int]) -> None:
    """Tell the platforms that had a directive that it was revoked."""


def push_progress(directive_ids: list[int]) -> None:
    """Refresh live progress counts on the consoles."""
