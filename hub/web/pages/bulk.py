"""Bulk actions on the console: remind every overdue platform of a directive, remind the whole escalation list,
verify the reports ticked in a directive's follow-through table."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from hub import clock, sockets
from hub.core import bulk
from hub.core.errors import HubError
from hub.core.reminders import Reminded
from hub.db import write_session
from hub.web.messages import error_text
from hub.web.pages.base import bp, engine, principal
from hub.web.pages.console import officer_only


def _pushed(sent: list[Reminded]) -> None:
    for reminded in sent:
        sockets.push_reminder(reminded.sent.platform_id, reminded.sent.payload)
    if sent:
        flash(ngettext("%(num)d platform was reminded.", "%(num)d platforms were reminded.", len(sent)), "success")
    else:
        flash(_("No platform was overdue: nobody was reminded."), "warning")


@bp.post("/console/directives/<int:directive_id>/remind-overdue")
@officer_only
def remind_overdue(directive_id: int):
    """Remind every overdue platform of one directive, once each."""
    try:
        with write_session(engine()) as session:
            sent = bulk.remind_overdue(session, principal(), clock.now(), directive_id)
    except HubError as exc:
        flash(error_text(exc), "error")
    else:
        _pushed(sent)
    return redirect(url_for("pages.console_directive", directive_id=directive_id) + "#table")


@bp.post("/console/escalations/remind")
@officer_only
def remind_escalated():
    """Remind every platform on the officer's list of open escalations, once each."""
    try:
        with write_session(engine()) as session:
            sent = bulk.remind_escalated(session, principal(), clock.now())
    except HubError as exc:
        flash(error_text(exc), "error")
    else:
        _pushed(sent)
    return redirect(url_for("pages.escalations"))


@bp.post("/console/directives/<int:directive_id>/verify")
@officer_only
def verify_selected(directive_id: int):
    """Verify the reports ticked in the follow-through table (all or none)."""
    ids = [int(v) for v in request.form.getlist("delivery_id") if v.isdigit() and len(v) < 10]
    if not ids:
        flash(_("Tick the reports to verify first."), "error")
    else:
        try:
            with write_session(engine()) as session:
                changes = bulk.verify_reports(session, principal(), clock.now(), ids, directive_id)
        except HubError as exc:
            flash(error_text(exc), "error")
        else:
            done = sum(c.changed for c in changes)
            if done:
                sockets.push_progress([directive_id])
            flash(ngettext("%(num)d report was verified.", "%(num)d reports were verified.", done), "success")
    return redirect(url_for("pages.console_directive", directive_id=directive_id) + "#table")
