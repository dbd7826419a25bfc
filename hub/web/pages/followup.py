"""Acting on a directive after it is written: publish a draft, amend, revoke (with confirmation), review reports,
answer questions, remind or rectify a platform, and the escalations list."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from pydantic import ValidationError

from hub import clock, sockets
from hub.core import attachments, deliveries, directives, questions, rectifications, reminders
from hub.core import escalations as core_escalations
from hub.core.access import get_visible_directive, get_visible_platform
from hub.core.errors import N_, HubError
from hub.db import read_session, write_session
from hub.models import Priority
from hub.runtime import current_hub
from hub.web.api.attachments import read_upload
from hub.web.forms import (
    AnswerForm,
    ConfirmForm,
    DirectiveForm,
    RectifyForm,
    ReviewForm,
    RevokeForm,
    local_input,
    options,
)
from hub.web.held import hold, restore
from hub.web.messages import Note, error_note, error_text, validation_note
from hub.web.pages.base import PRIORITY_LABELS, bp, engine, int_arg, principal, safe_next
from hub.web.pages.console import announce, composer_form, directive_input, officer_only


@bp.post("/console/directives/<int:directive_id>/publish")
@officer_only
def publish_draft(directive_id: int):
    ConfirmForm()
    try:
        with write_session(engine()) as session:
            published = directives.publish(session, principal(), clock.now(), directive_id, current_hub().signer)
    except HubError as exc:
        flash(error_text(exc), "error")
    else:
        announce(published)
        flash(_("Published to %(n)d platforms.", n=published.directive.audience_size), "success")
    return redirect(url_for("pages.console_directive", directive_id=directive_id))


@bp.post("/console/directives/<int:directive_id>/documents")
@officer_only
def attach_documents(directive_id: int):
    """The signed official document (PDF) of a draft; the directive's signature will cover its hash."""
    ConfirmForm()
    uploads = [read_upload(f) for f in request.files.getlist("document") if f.filename]
    try:
        hub = current_hub()
        with write_session(engine()) as session:
            attachments.attach_official(
                session, principal(), clock.now(), directive_id, uploads, hub.attachment_limits, hub.blobs
            )
    except HubError as exc:
        flash(error_text(exc), "error")
    else:
        flash(_("The document was attached; publishing will sign it with the directive."), "success")
    return redirect(url_for("pages.console_directive", directive_id=directive_id) + "#documents")


@bp.route("/console/directives/<int:directive_id>/amend", methods=["GET", "POST"])
@officer_only
def amend(directive_id: int):
    who = principal()
    with read_session(engine()) as session:
        old = get_visible_directive(session, who, directive_id)
    form = composer_form(DirectiveForm())
    if request.method == "GET":
        refused = restore(form)
        if not refused:
            _fill(form, old)
        return render_template("console/compose.html", form=form, amend_of=old), 422 if refused else 200
    if form.validate_on_submit() and not request.form.get("confirm_amend"):
        form.form_errors.append(Note(text=N_("Tick the box to confirm the amendment.")))
    elif form.validate_on_submit():
        try:
            data = directive_input(form)
            with write_session(engine()) as session:
                issued = directives.amend(session, who, clock.now(), directive_id, data, current_hub().signer)
        except ValidationError as exc:
            form.form_errors.append(validation_note(exc))
        except HubError as exc:
            form.form_errors.append(error_note(exc))
        else:
            if issued.published is not None:
                announce(issued.published)
            flash(_("The amendment was issued."), "success")
            return redirect(url_for("pages.console_directive", directive_id=issued.directive.id))
    return hold(form, "pages.amend", directive_id=directive_id)


def _fill(form: DirectiveForm, old) -> None:
    form.kind.data, form.title.data, form.body.data, form.priority.data = old.kind, old.title, old.body, old.priority
    audience = old.audience or {}
    form.audience_all.data = bool(audience.get("all"))
    form.provinces.data = audience.get("provinces", [])
    form.platform_kinds.data = audience.get("platform_kinds", [])
    form.platforms.data = ", ".join(audience.get("platforms", []))
    form.legal_basis.data, form.exercise.data = old.legal_basis, old.exercise
    form.remind_interval_minutes.data, form.remind_limit.data = old.remind_interval_minutes, old.remind_limit
    form.escalate_after_minutes.data = old.escalate_after_minutes
    form.expires_at.data = local_input(old.expires_at)


@bp.route("/console/directives/<int:directive_id>/revoke", methods=["GET", "POST"])
@officer_only
def revoke(directive_id: int):
    """Revoking asks for a reason and an explicit confirmation first."""
    who = principal()
    with read_session(engine()) as session:
        directive = get_visible_directive(session, who, directive_id)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            with write_session(engine()) as session:
                revoked = directives.revoke(session, who, clock.now(), directive_id, form.reason.data)
        except HubError as exc:
            form.form_errors.append(error_note(exc))
        else:
            if revoked.changed:
                done = revoked.directive
                sockets.push_revoked(done.id, done.ref_no, done.revoke_reason, revoked.platform_ids)
            flash(_("The directive was revoked."), "success")
            return redirect(url_for("pages.console_directive", directive_id=directive_id))
    if request.method == "POST":
        return hold(form, "pages.revoke", directive_id=directive_id)
    status = 422 if restore(form) else 200
    return render_template("console/revoke.html", form=form, directive=directive), status


@bp.post("/console/deliveries/<int:delivery_id>/review")
@officer_only
def review(delivery_id: int):
    form = ReviewForm()
    directive_id = request.form.get("directive_id", type=int)
    if not form.validate_on_submit() or form.verdict.data not in ("verified", "returned"):
        flash(form.error_or(_("Choose verified or return.")), "error")
    else:
        try:
            with write_session(engine()) as session:
                change = deliveries.review_report(
                    session, principal(), clock.now(), delivery_id, form.verdict.data, form.note.data
                )
        except HubError as exc:
            flash(error_text(exc), "error")
        else:
            directive_id = change.delivery.directive_id
            if change.refresh:
                sockets.push_progress(change.refresh)
            flash(_("The report was reviewed."), "success")
    if directive_id is None:
        abort(404)
    return redirect(url_for("pages.console_directive", directive_id=directive_id) + "#table")


@bp.post("/console/questions/<int:question_id>/answer")
@officer_only
def answer_question(question_id: int):
    form = AnswerForm()
    directive_id = request.form.get("directive_id", type=int)
    if not form.validate_on_submit():
        flash(form.error_or(_("Write an answer (at most 5,000 characters).")), "error")
    else:
        try:
            with write_session(engine()) as session:
                answered = questions.answer(session, principal(), clock.now(), question_id, form.text.data)
        except HubError as exc:
            flash(error_text(exc), "error")
        else:
            directive_id = answered.delivery.directive_id
            sockets.push_answer(answered.delivery.platform_id, answered.payload)
            sockets.push_question_answered(answered.issuer_province, answered.notice)
            flash(_("The answer was sent."), "success")
    if directive_id is None:
        abort(404)
    return redirect(url_for("pages.console_directive", directive_id=directive_id) + "#questions")


@bp.get("/console/escalations")
@officer_only
def escalations():
    with read_session(engine()) as session:
        page = core_escalations.escalations(session, principal(), page=int_arg("page", 1), per_page=50)
    return render_template("console/escalations.html", page=page, now=clock.now(), confirm_form=ConfirmForm())


@bp.post("/console/deliveries/<int:delivery_id>/remind")
@officer_only
def remind(delivery_id: int):
    """Remind one platform of a delivery by hand (on top of the automatic reminders)."""
    ConfirmForm()
    back = safe_next(request.form.get("next"))
    try:
        with write_session(engine()) as session:
            reminded = reminders.remind(session, principal(), clock.now(), delivery_id)
    except HubError as exc:
        flash(error_text(exc), "error")
    else:
        sockets.push_reminder(reminded.sent.platform_id, reminded.sent.payload)
        flash(_("The platform was reminded."), "success")
        if not back:
            back = url_for("pages.console_directive", directive_id=reminded.directive.id) + "#table"
    return redirect(back or url_for("pages.console"))


@bp.route("/console/platforms/<int:platform_id>/rectify", methods=["GET", "POST"])
@officer_only
def rectify(platform_id: int):
    """Send one platform of the officer's scope a rectification notice."""
    who = principal()
    try:
        with read_session(engine()) as session:
            platform = get_visible_platform(session, who, platform_id)
    except HubError:
        abort(404)
    form = RectifyForm()
    form.priority.choices = options((p.value, PRIORITY_LABELS[p.value]) for p in Priority)
    if request.method == "GET":
        if restore(form):
            return render_template("console/rectify.html", form=form, platform=platform), 422
        form.priority.data = Priority.URGENT.value
    elif form.validate_on_submit():
        data = rectifications.RectificationInput(
            title=form.title.data,
            body=form.body.data,
            priority=form.priority.data,
            legal_basis=form.legal_basis.data or None,
        )
        try:
            with write_session(engine()) as session:
                published = rectifications.rectify(session, who, clock.now(), platform_id, data, current_hub().signer)
        except HubError as exc:
            form.form_errors.append(error_note(exc))
        else:
            announce(published)
            flash(_("The rectification notice was sent."), "success")
            return redirect(url_for("pages.console_directive", directive_id=published.directive.id))
    if request.method == "POST":
        return hold(form, "pages.rectify", platform_id=platform_id)
    return render_template("console/rectify.html", form=form, platform=platform)
