"""One platform as its overseers see it: how far it has received its deliveries, when it was last heard from, its
directives with the on-time rate, within the reader's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import paging
from hub.core.access import Principal, get_visible_platform, require_reader
from hub.models import ApiToken, Delivery, DeliveryState, Directive, Organisation


@dataclass(frozen=True, slots=True)
class Standing:
    """A platform's cursor and record: ``latest_seq`` is the last delivery number it was given, ``received_seq`` the
    highest it has receipted, ``not_received`` how many it has not receipted yet; ``on_time`` of ``due`` deliveries
    (those whose acknowledgement deadline has passed, or already acknowledged) were acknowledged by the deadline."""

    platform: Organisation
    latest_seq: int
    received_seq: int
    not_received: int
    last_seen: datetime | None
    deliveries: int
    due: int
    on_time: int

    @property
    def behind(self) -> int:
        return self.latest_seq - self.received_seq

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


def standing(session: Session, principal: Principal, platform_id: int, now: datetime) -> Standing:
    """A platform of the reader's scope (404 otherwise): its cursor, when it was last heard from, its on-time rate."""
    require_reader(principal)
    platform = get_visible_platform(session, principal, platform_id)
    mine = Delivery.platform_id == platform.id
    acked_on_time = sa.and_(Delivery.acknowledged_at.is_not(None), Delivery.acknowledged_at <= Directive.ack_due_at)
    due = sa.or_(Delivery.acknowledged_at.is_not(None), Directive.ack_due_at < now)
    row = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.max(sa.case((Delivery.delivered_at.is_not(None), Delivery.seq))),
            sa.func.sum(sa.case((Delivery.state == DeliveryState.PENDING, 1), else_=0)),
            sa.func.sum(sa.case((due, 1), else_=0)),
            sa.func.sum(sa.case((acked_on_time, 1), else_=0)),
            sa.func.max(Delivery.delivered_at),
        )
        .select_from(Delivery)
        .join(Directive, Directive.id == Delivery.directive_id)
        .where(mine)
    ).one()
    token_seen = session.scalar(sa.select(sa.func.max(ApiToken.last_used_at)).where(ApiToken.org_id == platform.id))
    heard = [t for t in (row[5], token_seen) if t is not None]
    return Standing(
        platform=platform,
        latest_seq=platform.delivery_seq,
        received_seq=row[1] or 0,
        not_received=row[2] or 0,
        last_seen=max(heard) if heard else None,
        deliveries=row[0],
        due=row[3] or 0,
        on_time=row[4] or 0,
    )


def history(
    session: Session, principal: Principal, platform_id: int, *, page: int = 1, per_page: int = 25
) -> paging.Page:
    """The platform's deliveries with their directives, newest first: (delivery, directive) rows."""
    require_reader(principal)
    platform = get_visible_platform(session, principal, platform_id)
    query = (
        select(Delivery, Directive)
        .join(Directive, Directive.id == Delivery.directive_id)
        .where(Delivery.platform_id == platform.id)
        .order_by(Delivery.seq.desc())
    )
    return paging.paginate(session, query, page, per_page, scalars=False)
