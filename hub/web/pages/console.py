"""The officer's console: compose and publish, the directive list with live progress, a directive's follow-through
table and timeline, amend and revoke, review reports and answer questions; escalations for provincial officers."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from pydantic import ValidationError

from hub import clock, markdown, sockets
from hub.core import audiences, deliveries, directives, followthrough, oversight, views
from hub.core.access import get_visible_directive, may_see_platform
from hub.core.directives import DirectiveInput
from hub.core.errors import HubError
from hub.db import read_session, write_session
from hub.models import DirectiveKind, DirectiveStatus, Organisation, OrgKind, PlatformKind, Priority, Role
from hub.state import current_hub
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
from hub.web.pages.base import (
    KIND_LABELS,
    PLATFORM_KIND_LABELS,
    PRIORITY_LABELS,
    STATE_LABELS,
    bp,
    engine,
    int_arg,
    principal,
    province_choices,
    roles_required,
    safe_next,
)
from hub.web.pages.messages import error_text

officer_only = roles_required(Role.OFFICER, Role.ADMIN, platform=False)
TABLE_SORTS = ("platform", "-platform", "province", "state", "acknowledged_at", "-acknowledged_at", "due_at", "seq")


def _composer(form: DirectiveForm) -> DirectiveForm:
    who = principal()
    form.kind.choices = options((k.value, KIND_LABELS[k.value]) for k in DirectiveKind)
    form.priority.choices = options((p.value, PRIORITY_LABELS[p.value]) for p in Priority)
    provinces = province_choices()
    if who.is_province:
        provinces = [c for c in provinces if c[0] == who.province]
    form.provinces.choices = options(provinces)
    form.platform_kinds.choices = options((k.value, PLATFORM_KIND_LABELS[k.value]) for k in PlatformKind)
    return form


def _input(form: DirectiveForm) -> DirectiveInput:
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


def _validation_text(exc: ValidationError) -> str:
    first = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return _("Check %(field)s: %(problem)s", field=where, problem=first.get("msg", ""))


def _publish_after_commit(published: directives.Published) -> None:
    sockets.push_published(published)  # also refreshes the progress of the directive (and of the one it amends)


@bp.get("/console")
@officer_only
def console():
    who = principal()
    status = request.args.get("status") or None
    if status not in (None, *[s.value for s in DirectiveStatus]):
        status = None
    q = (request.args.get("q") or "").strip()[:100] or None
    with read_session(engine()) as session:
        page = followthrough.list_directives(session, who, status=status, q=q, page=int_arg("page", 1), per_page=20)
        progress = followthrough.progress(session, who, [d.id for d in page.items], clock.now())
    return render_template("console/list.html", page=page, progress=progress, status=status, q=q or "")


@bp.route("/console/new", methods=["GET", "POST"])
@officer_only
def compose():
    form = _composer(DirectiveForm())
    if request.method == "GET" and request.args.get("kind") in KIND_LABELS:
        form.kind.data = request.args["kind"]
    if form.validate_on_submit():
        action = request.form.get("action", "draft")
        if action == "schedule" and not form.publish_at.data:
            form.publish_at.errors = [_("Give a publication time to schedule.")]
        else:
            directive_id = _save_new(form, action)
            if directive_id is not None:
                return redirect(url_for("pages.console_directive", directive_id=directive_id))
    status = 422 if request.method == "POST" else 200
    return render_template("console/compose.html", form=form, amend_of=None), status


def _save_new(form: DirectiveForm, action: str) -> int | None:
    """Create (and publish, when asked) in one transaction; on any refusal keep the form with the reason."""
    who, now = principal(), clock.now()
    try:
        data = _input(form)
        with write_session(engine()) as session:
            directive = directives.create(session, who, now, data)
            published = None
            if action == "publish":
                published = directives.publish(session, who, now, directive.id, current_hub().signer)
    except ValidationError as exc:
        form.form_errors.append(_validation_text(exc))
        return None
    except HubError as exc:
        form.form_errors.append(error_text(exc))
        return None
    if published is not None:
        _publish_after_commit(published)
        flash(_("Published to %(n)d platforms.", n=published.directive.audience_size), "success")
    elif directive.status == DirectiveStatus.SCHEDULED:
        flash(_("Scheduled."), "success")
    else:
        flash(_("Saved as a draft."), "success")
    return directive.id


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
    try:
        audience = audiences.parse(data)
        audiences.check_scope(audience, who.province if who.is_province else None)
    except HubError as exc:
        return jsonify({"count": 0, "message": error_text(exc)})
    with read_session(engine()) as session:
        count = audiences.count(session, audience, who.province if who.is_province else None)
        unknown = audiences.unknown_platforms(session, audience)
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
        rows = followthrough.directive_deliveries(session, who, directive_id, **args)
        progress = followthrough.progress(session, who, [directive_id], now)[directive_id]
        timeline = followthrough.list_events(
            session, who, directive_id=directive_id, page=int_arg("tpage", 1), per_page=20
        )
        questions = views.directive_questions(session, who, directive_id)
    return {
        "directive": directive,
        "rows": rows,
        "progress": progress,
        "timeline": timeline,
        "questions": questions,
        "args": args,
        "filter_state": request.args.get("state") or "",
        "now": now,
        "provinces": province_choices(),
        "own": who.is_regulator or directive.issuer_id == who.org_id,
        "review_form": ReviewForm(),
        "answer_form": AnswerForm(),
        "confirm_form": ConfirmForm(),
    }


@bp.get("/console/directives/<int:directive_id>")
@officer_only
def console_directive(directive_id: int):
    return render_template("console/directive.html", **_directive_context(directive_id))


@bp.get("/console/directives/<int:directive_id>/table")
@officer_only
def console_directive_table(directive_id: int):
    """The follow-through table alone, for the page to refresh it live."""
    return render_template("console/_table.html", **_directive_context(directive_id))


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
        _publish_after_commit(published)
        flash(_("Published to %(n)d platforms.", n=published.directive.audience_size), "success")
    return redirect(url_for("pages.console_directive", directive_id=directive_id))


@bp.route("/console/directives/<int:directive_id>/amend", methods=["GET", "POST"])
@officer_only
def amend(directive_id: int):
    who = principal()
    with read_session(engine()) as session:
        old = get_visible_directive(session, who, directive_id)
    form = _composer(DirectiveForm())
    if request.method == "GET":
        _fill(form, old)
    elif form.validate_on_submit() and not request.form.get("confirm_amend"):
        form.form_errors.append(_("Tick the box to confirm the amendment."))
    elif form.validate_on_submit():
        try:
            data = _input(form)
            with write_session(engine()) as session:
                result = directives.amend(session, who, clock.now(), directive_id, data, current_hub().signer)
        except ValidationError as exc:
            form.form_errors.append(_validation_text(exc))
        except HubError as exc:
            form.form_errors.append(error_text(exc))
        else:
            if isinstance(result, directives.Published):
                _publish_after_commit(result)
                new_id = result.directive.id
            else:
                new_id = result.id
            flash(_("The amendment was issued."), "success")
            return redirect(url_for("pages.console_directive", directive_id=new_id))
    status = 422 if request.method == "POST" else 200
    return render_template("console/compose.html", form=form, amend_of=old), status


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
                revoked, platform_ids = directives.revoke(session, who, clock.now(), directive_id, form.reason.data)
        except HubError as exc:
            form.form_errors.append(error_text(exc))
        else:
            sockets.push_revoked(revoked.id, revoked.ref_no, revoked.revoke_reason or "", platform_ids)
            flash(_("The directive was revoked."), "success")
            return redirect(url_for("pages.console_directive", directive_id=directive_id))
    status = 422 if request.method == "POST" else 200
    return render_template("console/revoke.html", form=form, directive=directive), status


@bp.post("/console/deliveries/<int:delivery_id>/review")
@officer_only
def review(delivery_id: int):
    form = ReviewForm()
    directive_id = request.form.get("directive_id", type=int)
    if not form.validate_on_submit() or form.verdict.data not in ("verified", "returned"):
        flash(_("Choose verified or return."), "error")
    else:
        try:
            with write_session(engine()) as session:
                delivery = deliveries.review_report(
                    session, principal(), clock.now(), delivery_id, form.verdict.data, form.note.data
                )
        except HubError as exc:
            flash(error_text(exc), "error")
        else:
            directive_id = delivery.directive_id
            sockets.push_progress([delivery.directive_id])
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
        flash(_("Write an answer (at most 5,000 characters)."), "error")
    else:
        try:
            with write_session(engine()) as session:
                question, delivery = deliveries.answer(session, principal(), clock.now(), question_id, form.text.data)
        except HubError as exc:
            flash(error_text(exc), "error")
        else:
            directive_id = delivery.directive_id
            payload = {"directive_id": delivery.directive_id, "question_id": question.id, "answer": question.answer}
            sockets.push_answer(delivery.platform_id, payload)
            flash(_("The answer was sent."), "success")
    if directive_id is None:
        abort(404)
    return redirect(url_for("pages.console_directive", directive_id=directive_id) + "#questions")


@bp.get("/console/escalations")
@officer_only
def escalations():
    with read_session(engine()) as session:
        page = oversight.escalations(session, principal(), page=int_arg("page", 1), per_page=50)
    return render_template("console/escalations.html", page=page, now=clock.now(), confirm_form=ConfirmForm())


@bp.post("/console/deliveries/<int:delivery_id>/remind")
@officer_only
def remind(delivery_id: int):
    """Remind one platform of a delivery by hand (on top of the automatic reminders)."""
    ConfirmForm()
    back = safe_next(request.form.get("next"))
    try:
        with write_session(engine()) as session:
            reminded = oversight.remind(session, principal(), clock.now(), delivery_id)
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
    with read_session(engine()) as session:
        platform = session.get(Organisation, platform_id)
        if platform is None or platform.kind != OrgKind.PLATFORM or not may_see_platform(who, platform):
            abort(404)
    form = RectifyForm()
    form.priority.choices = options((p.value, PRIORITY_LABELS[p.value]) for p in Priority)
    if request.method == "GET":
        form.priority.data = Priority.URGENT.value
    elif form.validate_on_submit():
        data = oversight.RectificationInput(
            title=form.title.data,
            body=form.body.data,
            priority=form.priority.data,
            legal_basis=form.legal_basis.data or None,
        )
        try:
            with write_session(engine()) as session:
                published = oversight.rectify(session, who, clock.now(), platform_id, data, current_hub().signer)
        except HubError as exc:
            form.form_errors.append(error_text(exc))
        else:
            _publish_after_commit(published)
            flash(_("The rectification notice was sent."), "success")
            return redirect(url_for("pages.console_directive", directive_id=published.directive.id))
    status = 422 if request.method == "POST" else 200
    return render_template("console/rectify.html", form=form, platform=platform), status
