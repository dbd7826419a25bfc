"""The officer's console: the directive list with live progress, the composer (preview, audience count) and a
directive's page (follow-through table and timeline). Acting on a directive afterwards is in ``followup``."""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from pydantic import ValidationError

from hub import clock, sockets
from hub.core import access, attachments, audiences, checkpoints, directives, log, questions
from hub.core import progress as core_progress
from hub.core import timeline as core_timeline
from hub.core.access import get_visible_directive
from hub.core.directive_input import DirectiveInput
from hub.core.errors import N_, HubError
from hub.db import read_session, write_session
from hub.models import DirectiveKind, DirectiveStatus, PlatformKind, Priority
from hub.runtime import current_hub
from hub.web import markdown
from hub.web.forms import (
    AnswerForm,
    ConfirmForm,
    DirectiveForm,
    ReviewForm,
    options,
)
from hub.web.held import hold, restore
from hub.web.messages import Note, error_note, error_text, validation_note
from hub.web.pages.base import (
    KIND_LABELS,
    PLATFORM_KIND_LABELS,
    PRIORITY_LABELS,
    STATE_LABELS,
    allowed_if,
    bp,
    engine,
    int_arg,
    principal,
    province_choices,
)
from hub.web.pages.filters import DRILL, directive_filter

officer_only = allowed_if(access.may_issue)
reader_only = allowed_if(access.may_read)
TABLE_SORTS = ("platform", "-platform", "province", "state", "acknowledged_at", "-acknowledged_at", "due_at", "seq")


def composer_form(form: DirectiveForm) -> DirectiveForm:
    """The composer with its choices for this officer (a provincial officer sees only its province)."""
    who = principal()
    form.kind.choices = options((k.value, KIND_LABELS[k.value]) for k in DirectiveKind)
    form.priority.choices = options((p.value, PRIORITY_LABELS[p.value]) for p in Priority)
    confined = access.issuer_province(who)
    form.provinces.choices = options(c for c in province_choices() if confined in (None, c[0]))
    form.platform_kinds.choices = options((k.value, PLATFORM_KIND_LABELS[k.value]) for k in PlatformKind)
    return form


def directive_input(form: DirectiveForm) -> DirectiveInput:
    """The form as the core's input schema (times converted from Asia/Ho_Chi_Minh to UTC)."""
    return DirectiveInput(
        kind=form.kind.data,
        title=form.title.data,
        body=form.body.data,
        priority=form.priority.data,
        audience=form.audience(),
        legal_basis=form.legal_basis.data or None,
        exercise=form.exercise.data,
        publish_at=form.publish_at.utc() if request.form.get("action") == "schedule" else None,
        ack_due_at=form.ack_due_at.utc(),
        implement_due_at=form.implement_due_at.utc(),
        expires_at=form.expires_at.utc(),
        remind_interval_minutes=form.remind_interval_minutes.data,
        remind_limit=form.remind_limit.data,
        escalate_after_minutes=form.escalate_after_minutes.data,
    )


def announce(published: directives.Published) -> None:
    """Push a committed publication to its platforms and the consoles that see it."""
    with read_session(engine()) as session:
        rooms = sockets.console_rooms_of(session, published.directive.id)
    sockets.push_published(published, rooms)  # also refreshes the progress of the directive (and of the one it amends)


@bp.get("/console")
@reader_only
def console():
    """The directive list (officers and managers), with the dashboard's filters for its drill-down."""
    who, now = principal(), clock.now()
    where, raw = directive_filter(now)
    q = (request.args.get("q") or "").strip()[:100] or None
    with read_session(engine()) as session:
        page = core_progress.list_directives(session, who, q=q, where=where, page=int_arg("page", 1), per_page=20)
        ids = [d.id for d in page.items]
        progress = core_progress.progress(session, who, ids, now)
        waiting = questions.unanswered(session, who, ids)
        checkpoint = checkpoints.latest(session)
    return render_template(
        "console/list.html",
        page=page,
        progress=progress,
        waiting=waiting,
        raw=raw,
        q=q or "",
        checkpoint=checkpoint,
        drill=DRILL,
    )


@bp.route("/console/new", methods=["GET", "POST"])
@officer_only
def compose():
    form = composer_form(DirectiveForm())
    if request.method == "GET" and request.args.get("kind") in KIND_LABELS:
        form.kind.data = request.args["kind"]
    if form.validate_on_submit():
        action = request.form.get("action", "draft")
        if action == "schedule" and not form.publish_at.data:
            form.publish_at.errors = [Note(text=N_("Give a publication time to schedule."))]
        else:
            directive_id = _save_new(form, action)
            if directive_id is not None:
                return redirect(url_for("pages.console_directive", directive_id=directive_id))
    if request.method == "POST":
        return hold(form, "pages.compose")
    status = 422 if restore(form) else 200
    return render_template("console/compose.html", form=form, amend_of=None), status


def _save_new(form: DirectiveForm, action: str) -> int | None:
    """Create (and publish, when asked) in one transaction; on any refusal keep the form with the reason."""
    who, now = principal(), clock.now()
    try:
        data = directive_input(form)
        with write_session(engine()) as session:
            issued = directives.issue(session, who, now, data, current_hub().signer, publish=action == "publish")
    except ValidationError as exc:
        form.form_errors.append(validation_note(exc))
        return None
    except HubError as exc:
        form.form_errors.append(error_note(exc))
        return None
    if issued.published is not None:
        announce(issued.published)
        flash(_("Published to %(n)d platforms.", n=issued.directive.audience_size), "success")
    elif issued.directive.status == DirectiveStatus.SCHEDULED:
        flash(_("Scheduled."), "success")
    else:
        flash(_("Saved as a draft."), "success")
    return issued.directive.id


@bp.post("/console/preview")
@officer_only
def preview():
    """The composer's live preview: the text as platforms will see it."""
    body = (request.form.get("body") or "")[:50_000]
    return jsonify({"html": str(markdown.render(body))})


@bp.get("/console/audience-count")
@officer_only
def audience_count():
    """How many platforms the audience picker's current choice addresses."""
    who = principal()
    data: dict[str, Any] = {"all": request.args.get("all") in ("1", "y", "true", "on")}
    if not data["all"]:
        data["provinces"] = request.args.getlist("provinces")
        data["platform_kinds"] = request.args.getlist("platform_kinds")
        codes = ",".join(request.args.getlist("platforms"))
        data["platforms"] = [c.strip() for c in codes.replace("\n", ",").split(",") if c.strip()][:10_000]
    province = access.issuer_province(who)
    try:
        with read_session(engine()) as session:
            audience = audiences.confine(session, audiences.parse(data), province)
            count = audiences.count(session, audience, province)
            unknown = audiences.unknown_platforms(session, audience)
    except HubError as exc:
        return jsonify({"count": 0, "message": error_text(exc)})
    return jsonify({"count": count, "unknown": unknown[:20]})


def _table_args() -> dict[str, Any]:
    state = request.args.get("state") or None
    if state not in (None, *STATE_LABELS):
        state = None
    sort = request.args.get("sort") or "platform"
    return {
        "state": None if state == "overdue" else state,
        "overdue_at": clock.now() if state == "overdue" else None,
        "province": (request.args.get("province") or None),
        "q": (request.args.get("q") or "").strip()[:100] or None,
        "sort": sort if sort in TABLE_SORTS else "platform",
        "page": int_arg("page", 1),
        "per_page": 25,
    }


def _directive_context(directive_id: int) -> dict[str, Any]:
    who, now = principal(), clock.now()
    args = _table_args()
    with read_session(engine()) as session:
        directive = get_visible_directive(session, who, directive_id)
        rows = core_progress.directive_deliveries(session, who, directive_id, **args)
        progress = core_progress.progress(session, who, [directive_id], now)[directive_id]
        timeline = log.list_events(session, who, directive_id=directive_id, page=int_arg("tpage", 1), per_page=20)
        entries = core_timeline.describe(session, timeline.items)
        asked = core_progress.directive_questions(session, who, directive_id)
        waiting = questions.unanswered(session, who, [directive_id]).get(directive_id, 0)
        checkpoint = checkpoints.latest(session)
        evidence = attachments.evidence_by_delivery(session, [d.id for d, _ in rows.items])
    return {
        "evidence": evidence,
        "checkpoint": checkpoint,
        "directive": directive,
        "rows": rows,
        "progress": progress,
        "timeline": timeline,
        "entries": entries,
        "questions": asked,
        "waiting": waiting,
        "args": args,
        "filter_state": request.args.get("state") or "",
        "now": now,
        "provinces": province_choices(),
        "own": access.may_manage(who, directive),
        "may_act": access.may_issue(who),
        "review_form": ReviewForm(),
        "answer_form": AnswerForm(),
        "confirm_form": ConfirmForm(),
    }


@bp.get("/console/directives/<int:directive_id>")
@reader_only
def console_directive(directive_id: int):
    return render_template("console/directive.html", **_directive_context(directive_id))


@bp.get("/console/directives/<int:directive_id>/table")
@reader_only
def console_directive_table(directive_id: int):
    """The follow-through table alone, for the page to refresh it live."""
    return render_template("console/_table.html", **_directive_context(directive_id))
