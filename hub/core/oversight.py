"""What an officer does by hand about a platform of its scope: remind it of a delivery, send it a rectification
notice, and see the deliveries escalated to its department."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select

from hub.core import directives, log, paging
from hub.core.access import Principal, may_see_platform, platform_scope, require_issuer, require_reader
from hub.core.deadlines import ReminderSent, iso, phase_of, reminder_payload
from hub.core.directives import (
    MAX_BODY,
    DirectiveInput,
    EscalateAfter,
    Published,
    RemindInterval,
    RemindLimit,
    Time,
)
from hub.core.errors import InvalidInput, InvalidTransition, NotFound
from hub.core.signing import Signer
from hub.models import (
    OPEN_STATES,
    Delivery,
    Directive,
    DirectiveKind,
    Organisation,
    OrgKind,
    Priority,
)


class RectificationInput(BaseModel):
    """A rectification notice (*chấn chỉnh*) to one platform."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=MAX_BODY, description="Markdown; sanitised when rendered")
    priority: Priority = Priority.URGENT
    legal_basis: str | None = Field(default=None, max_length=500)
    ack_due_at: Time | None = None
    implement_due_at: Time | None = None
    remind_interval_minutes: RemindInterval | None = None
    remind_limit: RemindLimit | None = None
    escalate_after_minutes: EscalateAfter | None = None


def _platform_in_scope(session: Session, principal: Principal, platform_id: int) -> Organisation:
    platform = session.get(Organisation, platform_id)
    if platform is None or platform.kind != OrgKind.PLATFORM or not may_see_platform(principal, platform):
        raise NotFound(f"platform {platform_id} not found")
    return platform


@dataclass
class Reminded:
    """A reminder sent by hand: the delivery as it now stands, its directive, and what to push to the platform."""

    delivery: Delivery
    directive: Directive
    sent: ReminderSent


def remind(session: Session, principal: Principal, now: datetime, delivery_id: int) -> Reminded:
    """An officer reminds a platform of its province (any platform, for the central regulator) of a delivery.

    It does not count against the automatic reminders' limit and does not move their schedule.
    """
    require_issuer(principal)
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound(f"delivery {delivery_id} not found")
    platform = _platform_in_scope(session, principal, delivery.platform_id)
    directive = session.get(Directive, delivery.directive_id)
    if not directives.in_force(directive):
        raise InvalidTransition(f"nothing more is owed on a {directive.status} or amended directive")
    phase = phase_of(delivery.state)
    if phase is None:
        raise InvalidTransition(f"the platform has already reported this directive {delivery.state}")
    delivery.last_reminded_at = now
    session.add(delivery)
    log.append(
        session,
        log.EventDraft(
            "reminded",
            principal.label,
            now,
            org_id=platform.id,
            province=platform.province,
            directive_id=directive.id,
            delivery_id=delivery.id,
            details={"phase": phase, "manual": True, "due_at": iso(delivery.due_at)},
        ),
    )
    body = reminder_payload(directive, phase, delivery.reminders_sent, delivery.due_at, manual=True)
    return Reminded(delivery, directive, ReminderSent(platform.id, body))


def delivery_with_directive(session: Session, principal: Principal, delivery_id: int) -> tuple[Delivery, Directive]:
    """A delivery the reader may see (its platform is in scope), with its directive, to show its deadlines."""
    require_reader(principal)
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound(f"delivery {delivery_id} not found")
    _platform_in_scope(session, principal, delivery.platform_id)
    return delivery, session.get(Directive, delivery.directive_id)


def rectify(
    session: Session, principal: Principal, now: datetime, platform_id: int, data: RectificationInput, signer: Signer
) -> Published:
    """Publish a rectification notice addressed to one platform of the officer's scope."""
    require_issuer(principal)
    platform = _platform_in_scope(session, principal, platform_id)
    if not platform.active:
        raise InvalidTransition("this platform is no longer active")
    values = data.model_dump()
    draft = DirectiveInput(kind=DirectiveKind.RECTIFICATION, audience={"platforms": [platform.code]}, **values)
    return directives.issue(session, principal, now, draft, signer, publish=True).published


def escalations(
    session: Session,
    principal: Principal,
    *,
    province: str | None = None,
    open_only: bool = True,
    page: int = 1,
    per_page: int = 50,
) -> paging.Page[Any]:
    """Deliveries escalated to the reader's department (every province for the central regulator), newest first:
    (delivery, directive, platform) rows."""
    require_reader(principal)
    if province is not None and principal.is_province and province != principal.province:
        raise InvalidInput("a provincial department sees only its own province")
    query = (
        select(Delivery, Directive, Organisation)
        .join(Directive, Directive.id == Delivery.directive_id)
        .join(Organisation, Organisation.id == Delivery.platform_id)
        .where(Delivery.escalated_at.is_not(None), platform_scope(principal))
    )
    if province:
        query = query.where(Organisation.province == province)
    if open_only:
        query = query.where(Delivery.state.in_(OPEN_STATES), Delivery.due_at.is_not(None))
    query = query.order_by(Delivery.escalated_at.desc(), Delivery.id.desc())
    return paging.paginate(session, query, page, per_page, scalars=False)
