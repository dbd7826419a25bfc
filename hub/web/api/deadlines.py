"""Deadlines over HTTP: remind a platform by hand, send it a rectification notice, list escalations.

Thin adapters: parse, call one core function (``hub.core.reminders``, ``rectifications``, ``escalations``), commit,
push, render.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from hub import sockets
from hub.core import escalations as core_escalations
from hub.core import rectifications, reminder_policy, reminders
from hub.models import Delivery, Directive, DirectiveKind, DirectiveStatus, Organisation, Priority
from hub.runtime import current_hub
from hub.web.api.base import (
    ID,
    PageQuery,
    Province,
    blueprint,
    now,
    ok,
    ok_page,
    principal,
    reading,
    writing,
)

bp = blueprint("deadlines", __name__, "deadlines", "reminders, rectification notices and escalations")


class DeliveryPath(BaseModel):
    delivery_id: ID


class PlatformPath(BaseModel):
    platform_id: ID


class EscalationQuery(PageQuery):
    province: Province | None = None
    open: bool = Field(default=True, description="only deliveries still owing something")


class DeadlinesOut(BaseModel):
    """Where a delivery stands against its deadlines."""

    delivery_id: int
    directive_id: int
    platform_id: int
    state: str
    phase: str | None
    due_at: datetime | None
    reminders_sent: int
    last_reminded_at: datetime | None
    next_reminder_at: datetime | None
    escalated_at: datetime | None
    next_escalation_at: datetime | None


class EscalationOut(DeadlinesOut):
    ref_no: str | None
    title: str
    platform: str
    platform_code: str
    province: str | None


class EscalationPage(BaseModel):
    items: list[EscalationOut]
    total: int
    page: int
    per_page: int


class RectificationOut(BaseModel):
    id: int
    ref_no: str | None
    kind: DirectiveKind
    title: str
    priority: Priority
    status: DirectiveStatus
    published_at: datetime | None
    ack_due_at: datetime | None
    implement_due_at: datetime | None
    audience_size: int


def _deadlines(delivery: Delivery, directive: Directive) -> dict:
    return {
        "delivery_id": delivery.id,
        "directive_id": directive.id,
        "platform_id": delivery.platform_id,
        "state": delivery.state,
        "phase": reminder_policy.phase_of(delivery.state),
        "due_at": delivery.due_at,
        "reminders_sent": delivery.reminders_sent,
        "last_reminded_at": delivery.last_reminded_at,
        "next_reminder_at": delivery.next_reminder_at,
        "escalated_at": delivery.escalated_at,
        "next_escalation_at": core_escalations.next_escalation_at(delivery, directive),
    }


def _escalation(delivery: Delivery, directive: Directive, platform: Organisation) -> EscalationOut:
    return EscalationOut(
        **_deadlines(delivery, directive),
        ref_no=directive.ref_no,
        title=directive.title,
        platform=platform.name,
        platform_code=platform.code,
        province=platform.province,
    )


@bp.post(
    "/deliveries/<int:delivery_id>/remind",
    summary="Remind a platform of a delivery it has not acknowledged or carried out",
    responses={200: DeadlinesOut},
)
def remind(path: DeliveryPath):
    with writing() as session:
        reminded = reminders.remind(session, principal(), now(), path.delivery_id)
        out = DeadlinesOut(**_deadlines(reminded.delivery, reminded.directive))
    sockets.push_reminder(reminded.sent.platform_id, reminded.sent.payload)
    return ok(out)


@bp.get(
    "/deliveries/<int:delivery_id>/deadlines",
    summary="A delivery's current deadline, reminders sent, next reminder and (next) escalation",
    responses={200: DeadlinesOut},
)
def show_deadlines(path: DeliveryPath):
    with reading() as session:
        delivery, directive = rectifications.delivery_with_directive(session, principal(), path.delivery_id)
        return ok(DeadlinesOut(**_deadlines(delivery, directive)))


@bp.post(
    "/platforms/<int:platform_id>/rectify",
    summary="Send one platform a rectification notice (a directive of kind 'rectification')",
    responses={201: RectificationOut},
)
def rectify(path: PlatformPath, body: rectifications.RectificationInput):
    with writing() as session:
        published = rectifications.rectify(session, principal(), now(), path.platform_id, body, current_hub().signer)
        out = RectificationOut.model_validate(published.directive, from_attributes=True)
        rooms = sockets.console_rooms_of(session, published.directive.id)
    sockets.push_published(published, rooms)
    return ok(out, 201)


@bp.get(
    "/escalations",
    summary="Deliveries escalated to your department (any province for the central regulator), newest first",
    responses={200: EscalationPage},
)
def escalations(query: EscalationQuery):
    with reading() as session:
        page = core_escalations.escalations(
            session,
            principal(),
            province=query.province,
            open_only=query.open,
            page=query.page,
            per_page=query.per_page,
        )
        items = [_escalation(d, directive, p) for d, directive, p in page.items]
    return ok_page(EscalationPage, items, page)
