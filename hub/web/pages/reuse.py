"""Reusing directives on the console: duplicate one as a new draft, save it as a template, the templates page and
a new draft from a template."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hub import clock
from hub.core import directive_templates as reuse
from hub.core.errors import HubError
from hub.db import read_session, write_session
from hub.web.forms import ConfirmForm
from hub.web.messages import error_text
from hub.web.pages.base import bp, engine, principal
from hub.web.pages.console import officer_only


@bp.post("/console/directives/<int:directive_id>/duplicate")
@officer_only
def duplicate(directive_id: int):
    """A new draft with this directive's content; the officer lands on it."""
    try:
        with write_session(engine()) as session:
            draft = reuse.duplicate(session, principal(), clock.now(), directive_id)
    except HubError as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("pages.console_directive", directive_id=directive_id))
    flash(_("A new draft was made from it."), "success")
    return redirect(url_for("pages.console_directive", directive_id=draft.id))


@bp.post("/console/directives/<int:directive_id>/template")
@officer_only
def save_template(directive_id: int):
    """Keep this directive's content as a named template of the officer's organisation."""
    try:
        with write_session(engine()) as session:
            reuse.save_template(session, principal(), clock.now(), directive_id, request.form.get("name", "")[:300])
    except HubError as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("pages.console_directive", directive_id=directive_id) + "#reuse")
    flash(_("Saved as a template."), "success")
    return redirect(url_for("pages.console_templates"))


@bp.get("/console/templates")
@officer_only
def console_templates():
    with read_session(engine()) as session:
        templates = reuse.list_templates(session, principal())
    return render_template("console/templates.html", templates=templates, confirm_form=ConfirmForm())


@bp.post("/console/templates/<int:template_id>/draft")
@officer_only
def draft_from_template(template_id: int):
    try:
        with write_session(engine()) as session:
            draft = reuse.draft_from_template(session, principal(), clock.now(), template_id)
    except HubError as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("pages.console_templates"))
    flash(_("A new draft was made from the template."), "success")
    return redirect(url_for("pages.console_directive", directive_id=draft.id))


@bp.post("/console/templates/<int:template_id>/delete")
@officer_only
def delete_template(template_id: int):
    try:
        with write_session(engine()) as session:
            reuse.delete_template(session, principal(), clock.now(), template_id)
    except HubError as exc:
        flash(error_text(exc), "error")
    else:
        flash(_("The template was removed."), "success")
    return redirect(url_for("pages.console_templates"))
