"""The sweep: deadlines that enforce themselves. One sweep publishes what is scheduled, expires what is past,
warns of deadlines coming up, reminds and escalates overdue deliveries, and issues the periodic report requests.

Deadlines are columns, not jobs: ``Delivery.next_reminder_at`` is when the next reminder is owed (null when no more
will be sent), ``due_at`` the deadline of the current phase and ``escalated_at`` when the matter went to the
platform's provincial department. The sweep takes ``now`` and reads what is due, so a restart loses nothing.

Every batch is one transaction in which the deliveries change and their events are written together, with
conditional updates (``WHERE next_reminder_at = :old``) over rows locked with ``SKIP LOCKED`` on PostgreSQL: a crash
in the middle or two sweepers at once never send a reminder twice and never skip one. What a batch did is handed
to ``announce`` only after it has committed (the adapter pushes it to the sockets).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from hub.core import directives, log, report_requests
from hub.core.due_soon import warn_due_soon
from hub.core.errors import HubError
from hub.core.escalations import escalate_due, escalation_groups
from hub.core.reminders import remind_due
from hub.core.signing import Signer
from hub.core.sweep_batch import ACTOR, Outcome, Policy
from hub.db import write_session
from hub.models import Directive, DirectiveStatus, Organisation

T = TypeVar("T")


@dataclass
class SweepReport:
    """Totals of one sweep."""

    published: int = 0
    expired: int = 0
    reminded: int = 0
    escalated: int = 0
    warned: int = 0
    batches: int = 0
    publication_failures: list[int] = field(default_factory=list)
    report_request: int | None = None

    def add(self, outcome: Outcome) -> None:
        self.published += len(outcome.published)
        self.expired += len(outcome.expired)
        self.reminded += len(outcome.reminders)
        self.escalated += len(outcome.escalations)
        self.warned += outcome.warned
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
    if policy.due_soon is not None:
        _paged(run, policy, lambda s, a: warn_due_soon(s, now, policy.due_soon, policy.batch_size, a))
    with Session(engine) as session:
        groups = escalation_groups(session, now, policy)
    for cutoff, group in groups.items():
        _paged(run, policy, lambda s, a, c=cutoff, g=group: escalate_due(s, now, policy, c, g, a))
    if report_due_at is not None:
        outcome = run(lambda s: report_requests.issue_due(s, now, signer, report_due_at))
        report.report_request = outcome.published[0].directive.id if outcome.published else None
    return report


EXPIRE_BATCH = 200


def _paged(
    run: Callable[[Callable[[Session], Outcome]], Outcome],
    policy: Policy,
    step: Callable[[Session, int], Outcome],
) -> None:
    """Run a step that works through its rows by id, a batch per transaction, until a batch comes back short."""
    cursor = 0
    while True:
        batch = run(lambda s, a=cursor: step(s, a))
        if not _batch_was_full(batch, policy):
            return
        cursor = batch.cursor


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


def _log_directive(session: Session, kind: str, now: datetime, directive: Directive, details: dict) -> None:
    issuer = session.get(Organisation, directive.issuer_id)
    log.append(
        session,
        log.EventDraft(
            kind, ACTOR, now, org_id=issuer.id, province=issuer.province, directive_id=directive.id, details=details
        ),
    )
