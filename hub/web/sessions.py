"""The session cookie interface, with its signing serializer built once.

Flask builds a new itsdangerous serializer on every request, and Flask-SocketIO pushes a request context (so opens
the session) for every socket event: with thousands of receipts a second, that construction was a tenth of the
hub's CPU. The serializer is stateless, so one per secret key is enough.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[Any, Any] = {}

    def get_signing_serializer(self, app: Flask) -> Any:
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = self._serializers[key] = super().get_signing_serializer(app)
        return serializer

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when configured (HUB_HTTPS) or whenever the request came over HTTPS."""
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
