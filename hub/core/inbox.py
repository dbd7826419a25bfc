"""A platform's inbox: its deliveries in sequence order (replay and polling), its head, its pages and one item with
its history and questions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import paging, search
from hub.core.access import Principal, require_platform
from hub.core.errors import InvalidInput, NotFound
from hub.core.reminder_policy import deadlines_for
from hub.models import Delivery, DeliveryState, Directive, Event, Organisation, OrgKind, Question

INBOX_MAX = 500


def inbox(
    session: Session, principal: Principal, since: int = 0, limit: int = 100
) -> list[tuple[Delivery, Directive, Organisation]]:
    """The platform's deliveries after its own sequence number ``since``, in order (replay and polling)."""
    require_platform(principal)
    if since < 0 or not 1 <= limit <= INBOX_MAX:
        raise InvalidInput("inbox_window_invalid", max=INBOX_MAX)
    rows = session.exec(
        select(Delivery, Directive, Organisation)
        .join(Directive, Directive.id == Delivery.directive_id)
        .join(Organisation, Organisation.id == Directive.issuer_id)
        .where(Delivery.platform_id == principal.org_id, Delivery.seq > since)
        .order_by(Delivery.seq)
        .limit(limit)
    ).all()
    return [tuple(r) for r in rows]


_ORGS = Organisation.__table__


_HEAD = sa.select(_ORGS.c.delivery_seq).where(_ORGS.c.id == sa.bindparam("platform_id"))


def inbox_head(session: Session, platform_id: int) -> int:
    """The platform's highest sequence number (what a connected client should hold).

    A statement built once: every connecting socket asks, and building the query cost more than running it."""
    return session.connection().execute(_HEAD, {"platform_id": platform_id}).scalar() or 0


def inbox_heads(session: Session, platform_ids: list[int]) -> dict[int, int]:
    """The highest sequence number of each of many platforms (the periodic ``head`` of every connected one).

    One plain read of every platform's counter: cheaper than thousands of parameters when thousands are
    connected."""
    if not platform_ids:
        return {}
    table = Organisation.__table__
    wanted = set(platform_ids)
    rows = session.connection().execute(
        sa.select(table.c.id, table.c.delivery_seq).where(table.c.kind == OrgKind.PLATFORM.value)
    )
    return {platform_id: seq or 0 for platform_id, seq in rows if platform_id in wanted}


OPEN, OVERDUE = "open", "overdue"  # the inbox's filters beside the delivery states: something still owed; late
INBOX_FILTERS = (*[state.value for state in DeliveryState], OPEN, OVERDUE)
INBOX_SORTS = {
    "newest": (Delivery.seq.desc(),),
    "oldest": (Delivery.seq,),
    "due": (Delivery.due_at.is_(None), Delivery.due_at, Delivery.seq.desc()),  # soonest first, nothing owed last
    "-due": (Delivery.due_at.is_(None), Delivery.due_at.desc(), Delivery.seq.desc()),
}


def inbox_page(
    session: Session,
    principal: Principal,
    now: datetime,
    *,
    state: str | None = None,
    sort: str = "newest",
    q: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> paging.Page[Any]:
    """The platform's inbox for its editors, (delivery, directive, issuer) rows: filtered by state, by what is still
    owed (``open``) or late at ``now`` (``overdue``), by words (``q``); newest first, oldest first, or by the
    deadline now owed."""
    require_platform(principal)
    if state is not None and state not in INBOX_FILTERS:
        raise InvalidInput("state_filter_invalid", choices=", ".join(INBOX_FILTERS))
    if sort not in INBOX_SORTS:
        raise InvalidInput("inbox_sort_invalid", choices=", ".join(INBOX_SORTS))
    query = (
        select(Delivery, Directive, Organisation)
        .join(Directive, Directive.id == Delivery.directive_id)
        .join(Organisation, Organisation.id == Directive.issuer_id)
        .where(Delivery.platform_id == principal.org_id)
        .order_by(*INBOX_SORTS[sort])
    )
    if state == OPEN:
        query = query.where(Delivery.due_at.is_not(None))
    elif state == OVERDUE:
        query = query.where(Delivery.due_at <= now)
    elif state:
        query = query.where(Delivery.state == DeliveryState(state))
    found = search.matching(session, q)
    if found is not None:
        query = query.where(found)
    return paging.paginate(session, query, page, per_page, scalars=False)


def is_overdue(delivery: Delivery, now: datetime) -> bool:
    """Whether the deadline the platform now owes has passed (a closed delivery owes none)."""
    return delivery.due_at is not None and delivery.due_at <= now


@dataclass
class InboxItem:
    """A directive as one platform holds it: the delivery, the directive, its issuer, history and questions."""

    delivery: Delivery
    directive: Directive
    issuer: Organisation
    events: list[Event] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    superseded_by: Directive | None = None

    @property
    def deadlines(self) -> tuple[datetime | None, datetime | None]:
        """This platform's acknowledgement and implementation deadlines (later than the directive's when the
        platform was addressed late: docs/deadlines.md)."""
        return deadlines_for(self.directive, self.delivery.created_at)


def inbox_item(session: Session, principal: Principal, directive_id: int) -> InboxItem:
    """One directive of the platform's inbox; another platform's directive is simply not found."""
    require_platform(principal)
    row = session.exec(
        select(Delivery, Directive, Organisation)
        .join(Directive, Directive.id == Delivery.directive_id)
        .join(Organisation, Organisation.id == Directive.issuer_id)
        .where(Delivery.directive_id == directive_id, Delivery.platform_id == principal.org_id)
    ).first()
    if row is None:
        raise NotFound("directive_not_in_inbox")
    delivery, directive, issuer = row
    events = session.exec(select(Event).where(Event.delivery_id == delivery.id).order_by(Event.id).limit(200)).all()
    questions = session.exec(select(Question).where(Question.delivery_id == delivery.id).order_by(Question.id)).all()
    newer = session.get(Directive, directive.superseded_by_id) if directive.superseded_by_id else None
    return InboxItem(delivery, directive, issuer, list(events), list(questions), newer)


def unread_count(session: Session, principal: Principal) -> int:
    """Directives the platform has not yet acknowledged (still owed an acknowledgement)."""
    require_platform(principal)
    return session.scalar(
        sa.select(sa.func.count(Delivery.id)).where(
            Delivery.platform_id == principal.org_id, Delivery.state.in_(["pending", "delivered"])
        )
    )
