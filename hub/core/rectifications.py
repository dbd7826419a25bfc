"""Rectification notices (*chấn chỉnh*): an officer publishes one to a platform of its scope; and the deliveries
an officer may look at by hand, with their directive."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from hub.core import directives
from hub.core.access import Principal, get_visible_platform, require_issuer, require_reader
from hub.core.directive_input import MAX_BODY, DirectiveInput, EscalateAfter, RemindInterval, RemindLimit, Time
from hub.core.directives import Published
from hub.core.errors import InvalidTransition, NotFound
from hub.core.signing import Signer
from hub.models import Delivery, Directive, DirectiveKind, Priority


class RectificationInput(BaseModel):
    """A rectification notice (*chấn chỉnh*) to one platform."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=300, pattern=r"\S")
    body: str = Field(min_length=1, max_length=MAX_BODY, pattern=r"\S", description="Markdown; sanitised when rendered")
    priority: Priority = Priority.URGENT
    legal_basis: str | None = Field(default=None, max_length=500)
    ack_due_at: Time | None = Field(default=None, description="a future time (422 otherwise)")
    implement_due_at: Time | None = Field(default=None, description="a future time, not before ack_due_at")
    remind_interval_minutes: RemindInterval | None = None
    remind_limit: RemindLimit | None = None
    escalate_after_minutes: EscalateAfter | None = None


def delivery_with_directive(session: Session, principal: Principal, delivery_id: int) -> tuple[Delivery, Directive]:
    """A delivery the reader may see (its platform is in scope), with its directive, to show its deadlines."""
    require_reader(principal)
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound("delivery_not_found")
    get_visible_platform(session, principal, delivery.platform_id)
    return delivery, session.get(Directive, delivery.directive_id)


def rectify(
    session: Session, principal: Principal, now: datetime, platform_id: int, data: RectificationInput, signer: Signer
) -> Published:
    """Publish a rectification notice addressed to one platform of the officer's scope."""
    require_issuer(principal)
    platform = get_visible_platform(session, principal, platform_id)
    if not platform.active:
        raise InvalidTransition("platform_inactive")
    values = data.model_dump()
    draft = DirectiveInput(kind=DirectiveKind.RECTIFICATION, audience={"platforms": [platform.code]}, **values)
    return directives.issue(session, principal, now, draft, signer, publish=True).published
