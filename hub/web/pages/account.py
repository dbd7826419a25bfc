"""The signed-in user's own account: how they receive e-mail notices and in which language (docs/mail.md)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required

from hub.core import mail_notices
from hub.core.errors import HubError
from hub.db import read_session, write_session
from hub.models import User
from hub.runtime import current_hub
from hub.web.forms import MailPreferencesForm
from hub.web.held import hold, restore
from hub.web.messages import error_note
from hub.web.pages.base import bp, engine


@bp.route("/account/preferences", methods=["GET", "POST"])
@login_required
def account_preferences():
    with read_session(engine()) as session:
        user = session.get(User, int(current_user.get_id()))
    form = MailPreferencesForm()
    if request.method == "GET":
        form.notices.data, form.locale.data = user.mail_notices, user.locale or ""
    if form.validate_on_submit():
        try:
            with write_session(engine()) as session:
                mail_notices.set_preferences(session, user.id, form.notices.data, form.locale.data or None)
        except HubError as exc:
            form.form_errors.append(error_note(exc))
        else:
            current_user.locale = form.locale.data or None  # the answer speaks the language just chosen
            refresh()
            flash(_("Your preferences were saved."), "success")
            return redirect(url_for("pages.account_preferences"))
    if request.method == "POST":
        return hold(form, "pages.account_preferences")
    status = 422 if restore(form) else 200
    mail_on = bool(current_hub().settings.smtp_url.strip())
    return render_template("auth/preferences.html", form=form, user=user, mail_on=mail_on), status
