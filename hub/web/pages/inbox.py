"""The platform editor's inbox: directives arriving live, acknowledge and report, questions, content-ratio reports
and the platform's machine tokens."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from pydantic import ValidationError

from hub import clock, sockets
from hub.core import deliveries, questions
from hub.core import inbox as core_inbox
from hub.core import ratio_reports as core_ratio_reports
from hub.core import timeline as core_timeline
from hub.core import tokens as core_tokens
from hub.core.errors import HubError
from hub.core.ratio_reports import RatioReportInput
from hub.db import read_session, write_session
from hub.models import Role
from hub.runtime import current_hub
from hub.throttle import limited
from hub.web.forms import ConfirmForm, QuestionForm, RatioForm, StatusForm, TokenForm
from hub.web.pages.base import STATE_LABELS, bp, engine, int_arg, principal, revoke_token, roles_required
from hub.web.pages.messages import error_text

editor_only = roles_required(Role.EDITOR, platform=True)


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
    with read_session(engine()) as session:
        page = core_inbox.inbox_page(session, who, now, state=state, sort=sort, page=int_arg("page", 1), per_page=25)
        unread = core_inbox.unread_count(session, who)
        head = core_inbox.inbox_head(session, who.org_id)
    return render_template(
        "inbox/list.html", page=page, unread=unread, head=head, state=state or "", sort=sort, now=now
    )


def _item_page(directive_id: int, status_form: StatusForm | None = None, question_form: QuestionForm | None = None):
    with read_session(engine()) as session:
        item = core_inbox.inbox_item(session, principal(), directive_id)
        head = core_inbox.inbox_head(session, principal().org_id)
        history = core_timeline.describe(session, item.events)
    return render_template(
        "inbox/directive.html",
        item=item,
        history=history,
        now=clock.now(),
        head=head,
        status_form=status_form or StatusForm(),
        question_form=question_form or QuestionForm(),
        confirm_form=ConfirmForm(),
        states=STATE_LABELS,
    )


@bp.get("/inbox/<int:directive_id>")
@editor_only
def inbox_directive(directive_id: int):
    return _item_page(directive_id)


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
        except HubError as exc:
            form.form_errors.append(error_text(exc))
        else:
            if change.refresh:
                sockets.push_progress(change.refresh)
            flash(_("Your status was recorded."), "success")
            return redirect(url_for("pages.inbox_directive", directive_id=directive_id))
    return _item_page(directive_id, status_form=form), 422


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
            form.form_errors.append(error_text(exc))
        else:
            if asked.fresh:
                sockets.push_question(asked.issuer_province, asked.notice)
            flash(_("Your question was sent to the issuer."), "success")
            return redirect(url_for("pages.inbox_directive", directive_id=directive_id) + "#questions")
    return _item_page(directive_id, question_form=form), 422


@bp.route("/inbox/ratio", methods=["GET", "POST"])
@limited("reports", methods=["POST"])
@editor_only
def ratio_reports():
    who = principal()
    form = RatioForm()
    threshold = current_hub().settings.ratio_threshold
    status = 200
    if form.validate_on_submit():
        try:
            data = RatioReportInput(
                period_start=form.period_start.data,
                period_end=form.period_end.data,
                items_published=form.items_published.data,
                negative_items=form.negative_items.data,
                note=form.note.data or None,
            )
            with write_session(engine()) as session:
                report = core_ratio_reports.submit(session, who, clock.now(), data, threshold)
        except ValidationError as exc:
            form.form_errors.append(exc.errors(include_url=False)[0].get("msg", ""))
        except HubError as exc:
            form.form_errors.append(error_text(exc))
        else:
            flash(_("Report recorded: %(ratio)s %%.", ratio=f"{report.ratio * 100:.1f}"), "success")
            return redirect(url_for("pages.ratio_reports"))
        status = 422
    elif request.method == "POST":
        status = 422
    with read_session(engine()) as session:
        history = core_ratio_reports.own_ratio_reports(session, who)
    return render_template("inbox/ratio.html", form=form, history=history, threshold=threshold), status


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
                form.form_errors.append(error_text(exc))
                status = 422
        else:
            status = 422
    with read_session(engine()) as session:
        tokens = [t for t in core_tokens.list_tokens(session, who) if t.user_id is None]
    response = render_template("inbox/tokens.html", form=form, tokens=tokens, secret=secret, confirm_form=ConfirmForm())
    return response, status, {"Cache-Control": "no-store"}


@bp.post("/inbox/tokens/<int:token_id>/revoke")
@editor_only
def revoke_platform_token(token_id: int):
    return revoke_token(token_id, "pages.platform_tokens")
