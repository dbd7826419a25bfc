"""How directives are followed through, within the reader's scope (a province its own platforms, the central
regulator everything): the directive list, per-platform deliveries, progress counts, the province breakdown and
the questions platforms asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import paging, search
from hub.core.access import (
    Principal,
    Scope,
    directive_scope,
    get_visible_directive,
    platform_scope,
    require_reader,
    scope_of,
)
from hub.core.directive_filter import DirectiveFilter
from hub.core.errors import InvalidInput
from hub.models import Delivery, DeliveryState, Directive, DirectiveStatus, Organisation, Question


def list_directives(
    session: Session,
    principal: Principal,
    *,
    status: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    issuer_id: int | None = None,
    where: DirectiveFilter | None = None,
    page: int = 1,
    per_page: int = 50,
) -> paging.Page[Directive]:
    """Directives the reader may see, newest first, with filters (``where``: the dashboard's, for its drill-down)."""
    require_reader(principal)
    query = select(Directive).where(directive_scope(principal)).order_by(Directive.id.desc())
    if where is not None:
        query = query.where(*where.conditions(scope_of(principal)))
    if status:
        try:
            query = query.where(Directive.status == DirectiveStatus(status))
        except ValueError:
            raise InvalidInput("status_filter_invalid", choices=", ".join(s.value for s in DirectiveStatus)) from None
    if kind:
        query = query.where(Directive.kind == kind)
    if issuer_id is not None:
        query = query.where(Directive.issuer_id == issuer_id)
    found = search.matching(session, q)
    if found is not None:
        query = query.where(found)
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
    if not scope_of(principal).everything:
        query = query.where(platform_scope(principal))
    if state:
        try:
            query = query.where(Delivery.state == DeliveryState(state))
        except ValueError:
            raise InvalidInput("state_filter_invalid", choices=", ".join(s.value for s in DeliveryState)) from None
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
        raise InvalidInput("sort_invalid", choices=", ".join(SORTS))
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
    return counts(session, scope_of(principal), directive_ids, now)


def counts(session: Session, scope: Scope, directive_ids: list[int], now: datetime) -> dict[int, Progress]:
    """:func:`progress` for a scope rather than a principal (a console room's), with nobody's rights to check."""
    out = {i: Progress() for i in directive_ids}
    if not directive_ids:
        return out
    overdue = sa.func.sum(sa.case((Delivery.due_at < now, 1), else_=0))
    query = (
        sa.select(Delivery.directive_id, Delivery.state, sa.func.count(), overdue)
        .where(Delivery.directive_id.in_(directive_ids))
        .group_by(Delivery.directive_id, Delivery.state)
    )
    if not scope.everything:
        query = query.join(Organisation, Organisation.id == Delivery.platform_id).where(platform_scope(scope))
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


def province_breakdown(session: Session, principal: Principal, directive_id: int) -> list[tuple[str, str, int]]:
    """(province, state, count) of one directive's deliveries in the reader's scope, for the printable report."""
    get_visible_directive(session, principal, directive_id)
    query = (
        sa.select(Organisation.province, Delivery.state, sa.func.count())
        .join(Organisation, Organisation.id == Delivery.platform_id)
        .where(Delivery.directive_id == directive_id, platform_scope(principal))
        .group_by(Organisation.province, Delivery.state)
        .order_by(Organisation.province)
    )
    return [(p or "", s, n) for p, s, n in session.execute(query)]


def directive_questions(
    session: Session, principal: Principal, directive_id: int, limit: int = 50
) -> list[tuple[Question, Organisation]]:
    """Questions platforms asked on a directive (unanswered first), from platforms the reader may see."""
    get_visible_directive(session, principal, directive_id)
    rows = session.exec(
        select(Question, Organisation)
        .join(Delivery, Delivery.id == Question.delivery_id)
        .join(Organisation, Organisation.id == Delivery.platform_id)
        .where(Delivery.directive_id == directive_id, platform_scope(principal))
        .order_by(Question.answered_at.is_not(None), Question.id.desc())
        .limit(limit)
    ).all()
    return [tuple(r) for r in rows]
