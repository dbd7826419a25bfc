"""The sign-in page's link to the throttle: which address asks (as ProxyFix made it), which store, what time."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, request

from hub import clock
from hub.core import throttle
from hub.core.throttle import ThrottleStore
from hub.runtime import Hub
from hub.throttle_stores import make_store


def _store() -> ThrottleStore:
    return current_app.extensions["login_throttle"]


def _address() -> str:
    return request.remote_addr or "unknown"


def retry_at(login: str) -> datetime | None:
    """When this sign-in may be tried again, or None when it may be tried now."""
    return throttle.retry_at(_store(), login, _address(), clock.now())


def failed(login: str) -> None:
    throttle.record_failure(_store(), login, _address(), clock.now())


def succeeded(login: str) -> None:
    throttle.record_success(_store(), login)


def init_app(app: Flask) -> None:
    """Count in Redis when the hub has one (its own setting, or the Socket.IO queue), in the database otherwise."""
    hub: Hub = app.extensions["hub"]
    settings = hub.settings
    url = settings.throttle_redis_url or settings.socketio_message_queue
    app.extensions["login_throttle"] = make_store(hub.engine, url, prefix=f"{settings.socketio_channel}:login:")
