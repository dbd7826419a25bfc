"""Who is calling: a bearer token (user's personal or platform's machine token) or the signed-in web session.

``current_principal()`` is the only way adapters learn who acts; the core then decides what that principal may do.
A web session is server-side state (``hub.core.sessions``): the signed cookie carries only the key of a
:class:`~hub.models.UserSession`, so that signing out, a password change or a deactivation really ends it.
"""

from __future__ import annotations

import dataclasses

from flask import Flask, g, request
from flask import session as cookie
from flask_login import UserMixin, current_user, login_user, logout_user

from hub import clock, sockets
from hub.core import sessions, tokens, users
from hub.core.access import Principal
from hub.core.errors import Unauthenticated
from hub.db import read_session, write_session
from hub.extensions import csrf, login_manager
from hub.models import User
from hub.runtime import current_hub


class SessionUser(UserMixin):
    """The signed-in user as Flask-Login holds it: its id, login, display name and principal."""

    def __init__(self, user: User, principal: Principal) -> None:
        self.id = str(user.id)
        self.login = user.login
        self.display_name = user.display_name
        self.locale = user.locale
        self.must_change_password = user.must_change_password
        self.principal = principal


SESSION_KEY = "hub_session"


def load_session_user(user_id: str) -> SessionUser | None:
    """The signed-in user of this request, if the session its cookie names is still live (else signed out)."""
    if not user_id.isdigit():
        return None
    hub, now = current_hub(), clock.now()
    try:
        with read_session(hub.engine) as session:
            row = sessions.resolve(session, cookie.get(SESSION_KEY), int(user_id), now, hub.session_policy)
            session_user = _session_user(session, session.get(User, row.user_id), row.id)
    except Unauthenticated:
        return None
    if sessions.needs_touch(row, now):
        with write_session(hub.engine) as session:
            sessions.touch(session, row.id, now)
    return session_user


def _session_user(session, user: User, session_id: int) -> SessionUser:
    principal = dataclasses.replace(users.principal_for_user(session, user), session_id=session_id)
    return SessionUser(user, principal)


def begin_session(user_id: int) -> SessionUser:
    """Sign a user in with a new server-side session, whose key the signed cookie carries."""
    with write_session(current_hub().engine) as session:
        user = session.get(User, user_id)
        row, key = sessions.begin(session, user, clock.now())
        session_user = _session_user(session, user, row.id)
    cookie[SESSION_KEY] = key
    login_user(session_user)
    return session_user


def end_session() -> None:
    """Sign out: the server-side session ends, so a copy of the cookie is worthless, and its sockets are cut."""
    who = current_user.principal if current_user.is_authenticated else None
    if who is not None and who.session_id is not None:
        with write_session(current_hub().engine) as session:
            ended = sessions.end(session, who.session_id, clock.now(), "logout")
        sockets.cut(ended)
    logout_user()
    cookie.pop(SESSION_KEY, None)


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
            principal = tokens.resolve_token(session, token, now)
        if tokens.token_needs_touch(principal, now):
            with write_session(engine) as session:
                tokens.touch_token(session, principal.token_id, now)
    elif current_user.is_authenticated:
        principal = current_user.principal
    if principal is None and required:
        raise Unauthenticated("sign_in_required")
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
