"""The read side: inboxes, directive lists, per-platform follow-through, progress counts and the log, each within
the reader's scope (a platform sees its own, a province its own platforms, the central regulator everything)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import log, paging
from hub.core.access import Principal, directive_scope, get_visible_directive, require_platform, require_reader
from hub.core.errors import InvalidInput
from hub.models import Delivery, DeliveryState, Directive, DirectiveStatus, Event, Organisation, OrgKind, Role

INBOX_MAX = 500


def inbox(
    session: Session, principal: Principal, since: int = 0, limit: int = 100
) -> list[tuple[Delivery, Directive, Organisation]]:
    """The platform's deliveries after its own sequence number ``since``, in order (replay and polling)."""
    require_platform(principal)
    if since < 0 or not 1 <= limit <= INBOX_MAX:
        raise InvalidInput(f"since >= 0 and 1 <= limit <= {INBOX_MAX}")
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


def inbox_page(
    session: Session, principal: Principal, *, state: str | None = None, page: int = 1, per_page: int = 50
) -> paging.Page[Any]:
    """The platform's inbox, newest first, for its editors' pages."""
    require_platform(principal)
    query = (
        select(Delivery, Directive)
        .join(Directive, Directive.id == Delivery.directive_id)
        .where(Delivery.platform_id == principal.org_id)
        .order_by(Delivery.seq.desc())
    )
    if state:
        query = query.where(Delivery.state == DeliveryState(state))
    return paging.paginate(session, query, page, per_page, scalars=False)


def list_directives(
    session: Session,
    principal: Principal,
    *,
    status: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    issuer_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> paging.Page[Directive]:
    """Directives the reader may see, newest first, with filters."""
    require_reader(principal)
    query = select(Directive).where(directive_scope(principal)).order_by(Directive.id.desc())
    if status:
        try:
            query = query.where(Directive.status == DirectiveStatus(status))
        except ValueError:
            raise InvalidInput(f"status: {', '.join(s.value for s in DirectiveStatus)}") from None
    if kind:
        query = query.where(Directive.kind == kind)
    if issuer_id is not None:
        query = query.where(Directive.issuer_id == issuer_id)
    if q:
        like = f"%{q.strip()[:100]}%"
        query = query.where(sa.or_(Directive.title.ilike(like), Directive.ref_no.ilike(like)))
    return paging.paginate(session, query, page, per_page)


SORTS = {
    "seq": Delivery.seq,
    "platform": Organisation.name,
    "province": Organisation.province,
    "state": Delivery.state,
    "acknowledged_at": Delivery.acknowledged_at,
    "implemented_at": Delivery.implemented_at,
    "due_at": Delivery.due_at,
}
SORT_NAMES = tuple(name for key in SORTS for name in (key, f"-{key}"))  # '-' sorts descending


def directive_deliveries(
    session: Session,
    principal: Principal,
    directive_id: int,
    *,
    state: str | None = None,
    province: str | None = None,
    q: str | None = None,
    overdue_at: datetime | None = None,
    sort: str = "platform",
    page: int = 1,
    per_page: int = 50,
) -> paging.Page[Any]:
    """Per-platform follow-through of one directive: (delivery, platform) rows the reader may see."""
    get_visible_directive(session, principal, directive_id)
    query = (
        select(Delivery, Organisation)
        .join(Organisation, Organisation.id == Delivery.platform_id)
        .where(Delivery.directive_id == directive_id)
    )
    if principal.is_province:
        query = query.where(Organisation.province == principal.province)
    if state:
        try:
            query = query.where(Delivery.state == DeliveryState(state))
        except ValueError:
            raise InvalidInput(f"state: {', '.join(s.value for s in DeliveryState)}") from None
    if province:
        query = query.where(Organisation.province == province)
    if q:
        like = f"%{q.strip()[:100]}%"
        query = query.where(sa.or_(Organisation.name.ilike(like), Organisation.code.ilike(like)))
    if overdue_at is not None:
        query = query.where(Delivery.due_at < overdue_at)
    desc = sort.startswith("-")
    column = SORTS.get(sort.removeprefix("-"))
    if column is None:
        raise InvalidInput(f"sort: one of {', '.join(SORTS)} (prefix '-' for descending)")
    query = query.order_by(column.desc() if desc else column, Delivery.id)
    return paging.paginate(session, query, page, per_page, scalars=False)


@dataclass
class Progress:
    total: int = 0
    pending: int = 0
    delivered: int = 0
    acknowledged: int = 0
    in_progress: int = 0
    implemented: int = 0
    declined: int = 0
    overdue: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def progress(session: Session, principal: Principal, directive_ids: list[int], now: datetime) -> dict[int, Progress]:
    """Counts per state (and overdue) for each directive, over the platforms the reader may see.

    ``delivered`` counts every delivery the platform has received, whatever happened next (likewise
    ``acknowledged``), so the numbers read as a funnel.
    """
    require_reader(principal)
    out = {i: Progress() for i in directive_ids}
    if not directive_ids:
        return out
    overdue = sa.func.sum(sa.case((Delivery.due_at < now, 1), else_=0))
    query = (
        sa.select(Delivery.directive_id, Delivery.state, sa.func.count(), overdue)
        .where(Delivery.directive_id.in_(directive_ids))
        .group_by(Delivery.directive_id, Delivery.state)
    )
    if principal.is_province:
        query = query.join(Organisation, Organisation.id == Delivery.platform_id).where(
            Organisation.province == principal.province
        )
    funnel = {
        DeliveryState.PENDING: (),
        DeliveryState.DELIVERED: ("delivered",),
        DeliveryState.ACKNOWLEDGED: ("delivered", "acknowledged"),
        DeliveryState.IN_PROGRESS: ("delivered", "acknowledged", "in_progress"),
        DeliveryState.IMPLEMENTED: ("delivered", "acknowledged", "implemented"),
        DeliveryState.DECLINED: ("delivered", "declined"),
    }
    for directive_id, state, count, late in session.execute(query):
        p = out[directive_id]
        p.total += count
        p.overdue += late or 0
        if state == DeliveryState.PENDING:
            p.pending += count
        for name in funnel[DeliveryState(state)]:
            setattr(p, name, getattr(p, name) + count)
    return out


def list_events(
    session: Session,
    principal: Principal,
    *,
    page: int = 1,
    per_page: int = 100,
    **filters: Any,
) -> paging.Page[Event]:
    """The follow-through log, newest first, within the reader's scope."""
    require_reader(principal)
    query = select(Event).where(*log.event_filters(**filters)).order_by(Event.id.desc())
    query = query.where(event_scope(principal))
    return paging.paginate(session, query, page, per_page)


def event_scope(principal: Principal) -> sa.ColumnElement[bool]:
    """The central regulator reads the whole log; a province the events of its province and organisation, and the
    directive-level events (published, amended, revoked …) of the directives that reach it."""
    if principal.is_regulator:
        return sa.true()
    if principal.is_province:
        visible = sa.select(Directive.id).where(directive_scope(principal))
        return sa.or_(
            Event.province == principal.province,
            Event.org_id == principal.org_id,
            sa.and_(Event.delivery_id.is_(None), Event.directive_id.in_(visible)),
        )
    return Event.org_id == principal.org_id


def iter_events(session: Session, principal: Principal, batch: int = 2000, **filters: Any):
    """Every event in scope, oldest first, in batches (for CSV export without loading the log into memory)."""
    require_reader(principal)
    last = 0
    while True:
        rows = session.exec(
            select(Event)
            .where(Event.id > last, event_scope(principal), *log.event_filters(**filters))
            .order_by(Event.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id
        session.expunge_all()


def managers_and_officers(principal: Principal) -> bool:
    return principal.role in (Role.MANAGER, Role.OFFICER, Role.ADMIN)
