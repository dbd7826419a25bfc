"""Directives for their issuers and readers: draft, publish, schedule, amend, revoke, follow-through, review."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator
from sqlmodel import Session

from hub import sockets
from hub.core import deliveries, directives, progress, questions
from hub.core.access import get_visible_directive
from hub.core.directive_input import DirectiveInput
from hub.models import DeliveryState, Directive, DirectiveKind, DirectiveStatus, Verification
from hub.runtime import current_hub
from hub.web.api import schemas
from hub.web.api.base import (
    ID,
    PageQuery,
    Province,
    When,
    blueprint,
    now,
    ok,
    ok_page,
    principal,
    reading,
    writing,
)

bp = blueprint("directives", __name__, "directives", "issue directives and follow them through")


class DirectiveCreate(DirectiveInput):
    """A directive to save as a draft, schedule (``publish_at``) or publish at once (``publish: true``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "not": {
                "properties": {"publish": {"const": True}, "publish_at": {"type": "string"}},
                "required": ["publish", "publish_at"],
            }
        }
    )
    publish: StrictBool = Field(default=False, description="publish at once instead of saving a draft")

    @model_validator(mode="after")
    def _one_way(self) -> DirectiveCreate:
        if self.publish and self.publish_at is not None:
            raise ValueError("give either publish: true or publish_at, not both")
        return self


class DirectivePath(BaseModel):
    directive_id: ID


class DeliveryPath(BaseModel):
    delivery_id: ID


class QuestionPath(BaseModel):
    question_id: ID


class DirectiveQuery(PageQuery):
    status: DirectiveStatus | None = None
    kind: DirectiveKind | None = None
    q: str | None = Field(
        default=None,
        max_length=200,
        description="words, all of which must be in the reference number, title, body or legal basis (whole words;"
        " case and Vietnamese diacritics ignored: `bao so 15` finds `Bão số 15`)",
    )


class DeliveryQuery(PageQuery):
    state: DeliveryState | None = None
    province: Province | None = None
    q: str | None = Field(default=None, max_length=200, description="in the platform's name or code")
    overdue: bool = Field(default=False, description="only deliveries past their current deadline")
    sort: Literal[*progress.SORT_NAMES] = Field(default="platform", description="a column; '-' sorts descending")


class RevokeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


class ScheduleBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    publish_at: When


class ReviewBody(BaseModel):
    """A verdict on an implementation report; returning it needs a ``note`` saying what more is needed."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                {"properties": {"verdict": {"const": Verification.VERIFIED.value}}},
                {"properties": {"note": {"type": "string", "pattern": r"\S"}}, "required": ["note"]},
            ]
        },
    )
    verdict: Verification
    note: str | None = Field(default=None, max_length=5000)


class AnswerBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=5000, pattern=r"\S", description="not blank")


class AnswerOut(BaseModel):
    question: schemas.QuestionOut
    directive_id: int
    platform_id: int


def _directive(d: Directive) -> schemas.DirectiveOut:
    return schemas.DirectiveOut.model_validate(d)


@bp.post("/directives", summary="Create a draft, schedule it or publish it", responses={201: schemas.DirectiveOut})
def create(body: DirectiveCreate):
    data = DirectiveInput.model_validate(body.model_dump(exclude={"publish"}))
    with writing() as session:
        issued = directives.issue(session, principal(), now(), data, current_hub().signer, publish=body.publish)
        rooms = sockets.console_rooms_of(session, issued.directive.id) if issued.published is not None else []
    if issued.published is not None:
        sockets.push_published(issued.published, rooms)
    return ok(_directive(issued.directive), 201)


@bp.get("/directives", summary="Directives you may see, newest first", responses={200: schemas.DirectivePage})
def index(query: DirectiveQuery):
    with reading() as session:
        page = progress.list_directives(
            session,
            principal(),
            status=query.status,
            kind=query.kind,
            q=query.q,
            page=query.page,
            per_page=query.per_page,
        )
        waiting = questions.unanswered(session, principal(), [d.id for d in page.items])
        items = [_directive(d).model_copy(update={"unanswered_questions": waiting.get(d.id, 0)}) for d in page.items]
    return ok_page(schemas.DirectivePage, items, page)


def _detail(session: Session, directive: Directive) -> schemas.DirectiveDetail:
    counts = progress.progress(session, principal(), [directive.id], now())[directive.id]
    waiting = questions.unanswered(session, principal(), [directive.id]).get(directive.id, 0)
    return schemas.DirectiveDetail(
        **_directive(directive).model_dump(exclude={"unanswered_questions"}),
        unanswered_questions=waiting,
        progress=schemas.ProgressOut(**counts.as_dict()),
    )


@bp.get(
    "/directives/<int:directive_id>",
    summary="One directive with its progress counts",
    responses={200: schemas.DirectiveDetail},
)
def show(path: DirectivePath):
    with reading() as session:
        directive = get_visible_directive(session, principal(), path.directive_id)
        return ok(_detail(session, directive))


@bp.put(
    "/directives/<int:directive_id>",
    summary="Edit a draft or scheduled directive",
    responses={200: schemas.DirectiveOut},
)
def update(path: DirectivePath, body: DirectiveInput):
    with writing() as session:
        directive = directives.update_draft(session, principal(), now(), path.directive_id, body)
    return ok(_directive(directive))


@bp.post(
    "/directives/<int:directive_id>/publish",
    summary="Publish a draft or scheduled directive now",
    responses={200: schemas.DirectiveOut},
)
def publish(path: DirectivePath):
    with writing() as session:
        published = directives.publish(session, principal(), now(), path.directive_id, current_hub().signer)
        rooms = sockets.console_rooms_of(session, path.directive_id)
    sockets.push_published(published, rooms)
    return ok(_directive(published.directive))


@bp.post(
    "/directives/<int:directive_id>/schedule",
    summary="Set or move the publication time",
    responses={200: schemas.DirectiveOut},
)
def schedule(path: DirectivePath, body: ScheduleBody):
    with writing() as session:
        issued = directives.schedule(session, principal(), now(), path.directive_id, body.publish_at)
    return ok(_directive(issued.directive))


@bp.post(
    "/directives/<int:directive_id>/revoke",
    summary="Withdraw a directive (idempotent)",
    responses={200: schemas.DirectiveOut},
)
def revoke(path: DirectivePath, body: RevokeBody):
    with writing() as session:
        revoked = directives.revoke(session, principal(), now(), path.directive_id, body.reason)
    directive = revoked.directive
    if revoked.changed:
        sockets.push_revoked(directive.id, directive.ref_no, directive.revoke_reason, revoked.platform_ids)
    return ok(_directive(directive))


@bp.post(
    "/directives/<int:directive_id>/amend",
    summary="Issue an amendment that supersedes a published directive (now, or at publish_at)",
    responses={201: schemas.DirectiveOut},
)
def amend(path: DirectivePath, body: DirectiveInput):
    with writing() as session:
        issued = directives.amend(session, principal(), now(), path.directive_id, body, current_hub().signer)
        rooms = sockets.console_rooms_of(session, issued.directive.id) if issued.published is not None else []
    if issued.published is not None:
        sockets.push_published(issued.published, rooms)  # refreshes the progress of the amended directive too
    return ok(_directive(issued.directive), 201)


def _row(delivery, platform, questions) -> schemas.DeliveryRow:
    return schemas.DeliveryRow(
        **schemas.DeliveryOut.model_validate(delivery).model_dump(),
        platform=schemas.PlatformRef.model_validate(platform),
        questions=[schemas.QuestionOut.model_validate(q) for q in questions],
    )


@bp.get(
    "/directives/<int:directive_id>/deliveries",
    summary="Per-platform follow-through of one directive",
    responses={200: schemas.DeliveryPage},
)
def deliveries_of(path: DirectivePath, query: DeliveryQuery):
    at = now()
    with reading() as session:
        page = progress.directive_deliveries(
            session,
            principal(),
            path.directive_id,
            state=query.state,
            province=query.province,
            q=query.q,
            overdue_at=at if query.overdue else None,
            sort=query.sort,
            page=query.page,
            per_page=query.per_page,
        )
        asked = questions.questions_for(session, [d.id for d, _ in page.items])
        items = [_row(d, p, asked.get(d.id, [])) for d, p in page.items]
    return ok_page(schemas.DeliveryPage, items, page)


@bp.post(
    "/deliveries/<int:delivery_id>/review",
    summary="Mark an implementation report verified or return it",
    responses={200: schemas.DeliveryOut},
)
def review(path: DeliveryPath, body: ReviewBody):
    with writing() as session:
        change = deliveries.review_report(session, principal(), now(), path.delivery_id, body.verdict, body.note)
    if change.refresh:
        sockets.push_progress(change.refresh)
    return ok(schemas.DeliveryOut.model_validate(change.delivery))


@bp.post("/questions/<int:question_id>/answer", summary="Answer a platform's question", responses={200: AnswerOut})
def answer(path: QuestionPath, body: AnswerBody):
    with writing() as session:
        answered = questions.answer(session, principal(), now(), path.question_id, body.text)
    delivery = answered.delivery
    sockets.push_answer(delivery.platform_id, answered.payload)
    sockets.push_question_answered(answered.issuer_province, answered.notice)
    out = AnswerOut(
        question=schemas.QuestionOut.model_validate(answered.question),
        directive_id=delivery.directive_id,
        platform_id=delivery.platform_id,
    )
    return ok(out)
