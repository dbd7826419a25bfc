"""Reminders: the sweep's batch of owed reminders (a conditional update per row, logged) and the reminder an
officer sends by hand; both push the ``reminder`` socket event defined here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import directives, log
from hub.core.access import Principal, get_visible_platform, require_issuer
from hub.core.errors import InvalidTransition, NotFound
from hub.core.reminder_policy import ACKNOWLEDGE, IMPLEMENT, PHASE_STATES, phase_of, policy_for
from hub.core.sweep_batch import ACTOR, Outcome, Policy, ReminderSent
from hub.models import Delivery, Directive, Organisation

DT = Delivery.__table__


def reminder_payload(
    directive: Directive, phase: str, reminders_sent: int, due_at: datetime | None, *, manual: bool = False
) -> dict[str, Any]:
    """The ``reminder`` socket event as docs/protocol.md defines it."""
    body = {
        "directive_id": directive.id,
        "ref_no": directive.ref_no,
        "title": directive.title,
        "phase": phase,
        "reminders_sent": reminders_sent,
        "due_at": due_at.isoformat() if due_at else None,
    }
    if manual:
        body["manual"] = True
    return body


def remind_due(session: Session, now: datetime, policy: Policy) -> Outcome:
    """One batch of owed reminders: each delivery updated on condition it still owes this one, and logged.

    Rows are grouped by what their update is (same old time, interval and limit), so a batch is a few statements
    whatever its size; the conditions repeat what was read, so a row changed meanwhile is left alone.
    """
    rows = session.execute(
        sa.select(DT.c.id, DT.c.directive_id, DT.c.next_reminder_at, DT.c.state, DT.c.reminders_sent)
        .where(DT.c.next_reminder_at <= now)
        .order_by(DT.c.next_reminder_at)  # the index order; a tie-break on id would sort every tied row
        .limit(policy.batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    outcome = Outcome(selected=len(rows))
    if not rows:
        return outcome
    by_id = _directives(session, {r.directive_id for r in rows})
    owed: dict[tuple, list[int]] = defaultdict(list)
    spent: dict[datetime, list[int]] = defaultdict(list)
    rules_of = {i: policy_for(d, policy.defaults) for i, d in by_id.items()}
    for r in rows:
        directive, rules = by_id[r.directive_id], rules_of[r.directive_id]
        if phase_of(r.state) is None or not directives.in_force(directive) or r.reminders_sent >= rules.limit:
            spent[r.next_reminder_at].append(r.id)
        else:
            owed[(r.next_reminder_at, rules.interval, rules.limit)].append(r.id)
    conn = session.connection()
    for old, ids in spent.items():
        conn.execute(DT.update().where(DT.c.id.in_(ids), DT.c.next_reminder_at == old).values(next_reminder_at=None))
    sent: list[Any] = []
    for (old, interval, limit), ids in owed.items():
        following = sa.case((DT.c.reminders_sent + 1 >= limit, None), else_=_next_slot(old, interval, now))
        sent += conn.execute(
            DT.update()
            .where(
                DT.c.id.in_(ids),
                DT.c.next_reminder_at == old,
                DT.c.reminders_sent < limit,
                DT.c.state.in_([*PHASE_STATES[ACKNOWLEDGE], *PHASE_STATES[IMPLEMENT]]),
            )
            .values(reminders_sent=DT.c.reminders_sent + 1, last_reminded_at=now, next_reminder_at=following)
            .returning(DT.c.id, DT.c.directive_id, DT.c.platform_id, DT.c.state, DT.c.due_at, DT.c.reminders_sent)
        ).all()
    _log_reminders(session, now, sent, by_id, outcome)
    return outcome


def _log_reminders(
    session: Session, now: datetime, sent: list[Any], by_id: dict[int, Directive], outcome: Outcome
) -> None:
    platforms = platform_rows(session, {row.platform_id for row in sent})
    drafts = []
    for row in sent:
        directive, phase = by_id[row.directive_id], phase_of(row.state)
        drafts.append(
            log.EventDraft(
                "reminded",
                ACTOR,
                now,
                org_id=row.platform_id,
                province=platforms[row.platform_id].province,
                directive_id=directive.id,
                delivery_id=row.id,
                details={"phase": phase, "reminder": row.reminders_sent, "due_at": iso(row.due_at)},
            )
        )
        outcome.reminders.append(
            ReminderSent(row.platform_id, reminder_payload(directive, phase, row.reminders_sent, row.due_at))
        )
        outcome.touched.add(directive.id)
    log.append_many(session, drafts)


def _next_slot(previous: datetime, interval: timedelta, now: datetime) -> datetime:
    """The first reminder time after ``now`` on the grid ``previous + k * interval`` (missed slots are merged)."""
    steps = int((now - previous) / interval) + 1
    return previous + steps * interval


def _directives(session: Session, ids: Iterable[int]) -> dict[int, Directive]:
    return {d.id: d for d in session.exec(select(Directive).where(Directive.id.in_(list(ids))))}


def platform_rows(session: Session, ids: Iterable[int]) -> dict[int, Any]:
    """Name and province of each platform (plain rows: a batch may name thousands)."""
    ids = list(ids)
    if not ids:
        return {}
    org = Organisation.__table__
    found = session.connection().execute(sa.select(org.c.id, org.c.name, org.c.province).where(org.c.id.in_(ids)))
    return {row.id: row for row in found}


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass
class Reminded:
    """A reminder sent by hand: the delivery as it now stands, its directive, and what to push to the platform."""

    delivery: Delivery
    directive: Directive
    sent: ReminderSent


def remind(session: Session, principal: Principal, now: datetime, delivery_id: int, *, bulk: bool = False) -> Reminded:
    """An officer reminds a platform of its province (any platform, for the central regulator) of a delivery.

    It does not count against the automatic reminders' limit and does not move their schedule. ``bulk`` marks it
    in the log as one of many sent in one action (``hub/core/bulk.py``).
    """
    require_issuer(principal)
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound("delivery_not_found")
    platform = get_visible_platform(session, principal, delivery.platform_id)
    directive = session.get(Directive, delivery.directive_id)
    if not directives.in_force(directive):
        raise InvalidTransition("reminder_directive_closed", status=str(directive.status))
    phase = phase_of(delivery.state)
    if phase is None:
        raise InvalidTransition("reminder_already_reported", state=str(delivery.state))
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
            details={
                "phase": phase,
                "manual": True,
                "due_at": iso(delivery.due_at),
                **({"bulk": True} if bulk else {}),
            },
        ),
    )
    body = reminder_payload(directive, phase, delivery.reminders_sent, delivery.due_at, manual=True)
    return Reminded(delivery, directive, ReminderSent(platform.id, body))
