"""Who is calling: a bearer token (user's personal or platform's machine token) or the signed-in web session.

``current_principal()`` is the only way adapters learn who acts; the core then decides what that principal may do.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_login import UserMixin, current_user

from hub import clock
from hub.core import registry
from hub.core.access import Principal
from hub.core.errors import Unauthenticated
from hub.db import read_session, write_session
from hub.extensions import csrf, login_manager
from hub.models import User
from hub.state import current_hub


class SessionUser(UserMixin):
    """The signed-in user as Flask-Login holds it: its id, login, display name and principal."""

    def __init__(self, user: User, principal: Principal) -> None:
        self.id = str(user.id)
        self.login = user.login
        self.display_name = user.display_name
        self.locale = user.locale
        self.principal = principal


def load_session_user(user_id: str) -> SessionUser | None:
    if not user_id.isdigit():
        return None
    with read_session(current_hub().engine) as session:
        user = session.get(User, int(user_id))
        if user is None or not user.active:
            return None
        return SessionUser(user, registry.principal_for_user(session, user))


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def current_principal(required: bool = True) -> Principal | None:
    """The principal of this request (token first, then session); raises Unauthenticated when required."""
    if "principal" in g:
        return g.principal
    principal = None
    token = bearer_token()
    if token is not None:
        engine = current_hub().engine
        now = clock.now()
        with read_session(engine) as session:
            principal = registry.resolve_token(session, token, now)
        if registry.token_needs_touch(principal, now):
            with write_session(engine) as session:
                registry.touch_token(session, principal.token_id, now)
    elif current_user.is_authenticated:
        principal = current_user.principal
    if principal is None and required:
        raise Unauthenticated("sign in or send 'Authorization: Bearer <token>'")
    g.principal = principal
    return principal


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_session_user)
    login_manager.login_view = "pages.login"

    @app.before_request
    def _csrf_unless_token() -> None:
        # Token-authenticated API calls carry no cookies, so they need no CSRF token; session calls do.
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        if request.path.startswith("/api/") and (bearer_token() is not None or not current_user.is_authenticated):
            return  # anonymous API calls are refused with 401 by authentication, which comes next
        csrf.protect()
