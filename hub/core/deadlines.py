"""Deadlines that enforce themselves: one sweep publishes what is scheduled, expires what is past, reminds and
escalates overdue deliveries, and issues the periodic report requests.

Deadlines are columns, not jobs: ``Delivery.next_reminder_at`` is when the next reminder is owed (null when no more
will be sent), ``due_at`` the deadline of the current phase and ``escalated_at`` when the matter went to the
platform's provincial department. The sweep takes ``now`` and reads what is due, so a restart loses nothing.

Every batch is one transaction in which the deliveries change and their events are written together, with
conditional updates (``WHERE next_reminder_at = :old``) over rows locked with ``SKIP LOCKED`` on PostgreSQL: a crash
in the middle or two sweepers at once never send a reminder twice and never skip one. What a batch did is handed
to ``announce`` only after it has committed (the adapter pushes it to the sockets).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from hub.core import directives, log
from hub.core.errors import HubError
from hub.core.signing import Signer
from hub.db import write_session
from hub.models import Delivery, DeliveryState, Directive, DirectiveStatus, Organisation, Priority

ACTOR = "system:scheduler"
ACKNOWLEDGE, IMPLEMENT = "acknowledge", "implement"
PHASE_STATES = {
    ACKNOWLEDGE: (DeliveryState.PENDING, DeliveryState.DELIVERED),
    IMPLEMENT: (DeliveryState.ACKNOWLEDGED, DeliveryState.IN_PROGRESS),
}
FINAL_STATES = (DeliveryState.IMPLEMENTED, DeliveryState.DECLINED)
T = TypeVar("T")
DT = Delivery.__table__


@dataclass(frozen=True)
class ReminderPolicy:
    """How often a platform is reminded of a passed deadline, how many times, and when it is escalated."""

    interval: timedelta
    limit: int
    escalate_after: timedelta


# What applies when the officer leaves a directive's reminder settings empty.
DEFAULT_POLICIES: Mapping[Priority, ReminderPolicy] = {
    Priority.FLASH: ReminderPolicy(timedelta(minutes=15), 4, timedelta(hours=1)),
    Priority.URGENT: ReminderPolicy(timedelta(hours=1), 4, timedelta(hours=4)),
    Priority.ROUTINE: ReminderPolicy(timedelta(hours=12), 3, timedelta(days=2)),
}


@dataclass(frozen=True)
class Policy:
    """How the sweep works: rows per transaction and the default reminder policy by priority."""

    batch_size: int = 2000
    defaults: Mapping[Priority, ReminderPolicy] = field(default_factory=lambda: dict(DEFAULT_POLICIES))
    retries: int = 3


def policy_for(directive: Directive, defaults: Mapping[Priority, ReminderPolicy] = DEFAULT_POLICIES) -> ReminderPolicy:
    """The directive's own reminder settings, with the priority's defaults for those left empty."""
    base = defaults[Priority(directive.priority)]
    return ReminderPolicy(
        interval=timedelta(minutes=directive.remind_interval_minutes)
        if directive.remind_interval_minutes
        else base.interval,
        limit=directive.remind_limit if directive.remind_limit is not None else base.limit,
        escalate_after=timedelta(minutes=directive.escalate_after_minutes)
        if directive.escalate_after_minutes is not None
        else base.escalate_after,
    )


def phase_of(state: DeliveryState | str) -> str | None:
    """Which deadline a delivery in ``state`` is working towards (None once implemented or declined)."""
    for phase, states in PHASE_STATES.items():
        if state in states:
            return phase
    return None


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


@dataclass
class ReminderSent:
    platform_id: int
    payload: dict[str, Any]


@dataclass
class Escalation:
    province: str | None
    payload: dict[str, Any]


@dataclass
class Outcome:
    """What one committed batch did, for the adapter to announce."""

    published: list[directives.Published] = field(default_factory=list)
    reminders: list[ReminderSent] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)  # directives whose progress counts changed
    selected: int = 0  # rows the batch looked at (a full batch means there may be more)
    cursor: int = 0  # the last delivery id it looked at, where the next batch starts

    @property
    def empty(self) -> bool:
        return not (self.published or self.reminders or self.escalations or self.expired)


@dataclass
class SweepReport:
    """Totals of one sweep."""

    published: int = 0
    expired: int = 0
    reminded: int = 0
    escalated: int = 0
    batches: int = 0
    publication_failures: list[int] = field(default_factory=list)
    report_request: int | None = None

    def add(self, outcome: Outcome) -> None:
        self.published += len(outcome.published)
        self.expired += len(outcome.expired)
        self.reminded += len(outcome.reminders)
        self.escalated += len(outcome.escalations)
        self.batches += 1


Announce = Callable[[Outcome], None]


def sweep(
    engine: Engine,
    now: datetime,
    signer: Signer,
    policy: Policy | None = None,
    *,
    announce: Announce | None = None,
    report_due_at: datetime | None = None,
) -> SweepReport:
    """Do everything that is due at ``now``: publish, expire, remind, escalate, request reports. Idempotent.

    ``report_due_at`` is the latest time the report-request schedule fired (the adapter reads its cron); the
    request for that month is issued once whatever the number of sweeps.
    """
    from hub.core import report_requests

    policy = policy or Policy()
    report = SweepReport()

    def run(step: Callable[[Session], Outcome]) -> Outcome:
        outcome = _in_transaction(engine, step, policy.retries)
        report.add(outcome)
        if announce is not None and not outcome.empty:
            announce(outcome)
        return outcome

    for directive_id in _due_publications(engine, now):
        try:
            run(lambda s, d=directive_id: _publish_one(s, now, signer, d))
        except HubError as exc:
            _in_transaction(engine, lambda s, d=directive_id, e=exc: _fail_publication(s, now, d, e), policy.retries)
            report.publication_failures.append(directive_id)
    while len(run(lambda s: _expire_batch(s, now)).expired) >= EXPIRE_BATCH:
        pass
    while _batch_was_full(run(lambda s: remind_due(s, now, policy)), policy):
        pass
    with Session(engine) as session:
        groups = escalation_groups(session, now, policy)
    for cutoff, group in groups.items():
        cursor = 0
        while True:
            batch = run(lambda s, c=cutoff, g=group, a=cursor: escalate_due(s, now, policy, c, g, a))
            if not _batch_was_full(batch, policy):
                break
            cursor = batch.cursor
    if report_due_at is not None:
        outcome = run(lambda s: report_requests.issue_due(s, now, signer, report_due_at))
        report.report_request = outcome.published[0].directive.id if outcome.published else None
    return report


EXPIRE_BATCH = 200


def _in_transaction(engine: Engine, step: Callable[[Session], T], retries: int) -> T:
    """Run ``step`` in one write transaction, again after a deadlock or serialisation failure (it is atomic)."""
    for attempt in range(retries + 1):
        try:
            with write_session(engine) as session:
                return step(session)
        except sa.exc.OperationalError as exc:
            transient = "deadlock" in str(exc).lower() or "could not serialize" in str(exc).lower()
            if not transient or attempt == retries:
                raise
    raise AssertionError("unreachable")


def _due_publications(engine: Engine, now: datetime) -> list[int]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Directive.id)
                .where(Directive.status == DirectiveStatus.SCHEDULED, Directive.publish_at <= now)
                .order_by(Directive.publish_at, Directive.id)
            )
        )


def _publish_one(session: Session, now: datetime, signer: Signer, directive_id: int) -> Outcome:
    published = directives.publish_scheduled(session, now, signer, directive_id)
    if published is None:
        return Outcome()
    return Outcome(published=[published], touched={directive_id})


def _fail_publication(session: Session, now: datetime, directive_id: int, error: HubError) -> Outcome:
    """A scheduled directive that cannot be published (its audience matches nobody now) goes back to draft."""
    directive = session.exec(
        select(Directive).where(Directive.id == directive_id, Directive.status == DirectiveStatus.SCHEDULED)
    ).first()
    if directive is not None:
        directive.status, directive.updated_at = DirectiveStatus.DRAFT, now
        session.add(directive)
        _log_directive(session, "publication_failed", now, directive, {"reason": error.message})
    return Outcome()


def _expire_batch(session: Session, now: datetime) -> Outcome:
    expired = [d.id for d in directives.expire_due(session, now, limit=EXPIRE_BATCH)]
    return Outcome(expired=expired, touched=set(expired))


def _batch_was_full(outcome: Outcome, policy: Policy) -> bool:
    return outcome.selected >= policy.batch_size


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
    platforms = _platforms(session, {row.platform_id for row in sent})
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
    platforms = _platforms(session, {r.platform_id for r in rows})
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


def _directives(session: Session, ids: Iterable[int]) -> dict[int, Directive]:
    return {d.id: d for d in session.exec(select(Directive).where(Directive.id.in_(list(ids))))}


def _platforms(session: Session, ids: Iterable[int]) -> dict[int, Any]:
    """Name and province of each platform (plain rows: a batch may name thousands)."""
    ids = list(ids)
    if not ids:
        return {}
    org = Organisation.__table__
    found = session.connection().execute(sa.select(org.c.id, org.c.name, org.c.province).where(org.c.id.in_(ids)))
    return {row.id: row for row in found}


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _log_directive(session: Session, kind: str, now: datetime, directive: Directive, details: dict) -> None:
    issuer = session.get(Organisation, directive.issuer_id)
    log.append(
        session,
        log.EventDraft(
            kind, ACTOR, now, org_id=issuer.id, province=issuer.province, directive_id=directive.id, details=details
        ),
    )
