"""Deliveries: the three facts a platform reports (received, acknowledged, implemented) and the issuer's review.

The states move forward only: ``pending → delivered → acknowledged → in_progress → implemented``, or ``declined``
(with a reason) from any open state. A later state implies the earlier ones (acknowledging implies delivered), and
repeating a call changes nothing and is not an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import log
from hub.core.access import Principal, get_own_directive, may_see_platform, require_platform
from hub.core.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from hub.models import (
    Delivery,
    DeliveryState,
    Directive,
    DirectiveStatus,
    Organisation,
    Question,
    Verification,
)

ORDER = [
    DeliveryState.PENDING,
    DeliveryState.DELIVERED,
    DeliveryState.ACKNOWLEDGED,
    DeliveryState.IN_PROGRESS,
    DeliveryState.IMPLEMENTED,
]
FINAL = (DeliveryState.IMPLEMENTED, DeliveryState.DECLINED)  # each needs a text: the report or the reason
REPORTED = (DeliveryState.ACKNOWLEDGED, DeliveryState.IN_PROGRESS, *FINAL)  # the states a platform may report
MAX_REPORT = 20_000
STAMP = {
    DeliveryState.DELIVERED: "delivered_at",
    DeliveryState.ACKNOWLEDGED: "acknowledged_at",
    DeliveryState.IN_PROGRESS: "in_progress_at",
    DeliveryState.IMPLEMENTED: "implemented_at",
    DeliveryState.DECLINED: "declined_at",
}


@dataclass
class Change:
    """What one call did: the delivery after it, whether anything changed, and the directive it belongs to."""

    delivery: Delivery
    directive: Directive
    changed: bool


def _own_delivery(session: Session, principal: Principal, directive_id: int) -> tuple[Delivery, Directive]:
    require_platform(principal)
    row = session.exec(
        select(Delivery, Directive)
        .join(Directive, Directive.id == Delivery.directive_id)
        .where(Delivery.directive_id == directive_id, Delivery.platform_id == principal.org_id)
    ).first()
    if row is None:
        raise NotFound(f"directive {directive_id} is not in your inbox")
    return row


def _require_workable(directive: Directive) -> None:
    if directive.status == DirectiveStatus.REVOKED:
        raise InvalidTransition("this directive was revoked; nothing more is needed")
    if directive.superseded_by_id is not None:
        raise InvalidTransition(
            f"this directive was amended by directive {directive.superseded_by_id}; act on that one"
        )
    if directive.status == DirectiveStatus.EXPIRED:
        raise InvalidTransition("this directive has expired")


def _log(
    session: Session, kind: str, actor: str, now: datetime, delivery: Delivery, province: str | None, details: dict
) -> None:
    log.append(
        session,
        log.EventDraft(
            kind,
            actor,
            now,
            org_id=delivery.platform_id,
            province=province,
            directive_id=delivery.directive_id,
            delivery_id=delivery.id,
            details=details,
        ),
    )


def _advance(delivery: Delivery, directive: Directive, target: DeliveryState, now: datetime) -> list[DeliveryState]:
    """Move forward to ``target``, stamping every step passed on the way; returns the steps newly reached."""
    current = DeliveryState(delivery.state)
    if target == DeliveryState.DECLINED:
        steps = [DeliveryState.DECLINED]
    else:
        steps = ORDER[ORDER.index(current) + 1 : ORDER.index(target) + 1]
    for step in steps:
        if getattr(delivery, STAMP[step]) is None:
            setattr(delivery, STAMP[step], now)
    delivery.state = target
    if target in FINAL:
        delivery.due_at = delivery.next_reminder_at = None
    elif ORDER.index(current) < ORDER.index(DeliveryState.ACKNOWLEDGED) <= ORDER.index(target):
        # The acknowledgement deadline is met; the implementation deadline now applies.
        delivery.due_at = delivery.next_reminder_at = directive.implement_due_at
        delivery.reminders_sent = 0
    return steps


@dataclass
class ReceiptIn:
    """A receipt as it arrives: which platform, attributed to whom, and the directive id or the platform seq."""

    platform_id: int
    actor: str
    directive_id: int | None = None
    seq: int | None = None


@dataclass
class Received:
    """A delivery as a receipt left it (plain values: a batch may hold thousands)."""

    id: int
    directive_id: int
    platform_id: int
    seq: int
    state: str
    delivered_at: datetime | None


def record_receipts(
    session: Session, now: datetime, receipts: list[ReceiptIn]
) -> list[tuple[ReceiptIn, Received | None]]:
    """Record many machine receipts in one transaction (the group-commit writer's call); idempotent.

    Set-based: one read, one conditional update and one bulk log insert per batch. Returns each receipt with its
    delivery (None when it names nothing of that platform's).
    """
    table = Delivery.__table__
    by_id = [r for r in receipts if r.directive_id is not None]
    by_seq = [r for r in receipts if r.directive_id is None and r.seq is not None]
    conds = []
    if by_id:
        # Two plain INs use the (directive_id, platform_id) index on SQLite, where a row-value IN scans the table;
        # the exact pairs are picked below.
        conds.append(
            sa.and_(
                table.c.directive_id.in_({r.directive_id for r in by_id}),
                table.c.platform_id.in_({r.platform_id for r in by_id}),
            )
        )
    if by_seq:
        conds.append(
            sa.and_(
                table.c.platform_id.in_({r.platform_id for r in by_seq}),
                table.c.seq.in_({r.seq for r in by_seq}),
            )
        )
    if not conds:
        return [(r, None) for r in receipts]
    conn = session.connection()
    columns = (table.c.id, table.c.directive_id, table.c.platform_id, table.c.seq, table.c.state, table.c.delivered_at)
    found = [Received(*row) for row in conn.execute(sa.select(*columns).where(sa.or_(*conds)))]
    index_id = {(d.platform_id, d.directive_id): d for d in found}
    index_seq = {(d.platform_id, d.seq): d for d in found}
    results: list[tuple[ReceiptIn, Received | None]] = []
    first_actor: dict[int, str] = {}
    for receipt in receipts:
        if receipt.directive_id is not None:
            delivery = index_id.get((receipt.platform_id, receipt.directive_id))
        else:
            delivery = index_seq.get((receipt.platform_id, receipt.seq))
        results.append((receipt, delivery))
        if delivery is not None and delivery.state == DeliveryState.PENDING:
            first_actor.setdefault(delivery.id, receipt.actor)
    if first_actor:
        _mark_delivered(session, now, first_actor, {d.id: d for d in found})
    return results


def _mark_delivered(session: Session, now: datetime, actors: dict[int, str], rows: dict[int, Received]) -> None:
    """Move pending deliveries to delivered (only those still pending) and log one event for each."""
    table = Delivery.__table__
    conn = session.connection()
    changed = conn.execute(
        table.update()
        .where(table.c.id.in_(list(actors)), table.c.state == DeliveryState.PENDING.value)
        .values(state=DeliveryState.DELIVERED.value, delivered_at=now)
        .returning(table.c.id)
    ).scalars()
    changed = sorted(changed)
    org = Organisation.__table__
    platform_ids = {rows[i].platform_id for i in changed}
    provinces = dict(conn.execute(sa.select(org.c.id, org.c.province).where(org.c.id.in_(platform_ids))).all())
    events = []
    for delivery_id in changed:
        row = rows[delivery_id]
        row.state, row.delivered_at = DeliveryState.DELIVERED.value, now
        events.append(
            log.EventDraft(
                "delivered",
                actors[delivery_id],
                now,
                org_id=row.platform_id,
                province=provinces.get(row.platform_id),
                directive_id=row.directive_id,
                delivery_id=row.id,
                details={"seq": row.seq},
            )
        )
    log.append_many(session, events)


def receipt(
    session: Session, principal: Principal, now: datetime, *, directive_id: int | None = None, seq: int | None = None
) -> Delivery:
    """Record that the platform's system has received a delivery (by directive id or by its own sequence number)."""
    require_platform(principal)
    if (directive_id is None) == (seq is None):
        raise InvalidInput("give directive_id or seq")
    ((_, found),) = record_receipts(session, now, [ReceiptIn(principal.org_id, principal.label, directive_id, seq)])
    if found is None:
        raise NotFound("no such delivery in your inbox")
    return session.get(Delivery, found.id, populate_existing=True)


def acknowledge(session: Session, principal: Principal, now: datetime, directive_id: int) -> Change:
    """A person (or the platform's token) confirms the directive was read; implies delivered."""
    return set_status(session, principal, now, directive_id, DeliveryState.ACKNOWLEDGED)


def set_status(
    session: Session,
    principal: Principal,
    now: datetime,
    directive_id: int,
    state: DeliveryState | str,
    report: str | None = None,
) -> Change:
    """Move a delivery forward (acknowledged, in progress, implemented, or declined with a reason in ``report``)."""
    try:
        target = DeliveryState(state)
    except ValueError:
        raise InvalidInput("state: acknowledged, in_progress, implemented or declined") from None
    if target not in REPORTED:
        raise InvalidInput("state: acknowledged, in_progress, implemented or declined")
    report = (report or "").strip() or None
    if report and len(report) > MAX_REPORT:
        raise InvalidInput(f"the report may have at most {MAX_REPORT} characters")
    if target == DeliveryState.DECLINED and not report:
        raise InvalidInput("declining needs a reason (in 'report')")
    if target == DeliveryState.IMPLEMENTED and not report:
        raise InvalidInput("reporting implemented needs a report of what was done")
    delivery, directive = _own_delivery(session, principal, directive_id)
    current = DeliveryState(delivery.state)
    if target == DeliveryState.ACKNOWLEDGED and delivery.acknowledged_at is not None:
        return Change(delivery, directive, False)  # a later state already implied the acknowledgement
    if current == target:
        if report is None or report == (
            delivery.decline_reason if target == DeliveryState.DECLINED else delivery.report
        ):
            return Change(delivery, directive, False)
    _require_workable(directive)
    if current in FINAL and current != target:
        raise InvalidTransition(f"the delivery is already {current}")
    if target != DeliveryState.DECLINED and current != target and ORDER.index(target) < ORDER.index(current):
        raise InvalidTransition(f"cannot go back from {current} to {target}")
    province = session.get(Organisation, delivery.platform_id).province
    if current == target:
        delivery.report, delivery.reported_by = report, principal.label
        session.add(delivery)
        _log(session, "report_updated", principal.label, now, delivery, province, {"state": target.value})
        return Change(delivery, directive, True)
    steps = _advance(delivery, directive, target, now)
    if target == DeliveryState.DECLINED:
        delivery.decline_reason = report
    elif report:
        delivery.report, delivery.reported_by = report, principal.label
    if target == DeliveryState.IMPLEMENTED:
        delivery.verification = None
    if DeliveryState.ACKNOWLEDGED in steps:
        delivery.acknowledged_by = principal.label
    session.add(delivery)
    session.flush()
    for step in steps:
        kind = {DeliveryState.DELIVERED: "delivered", DeliveryState.ACKNOWLEDGED: "acknowledged"}.get(
            step, "status_changed"
        )
        details = {"state": step.value, "implied": step != target}
        if step == target and report:
            details["report"] = report[:500]
        _log(session, kind, principal.label, now, delivery, province, details)
    return Change(delivery, directive, True)


def review_report(
    session: Session,
    principal: Principal,
    now: datetime,
    delivery_id: int,
    verdict: Verification | str,
    note: str | None = None,
) -> Delivery:
    """The issuer marks an implementation report verified, or sends it back for more work (with a note)."""
    try:
        verdict = Verification(verdict)
    except ValueError:
        raise InvalidInput("verdict: verified or returned") from None
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound(f"delivery {delivery_id} not found")
    directive = get_own_directive(session, principal, delivery.directive_id)
    platform = session.get(Organisation, delivery.platform_id)
    if not may_see_platform(principal, platform):
        raise NotFound(f"delivery {delivery_id} not found")
    note = (note or "").strip() or None
    if delivery.state not in FINAL:
        raise InvalidTransition("only an implemented or declined delivery can be reviewed")
    if verdict == Verification.RETURNED:
        if not note:
            raise InvalidInput("say what more is needed (note)")
        delivery.state = DeliveryState.IN_PROGRESS
        delivery.implemented_at = delivery.declined_at = None
        delivery.due_at = directive.implement_due_at
        delivery.next_reminder_at = max(directive.implement_due_at, now) if directive.implement_due_at else None
        delivery.reminders_sent = 0
    elif delivery.verification == Verification.VERIFIED:
        return delivery
    delivery.verification, delivery.verified_at, delivery.verification_note = verdict, now, note
    session.add(delivery)
    _log(session, f"report_{verdict.value}", principal.label, now, delivery, platform.province, {"note": note})
    return delivery


def ask(session: Session, principal: Principal, now: datetime, directive_id: int, text: str) -> Question:
    """A platform asks the issuer to clarify a directive."""
    text = (text or "").strip()
    if not text or len(text) > 5000:
        raise InvalidInput("a question of 1-5000 characters is required")
    delivery, _ = _own_delivery(session, principal, directive_id)
    question = Question(delivery_id=delivery.id, text=text, asked_by=principal.label, asked_at=now)
    session.add(question)
    session.flush()
    province = session.get(Organisation, delivery.platform_id).province
    _log(session, "question_asked", principal.label, now, delivery, province, {"question_id": question.id})
    return question


def answer(
    session: Session, principal: Principal, now: datetime, question_id: int, text: str
) -> tuple[Question, Delivery]:
    """The issuer answers a platform's question."""
    text = (text or "").strip()
    if not text or len(text) > 5000:
        raise InvalidInput("an answer of 1-5000 characters is required")
    question = session.get(Question, question_id)
    if question is None:
        raise NotFound(f"question {question_id} not found")
    delivery = session.get(Delivery, question.delivery_id)
    get_own_directive(session, principal, delivery.directive_id)
    platform = session.get(Organisation, delivery.platform_id)
    if not may_see_platform(principal, platform):
        raise NotFound(f"question {question_id} not found")
    if question.answer is not None:
        raise InvalidTransition("this question is already answered")
    question.answer, question.answered_by, question.answered_at = text, principal.label, now
    session.add(question)
    _log(session, "question_answered", principal.label, now, delivery, platform.province, {"question_id": question.id})
    return question, delivery


def questions_for(session: Session, delivery_ids: list[int]) -> dict[int, list[Question]]:
    """The questions asked on each delivery, oldest first."""
    out: dict[int, list[Question]] = {}
    if not delivery_ids:
        return out
    for q in session.exec(select(Question).where(Question.delivery_id.in_(delivery_ids)).order_by(Question.id)):
        out.setdefault(q.delivery_id, []).append(q)
    return out


def require_visible_delivery(session: Session, principal: Principal, delivery: Delivery) -> None:
    platform = session.get(Organisation, delivery.platform_id)
    if principal.is_platform:
        if delivery.platform_id != principal.org_id:
            raise NotFound("delivery not found")
    elif not may_see_platform(principal, platform):
        raise Forbidden("not a platform of your scope")
