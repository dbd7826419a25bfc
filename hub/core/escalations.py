"""Escalations: when an overdue delivery goes to its platform's provincial department, the sweep's batches that
escalate, and the list of escalated deliveries a department reads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import directives, log, paging
from hub.core.access import Principal, platform_scope, require_reader
from hub.core.errors import InvalidInput
from hub.core.reminder_policy import (
    ACKNOWLEDGE,
    DEFAULT_POLICIES,
    IMPLEMENT,
    PHASE_STATES,
    ReminderPolicy,
    phase_of,
    policy_for,
)
from hub.core.reminders import iso, platform_rows
from hub.core.sweep_batch import ACTOR, Escalation, Outcome, Policy
from hub.models import OPEN_STATES, Delivery, Directive, DirectiveStatus, Organisation, Priority

DT = Delivery.__table__


def next_escalation_at(
    delivery: Delivery, directive: Directive, defaults: Mapping[Priority, ReminderPolicy] = DEFAULT_POLICIES
) -> datetime | None:
    """When the delivery will be escalated if nothing happens (None if it will not be, or already was)."""
    phase = phase_of(delivery.state)
    if phase is None or delivery.due_at is None or directive.status != DirectiveStatus.PUBLISHED:
        return None
    if delivery.escalated_at is not None and (
        phase == ACKNOWLEDGE or delivery.acknowledged_at is None or delivery.escalated_at >= delivery.acknowledged_at
    ):
        return None
    return delivery.due_at + policy_for(directive, defaults).escalate_after


def escalation_groups(session: Session, now: datetime, policy: Policy) -> dict[datetime, list[Directive]]:
    """Directives in force with deliveries past their deadline, grouped by the cut-off their delay gives at ``now``."""
    overdue = session.exec(
        select(Directive).where(
            directives.IN_FORCE,
            Directive.id.in_(select(Delivery.directive_id).where(Delivery.due_at <= now).distinct()),
        )
    ).all()
    groups: dict[datetime, list[Directive]] = defaultdict(list)
    for directive in overdue:
        groups[now - policy_for(directive, policy.defaults).escalate_after].append(directive)
    return groups


def escalate_due(
    session: Session, now: datetime, policy: Policy, cutoff: datetime, group: list[Directive], after_id: int = 0
) -> Outcome:
    """One batch of escalations among ``group``: deliveries whose deadline passed before ``cutoff``, not yet
    escalated in their current phase, taken in id order after ``after_id`` (so a sweep reads each row once)."""
    by_id = {d.id: d for d in group}
    candidates = (
        session.execute(
            sa.select(DT.c.id)
            .where(DT.c.directive_id.in_(list(by_id)), DT.c.due_at <= cutoff, _needs_escalation(), DT.c.id > after_id)
            .order_by(DT.c.id)
            .limit(policy.batch_size)
            .with_for_update(skip_locked=True)
        )
        .scalars()
        .all()
    )
    outcome = Outcome(selected=len(candidates), cursor=max(candidates, default=after_id))
    if not candidates:
        return outcome
    rows = (
        session.connection()
        .execute(
            DT.update()
            .where(DT.c.id.in_(candidates), _needs_escalation(), DT.c.due_at.is_not(None))
            .values(escalated_at=now)
            .returning(DT.c.id, DT.c.directive_id, DT.c.platform_id, DT.c.state, DT.c.due_at)
        )
        .all()
    )
    _log_escalations(session, now, rows, by_id, outcome)
    return outcome


def _needs_escalation() -> sa.ColumnElement[bool]:
    """Not yet escalated in the current phase (an escalation before the acknowledgement was the earlier phase's)."""
    return sa.or_(
        sa.and_(Delivery.state.in_(PHASE_STATES[ACKNOWLEDGE]), Delivery.escalated_at.is_(None)),
        sa.and_(
            Delivery.state.in_(PHASE_STATES[IMPLEMENT]),
            sa.or_(Delivery.escalated_at.is_(None), Delivery.escalated_at < Delivery.acknowledged_at),
        ),
    )


def _log_escalations(
    session: Session, now: datetime, rows: list[Any], by_id: dict[int, Directive], outcome: Outcome
) -> None:
    platforms = platform_rows(session, {r.platform_id for r in rows})
    drafts = []
    for r in rows:
        platform, phase = platforms[r.platform_id], phase_of(r.state)
        details = {
            "phase": phase,
            "due_at": iso(r.due_at),
            "overdue_minutes": int((now - r.due_at).total_seconds() // 60),
            "to": f"province:{platform.province}" if platform.province else "regulator",
        }
        drafts.append(
            log.EventDraft(
                "escalated",
                ACTOR,
                now,
                org_id=r.platform_id,
                province=platform.province,
                directive_id=r.directive_id,
                delivery_id=r.id,
                details=details,
            )
        )
        payload = {
            "directive_id": r.directive_id,
            "ref_no": by_id[r.directive_id].ref_no,
            "platform_id": r.platform_id,
            "platform": platform.name,
            "phase": phase,
        }
        outcome.escalations.append(Escalation(platform.province, payload))
        outcome.touched.add(r.directive_id)
    log.append_many(session, drafts)


def escalations(
    session: Session,
    principal: Principal,
    *,
    province: str | None = None,
    platform_id: int | None = None,
    open_only: bool = True,
    page: int = 1,
    per_page: int = 50,
) -> paging.Page[Any]:
    """Deliveries escalated to the reader's department (every province for the central regulator), newest first:
    (delivery, directive, platform) rows."""
    require_reader(principal)
    if province is not None and principal.is_province and province != principal.province:
        raise InvalidInput("province_scope_only")
    query = (
        select(Delivery, Directive, Organisation)
        .join(Directive, Directive.id == Delivery.directive_id)
        .join(Organisation, Organisation.id == Delivery.platform_id)
        .where(Delivery.escalated_at.is_not(None), platform_scope(principal))
    )
    if province:
        query = query.where(Organisation.province == province)
    if platform_id is not None:
        query = query.where(Delivery.platform_id == platform_id)
    if open_only:
        query = query.where(Delivery.state.in_(OPEN_STATES), Delivery.due_at.is_not(None))
    query = query.order_by(Delivery.escalated_at.desc(), Delivery.id.desc())
    return paging.paginate(session, query, page, per_page, scalars=False)
