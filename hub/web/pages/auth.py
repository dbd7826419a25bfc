"""Sign-in (failures slow down further tries), sign-out, password change, language switch and each role's home page."""

from __future__ import annotations

import math
from datetime import datetime

from flask import flash, make_response, redirect, render_template, request, url_for
from flask import session as web_session
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub import clock, sockets
from hub.core import accounts, users
from hub.core.errors import HubError, Unauthenticated
from hub.db import write_session
from hub.web import login_throttle
from hub.web.auth import begin_session, end_session
from hub.web.forms import LoginForm, PasswordForm
from hub.web.held import hold, restore
from hub.web.i18n import LOCALES
from hub.web.messages import error_note, error_text
from hub.web.pages.base import bp, engine, home_endpoint, principal, safe_next


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("pages.login"))
    return redirect(url_for(home_endpoint(principal())))


def _too_soon(form: LoginForm, retry_at: datetime):
    """Refuse a sign-in during its delay, saying when to try again (429 with Retry-After)."""
    seconds = max(1, math.ceil((retry_at - clock.now()).total_seconds()))
    form.form_errors.append(
        _(
            "Too many failed sign-ins for this account or from this address. Try again in %(seconds)d s (at %(time)s).",
            seconds=seconds,
            time=format_time(retry_at, "HH:mm:ss"),
        )
    )
    response = make_response(render_template("auth/login.html", form=form), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


def _fresh_session() -> None:
    """A new session (and so a new CSRF token) at each sign-in and sign-out, so no token outlives its session."""
    web_session.clear()


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Failed sign-ins answer 401 and slow down further tries of that account and address; successful ones do not."""
    form = LoginForm()
    if form.validate_on_submit():
        name = form.login.data.strip()
        retry_at = login_throttle.retry_at(name)
        if retry_at is not None:
            return _too_soon(form, retry_at)
        try:
            with write_session(engine()) as session:
                try:
                    user = users.authenticate(session, name, form.password.data, clock.now())
                except Unauthenticated:
                    user = None  # the failure was logged in this transaction, which commits
        except HubError as exc:
            form.form_errors.append(error_text(exc))
        else:
            if user is None:
                login_throttle.failed(name)
                form.form_errors.append(_("Wrong login or password."))
                return render_template("auth/login.html", form=form), 401
            login_throttle.succeeded(name)
            _fresh_session()
            session_user = begin_session(user.id)
            return redirect(safe_next(request.args.get("next")) or url_for(home_endpoint(session_user.principal)))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    end_session()
    _fresh_session()
    flash(_("You are signed out."), "info")
    return redirect(url_for("pages.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            with write_session(engine()) as session:
                ended = accounts.change_password(session, principal(), clock.now(), form.current.data, form.new.data)
        except HubError as exc:
            form.form_errors.append(error_note(exc))
        else:
            sockets.cut(ended)
            flash(_("Your password was changed."), "success")
            return redirect(url_for("pages.home"))
    if request.method == "POST":
        return hold(form, "pages.change_password")
    status = 422 if restore(form) else 200
    return render_template("auth/password.html", form=form), status


FREE_WHILE_RESETTING = {"pages.change_password", "pages.logout", "pages.switch_language", "pages.login"}


@bp.before_request
def _new_password_first():
    """A user whose password an admin reset chooses a new one before any other page."""
    if getattr(current_user, "must_change_password", False) and request.endpoint not in FREE_WHILE_RESETTING:
        flash(_("Your password was reset by an administrator: choose a new one to go on."), "info")
        return redirect(url_for("pages.change_password"))
    return None


@bp.get("/lang/<code>")
def switch_language(code: str):
    """Remember the chosen language in a cookie for a year, and go back to the page."""
    target = safe_next(request.args.get("next")) or url_for("pages.home")
    response = make_response(redirect(target))
    if code in LOCALES:
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
