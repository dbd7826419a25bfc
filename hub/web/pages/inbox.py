"""The platform editor's inbox: directives arriving live, acknowledge and report, questions, content-ratio reports
and the platform's machine tokens."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hub import clock, sockets
from hub.core import access, attachments, deliveries, questions
from hub.core import inbox as core_inbox
from hub.core import timeline as core_timeline
from hub.core import tokens as core_tokens
from hub.core.errors import HubError
from hub.db import read_session, write_session
from hub.runtime import current_hub
from hub.web.api.attachments import read_upload, send_attachment
from hub.web.forms import ConfirmForm, QuestionForm, StatusForm, TokenForm
from hub.web.held import hold, restore
from hub.web.limited import limited
from hub.web.messages import error_note, error_text
from hub.web.pages.base import STATE_LABELS, allowed_if, bp, engine, int_arg, principal, revoke_token

editor_only = allowed_if(access.is_platform_member)


@bp.get("/inbox")
@editor_only
def inbox():
    who, now = principal(), clock.now()
    state = request.args.get("state") or None
    if state not in (None, *core_inbox.INBOX_FILTERS):
        state = None
    sort = request.args.get("sort") or "newest"
    if sort not in core_inbox.INBOX_SORTS:
        sort = "newest"
    q = (request.args.get("q") or "").strip()[:200]
    with read_session(engine()) as session:
        page = core_inbox.inbox_page(
            session, who, now, state=state, sort=sort, q=q, page=int_arg("page", 1), per_page=25
        )
        unread = core_inbox.unread_count(session, who)
        head = core_inbox.inbox_head(session, who.org_id)
    return render_template(
        "inbox/list.html", page=page, unread=unread, head=head, state=state or "", sort=sort, now=now, q=q
    )


@bp.get("/inbox/<int:directive_id>")
@editor_only
def inbox_directive(directive_id: int):
    """An inbox item with its status and question forms (one of them refilled after a refusal)."""
    with read_session(engine()) as session:
        item = core_inbox.inbox_item(session, principal(), directive_id)
        head = core_inbox.inbox_head(session, principal().org_id)
        history = core_timeline.describe(session, item.events)
        evidence = attachments.evidence_of(session, item.delivery.id)
    status_form, question_form = StatusForm(), QuestionForm()
    refused = restore(status_form) or restore(question_form)
    page = render_template(
        "inbox/directive.html",
        item=item,
        history=history,
        now=clock.now(),
        head=head,
        status_form=status_form,
        question_form=question_form,
        confirm_form=ConfirmForm(),
        states=STATE_LABELS,
        evidence=evidence,
        limits=current_hub().attachment_limits,
    )
    return page, 422 if refused else 200


@bp.post("/inbox/<int:directive_id>/acknowledge")
@editor_only
def acknowledge(directive_id: int):
    ConfirmForm()
    try:
        with write_session(engine()) as session:
            change = deliveries.acknowledge(session, principal(), clock.now(), directive_id)
    except HubError as exc:
        flash(error_text(exc), "error")
    else:
        if change.refresh:
            sockets.push_progress(change.refresh)
        flash(_("Acknowledged."), "success")
    return redirect(url_for("pages.inbox_directive", directive_id=directive_id))


@bp.post("/inbox/<int:directive_id>/status")
@editor_only
def report_status(directive_id: int):
    form = StatusForm()
    if form.validate_on_submit():
        try:
            with write_session(engine()) as session:
                change = deliveries.set_status(
                    session, principal(), clock.now(), directive_id, form.state.data, form.report.data
                )
                _attach(session, directive_id)
        except HubError as exc:
            form.form_errors.append(error_note(exc))
        else:
            if change.refresh:
                sockets.push_progress(change.refresh)
            flash(_("Your status was recorded."), "success")
            return redirect(url_for("pages.inbox_directive", directive_id=directive_id))
    return hold(form, "pages.inbox_directive", "#status", directive_id=directive_id)


def _attach(session, directive_id: int) -> None:
    """Keep the evidence files sent with a status (the browser sends one empty part when none was chosen)."""
    uploads = [read_upload(f) for f in request.files.getlist("evidence") if f.filename]
    if uploads:
        hub = current_hub()
        attachments.attach_evidence(
            session, principal(), clock.now(), directive_id, uploads, hub.attachment_limits, hub.blobs
        )


@bp.get("/attachments/<int:attachment_id>")
@allowed_if(lambda _who: True)  # who may see which file is the core's question (visible_attachment)
def download_attachment(attachment_id: int):
    with read_session(engine()) as session:
        row = attachments.visible_attachment(session, principal(), attachment_id)
    return send_attachment(row)


@bp.post("/inbox/<int:directive_id>/question")
@limited("questions")
@editor_only
def ask_question(directive_id: int):
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            with write_session(engine()) as session:
                asked = questions.ask(session, principal(), clock.now(), directive_id, form.text.data)
        except HubError as exc:
            form.form_errors.append(error_note(exc))
        else:
            if asked.fresh:
                sockets.push_question(asked.issuer_province, asked.notice)
            flash(_("Your question was sent to the issuer."), "success")
            return redirect(url_for("pages.inbox_directive", directive_id=directive_id) + "#questions")
    return hold(form, "pages.inbox_directive", "#questions", directive_id=directive_id)


@bp.route("/inbox/tokens", methods=["GET", "POST"])
@limited("tokens", methods=["POST"])
@editor_only
def platform_tokens():
    """The platform's machine tokens; a new secret is shown once, on the page that issued it."""
    who = principal()
    form = TokenForm()
    secret = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                with write_session(engine()) as session:
                    _token, secret = core_tokens.issue_token(
                        session, who, clock.now(), label=form.label.data.strip(), platform_id=who.org_id
                    )
            except HubError as exc:
                form.form_errors.append(error_note(exc))
        if secret is None:
            return hold(form, "pages.platform_tokens")
    elif restore(form):
        status = 422
    with read_session(engine()) as session:
        tokens = [t for t in core_tokens.list_tokens(session, who) if t.user_id is None]
    response = render_template("inbox/tokens.html", form=form, tokens=tokens, secret=secret, confirm_form=ConfirmForm())
    return response, status, {"Cache-Control": "no-store"}


@bp.post("/inbox/tokens/<int:token_id>/revoke")
@editor_only
def revoke_platform_token(token_id: int):
    return revoke_token(token_id, "pages.platform_tokens")
