"""Socket.IO: namespaces /platform and /console (see docs/protocol.md). The ``push_*`` functions are the only code
that emits; adapters call them after their transaction has committed."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_socketio import SocketIO

from hub.core.directives import Published

socketio = SocketIO()


def init_app(app: Flask) -> None:
    settings = app.config["HUB_SETTINGS"]
    socketio.init_app(app, message_queue=settings.socketio_message_queue or None)


def push_published(published: Published) -> None:
    """Announce a committed publication to its platforms (one payload, all rooms at once) and the consoles."""


def push_revoked(directive_id: int, ref_no: str | None, reason: str, platform_ids: list[int]) -> None:
    """Tell the platforms that had a directive that it was revoked."""


def push_progress(directive_ids: list[int]) -> None:
    """Refresh live progress counts on the consoles."""


def push_reminder(platform_id: int, payload: dict[str, Any]) -> None:
    """A reminder to one platform."""


def push_escalation(province: str | None, payload: dict[str, Any]) -> None:
    """An escalation, to the platform's province console and the central console."""


def push_answer(platform_id: int, payload: dict[str, Any]) -> None:
    """The issuer's answer to a platform's question."""


def disconnect_token(token_id: int) -> None:
    """Cut off the live sockets authenticated with a revoked token."""
