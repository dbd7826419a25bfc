"""Deadlines coming up: a platform is warned once per delivery and phase (acknowledge, then implement) before its
deadline passes, by a ``deadline_near`` event in the log (which the mail outbox reads, and the timeline shows).

Reminders fall at and after a deadline (docs/deadlines.md); this is the one notice before it. A delivery is warned
when its current phase's deadline (``due_at``) is in the future and all of these hold:

- the deadline is at most ``lead`` away (``HUB_MAIL_DUE_SOON``, 24 hours by default);
- half of the phase's window has passed (the window starts at the delivery for the acknowledgement, at the
  acknowledgement for the implementation): a directive due in a day is not "due soon" the minute it arrives;
- ``grace`` has passed since the window opened: a deadline already close at publication is announced by the
  "not yet received" mail (or not at all, if the platform received it), not by a second mail within the grace.

Set-based: one read of the candidates over the open-deadline index per batch, one conditional update per phase
(``warned_phase`` differs from the phase) whose ``RETURNING`` names the rows this sweep won, and one bulk log insert.
Two sweepers at once log each warning once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from hub.core import log
from hub.core.reminder_policy import ACKNOWLEDGE, IMPLEMENT, PHASE_STATES, phase_of
from hub.core.reminders import iso, platform_rows
from hub.core.sweep_batch import ACTOR, Outcome
from hub.models import Delivery, Directive, DirectiveStatus

DT = Delivery.__table__
EVENT = "deadline_near"


@dataclass(frozen=True)
class DueSoon:
    """How long before a deadline a platform is warned, and the grace after its window opens."""

    lead: timedelta = timedelta(hours=24)
    grace: timedelta = timedelta(minutes=2)

    def warns(self, now: datetime, opened: datetime | None, due_at: datetime) -> bool:
        """Whether a phase opened at ``opened`` and due at ``due_at`` is due soon at ``now``."""
        if not now < due_at <= now + self.lead:
            return False
        if opened is None:
            return True
        return now >= opened + self.grace and now >= opened + (due_at - opened) / 2


def _unwarned(phase: str) -> sa.ColumnElement[bool]:
    return sa.and_(DT.c.state.in_(PHASE_STATES[phase]), sa.func.coalesce(DT.c.warned_phase, "") != phase)


def warn_due_soon(session: Session, now: datetime, rules: DueSoon, batch_size: int, after: int = 0) -> Outcome:
    """One batch of deliveries (ids above ``after``) whose deadline is near: each marked with its phase and logged
    ``deadline_near``; the outcome's ``cursor`` is where the next batch starts."""
    rows = session.execute(
        sa.select(DT.c.id, DT.c.state, DT.c.due_at, DT.c.created_at, DT.c.acknowledged_at)
        .join(Directive.__table__, Directive.__table__.c.id == DT.c.directive_id)
        .where(
            DT.c.id > after,
            DT.c.due_at > now,
            DT.c.due_at <= now + rules.lead,
            sa.or_(_unwarned(ACKNOWLEDGE), _unwarned(IMPLEMENT)),
            Directive.__table__.c.status == DirectiveStatus.PUBLISHED,
        )
        .order_by(DT.c.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True, of=DT)
    ).all()
    outcome = Outcome(selected=len(rows), cursor=rows[-1].id if rows else after)
    chosen: dict[str, list[int]] = {ACKNOWLEDGE: [], IMPLEMENT: []}
    for r in rows:
        phase = phase_of(r.state)
        opened = r.created_at if phase == ACKNOWLEDGE else r.acknowledged_at
        if phase is not None and rules.warns(now, opened, r.due_at):
            chosen[phase].append(r.id)
    warned: list[Any] = []
    for phase, ids in chosen.items():
        if ids:
            warned += (
                session.connection()
                .execute(
                    DT.update()
                    .where(DT.c.id.in_(ids), _unwarned(phase), DT.c.due_at > now)
                    .values(warned_phase=phase)
                    .returning(DT.c.id, DT.c.directive_id, DT.c.platform_id, DT.c.state, DT.c.due_at)
                )
                .all()
            )
    _log(session, now, warned, outcome)
    return outcome


def _log(session: Session, now: datetime, warned: list[Any], outcome: Outcome) -> None:
    platforms = platform_rows(session, {row.platform_id for row in warned})
    drafts = [
        log.EventDraft(
            EVENT,
            ACTOR,
            now,
            org_id=row.platform_id,
            province=platforms[row.platform_id].province,
            directive_id=row.directive_id,
            delivery_id=row.id,
            details={"phase": phase_of(row.state), "due_at": iso(row.due_at)},
        )
        for row in warned
    ]
    if drafts:
        log.append_many(session, drafts)
    outcome.warned = len(drafts)
