"""Sign-in (rate-limited failures), sign-out, password change, language switch and each role's home page."""

from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hub import clock, sockets
from hub.core import accounts, registry
from hub.core.errors import HubError, Unauthenticated
from hub.db import write_session
from hub.extensions import limiter
from hub.web.auth import begin_session, end_session
from hub.web.forms import LoginForm, PasswordForm
from hub.web.i18n import LOCALES
from hub.web.pages.base import bp, engine, home_endpoint, principal, safe_next
from hub.web.pages.messages import error_text


def _login_limit() -> str:
    return current_app.config.get("HUB_LOGIN_LIMIT", "10 per 5 minutes")


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("pages.login"))
    return redirect(url_for(home_endpoint(principal())))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    _login_limit,
    methods=["POST"],
    deduct_when=lambda response: response.status_code == 401,
    error_message=lambda: _("Too many failed sign-in attempts. Wait a few minutes and try again."),
)
def login():
    """Failed sign-ins answer 401 and count against the limit; successful ones do not."""
    form = LoginForm()
    if form.validate_on_submit():
        try:
            with write_session(engine()) as session:
                try:
                    user = registry.authenticate(session, form.login.data.strip(), form.password.data, clock.now())
                except Unauthenticated:
                    user = None  # the failure was logged in this transaction, which commits
        except HubError as exc:
            form.form_errors.append(error_text(exc))
        else:
            if user is None:
                form.form_errors.append(_("Wrong login or password."))
                return render_template("auth/login.html", form=form), 401
            session_user = begin_session(user.id)
            return redirect(safe_next(request.args.get("next")) or url_for(home_endpoint(session_user.principal)))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    end_session()
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
            form.form_errors.append(error_text(exc))
        else:
            sockets.cut(ended)
            flash(_("Your password was changed."), "success")
            return redirect(url_for("pages.home"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form), status


@bp.get("/lang/<code>")
def switch_language(code: str):
    """Remember the chosen language in a cookie for a year, and go back to the page."""
    target = safe_next(request.args.get("next")) or url_for("pages.home")
    response = make_response(redirect(target))
    if code in LOCALES:
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
