"""Read models the web pages need beyond :mod:`hub.core.followthrough`: one inbox item with its history, the
questions on a directive, escalations, and the admin's paged registry lists. Each stays within the reader's scope."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import paging
from hub.core.access import (
    Principal,
    get_visible_directive,
    platform_scope,
    require_platform,
    require_role,
)
from hub.core.errors import NotFound
from hub.models import ApiToken, Delivery, Directive, Event, Organisation, OrgKind, Question, RatioReport, Role, User


@dataclass
class InboxItem:
    """A directive as one platform holds it: the delivery, the directive, its issuer, history and questions."""

    delivery: Delivery
    directive: Directive
    issuer: Organisation
    events: list[Event] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    superseded_by: Directive | None = None


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
        raise NotFound(f"directive {directive_id} is not in your inbox")
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


def organisations_page(
    session: Session, principal: Principal, *, kind: str | None = None, q: str | None = None, page: int = 1
) -> paging.Page[Organisation]:
    """Organisations for the admin, by kind then name."""
    require_role(principal, Role.ADMIN)
    query = select(Organisation).order_by(Organisation.kind, Organisation.name)
    if kind:
        query = query.where(Organisation.kind == OrgKind(kind))
    if q:
        like = f"%{q.strip()[:100]}%"
        query = query.where(sa.or_(Organisation.name.ilike(like), Organisation.code.ilike(like)))
    return paging.paginate(session, query, page, 50)


def users_page(session: Session, principal: Principal, *, q: str | None = None, page: int = 1) -> paging.Page:
    """Users with their organisation, for the admin."""
    require_role(principal, Role.ADMIN)
    query = select(User, Organisation).join(Organisation, Organisation.id == User.org_id).order_by(User.login)
    if q:
        like = f"%{q.strip()[:100]}%"
        query = query.where(sa.or_(User.login.ilike(like), User.display_name.ilike(like)))
    return paging.paginate(session, query, page, 50, scalars=False)


def tokens_page(session: Session, principal: Principal, *, page: int = 1) -> paging.Page:
    """Every API token with its organisation, newest first, for the admin."""
    require_role(principal, Role.ADMIN)
    query = (
        select(ApiToken, Organisation)
        .join(Organisation, Organisation.id == ApiToken.org_id)
        .order_by(ApiToken.id.desc())
    )
    return paging.paginate(session, query, page, 50, scalars=False)


def own_ratio_reports(session: Session, principal: Principal, limit: int = 24) -> list[RatioReport]:
    """The platform's latest content-ratio reports."""
    require_platform(principal)
    return list(
        session.exec(
            select(RatioReport)
            .where(RatioReport.platform_id == principal.org_id)
            .order_by(RatioReport.period_start.desc())
            .limit(limit)
        )
    )
