"""Deliveries: the three facts a platform reports (received, acknowledged, implemented) and the issuer's review.

Every move a delivery may make is one row of :data:`MOVES`: the platform moves it forward (a later state implies the
earlier ones) or declines it (with a reason) from any open state, and the issuer may send a final report back.
Repeating a call changes nothing and is not an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from sqlmodel import Session, select

from hub.core import delivery_rows, log
from hub.core.access import Principal, get_own_directive, may_see_platform, require_platform
from hub.core.directives import require_in_force
from hub.core.errors import HubError, InvalidInput, InvalidTransition, NotFound
from hub.core.limits import trimmed
from hub.core.reminder_policy import deadlines_for
from hub.models import Delivery, DeliveryState, Directive, Organisation, Verification

PENDING, DELIVERED, ACKNOWLEDGED = DeliveryState.PENDING, DeliveryState.DELIVERED, DeliveryState.ACKNOWLEDGED
IN_PROGRESS, IMPLEMENTED, DECLINED = DeliveryState.IN_PROGRESS, DeliveryState.IMPLEMENTED, DeliveryState.DECLINED
FINAL = (IMPLEMENTED, DECLINED)  # nothing more is owed; only the issuer's review moves them
REPORTED = (ACKNOWLEDGED, IN_PROGRESS, *FINAL)  # the states a platform may report
MAX_REPORT = 20_000


@dataclass(frozen=True)
class Move:
    """What one allowed move implies: the states reached on the way (target last; each gets its time stamped and
    its event logged), what happens to the deadline, and who may make it."""

    steps: tuple[DeliveryState, ...]
    deadline: str  # "keep"; "implement": the acknowledgement is in, the implementation deadline applies;
    # "close": nothing more is owed; "reopen": a returned report is owed again by the implementation deadline
    by: str = "platform"  # or "receipt" (the platform's system, set-based in receipts.py) or "issuer"


MOVES: dict[tuple[DeliveryState, DeliveryState], Move] = {
    (PENDING, DELIVERED): Move((DELIVERED,), "keep", by="receipt"),
    (PENDING, ACKNOWLEDGED): Move((DELIVERED, ACKNOWLEDGED), "implement"),
    (PENDING, IN_PROGRESS): Move((DELIVERED, ACKNOWLEDGED, IN_PROGRESS), "implement"),
    (PENDING, IMPLEMENTED): Move((DELIVERED, ACKNOWLEDGED, IN_PROGRESS, IMPLEMENTED), "close"),
    (DELIVERED, ACKNOWLEDGED): Move((ACKNOWLEDGED,), "implement"),
    (DELIVERED, IN_PROGRESS): Move((ACKNOWLEDGED, IN_PROGRESS), "implement"),
    (DELIVERED, IMPLEMENTED): Move((ACKNOWLEDGED, IN_PROGRESS, IMPLEMENTED), "close"),
    (ACKNOWLEDGED, IN_PROGRESS): Move((IN_PROGRESS,), "keep"),
    (ACKNOWLEDGED, IMPLEMENTED): Move((IN_PROGRESS, IMPLEMENTED), "close"),
    (IN_PROGRESS, IMPLEMENTED): Move((IMPLEMENTED,), "close"),
    (PENDING, DECLINED): Move((DECLINED,), "close"),
    (DELIVERED, DECLINED): Move((DECLINED,), "close"),
    (ACKNOWLEDGED, DECLINED): Move((DECLINED,), "close"),
    (IN_PROGRESS, DECLINED): Move((DECLINED,), "close"),
    (IMPLEMENTED, IN_PROGRESS): Move((), "reopen", by="issuer"),
    (DECLINED, IN_PROGRESS): Move((), "reopen", by="issuer"),
}
STAMP = {state: f"{state.value}_at" for state in DeliveryState if state != PENDING}  # the time it was reached
RETURNED = "report_returned"  # the issuer's move back to in progress
# The events that record a move, and the state each leaves the delivery in (the delivery audit reads them back);
# reaching any other state logs STATUS_CHANGED with the state in its details.
STATE_EVENTS = {"delivered": DELIVERED, "acknowledged": ACKNOWLEDGED, RETURNED: IN_PROGRESS}
STATUS_CHANGED = "status_changed"
_STEP_EVENT = {state: kind for kind, state in STATE_EVENTS.items() if kind != RETURNED}


@dataclass(frozen=True)
class Change:
    """What one call did to a delivery: the row after it, whether anything changed and the events it wrote."""

    delivery: Delivery
    changed: bool
    events: tuple[str, ...] = ()

    @property
    def refresh(self) -> list[int]:
        """The directives whose progress the consoles must be shown again (none when nothing changed)."""
        return [self.delivery.directive_id] if self.changed else []


def own_delivery(session: Session, principal: Principal, directive_id: int) -> tuple[Delivery, Directive]:
    """The principal's platform's delivery of a directive (and the directive), or NotFound."""
    require_platform(principal)
    row = session.exec(
        select(Delivery, Directive)
        .join(Directive, Directive.id == Delivery.directive_id)
        .where(Delivery.directive_id == directive_id, Delivery.platform_id == principal.org_id)
    ).first()
    if row is None:
        raise NotFound("directive_not_in_inbox")
    return row


def _draft(
    kind: str, actor: str, now: datetime, delivery: Delivery, province: str | None, details: dict
) -> log.EventDraft:
    ids = {"org_id": delivery.platform_id, "directive_id": delivery.directive_id, "delivery_id": delivery.id}
    return log.EventDraft(kind, actor, now, province=province, details=details, **ids)


def _log(
    session: Session, kind: str, actor: str, now: datetime, delivery: Delivery, province: str | None, details: dict
) -> None:
    log.append(session, _draft(kind, actor, now, delivery, province, details))


def _move(
    delivery: SimpleNamespace | Delivery, target: DeliveryState, move: Move, directive: Directive, now: datetime
) -> None:
    """Make ``move`` to ``target``: stamp every step reached (keeping earlier stamps), set the deadline it implies."""
    delivery.state = target
    for step in move.steps:
        if getattr(delivery, STAMP[step]) is None:
            setattr(delivery, STAMP[step], now)
    implement_due = deadlines_for(directive, delivery.created_at)[1]
    if move.deadline == "close":
        delivery.due_at = delivery.next_reminder_at = None
    elif move.deadline == "implement":
        delivery.due_at = delivery.next_reminder_at = implement_due
        delivery.reminders_sent = 0
    elif move.deadline == "reopen":
        delivery.implemented_at = delivery.declined_at = None
        delivery.due_at = implement_due
        delivery.next_reminder_at = max(implement_due, now) if implement_due else None
        delivery.reminders_sent = 0


@dataclass
class ChangeIn:
    """An acknowledgement or a status report as it arrives: who, which directive, the state asked for, the report."""

    principal: Principal
    directive_id: int
    state: DeliveryState | str
    report: str | None = None


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
    (done,) = apply_changes(session, now, [ChangeIn(principal, directive_id, state, report)])
    if isinstance(done, HubError):
        raise done
    return Change(session.get(Delivery, done.delivery_id, populate_existing=True), done.changed, done.events)


@dataclass
class Applied:
    """What one change of a batch did, in plain values (a batch may hold thousands)."""

    delivery_id: int
    directive_id: int
    seq: int
    state: str
    changed: bool
    events: tuple[str, ...] = ()


def apply_changes(session: Session, now: datetime, changes: list[ChangeIn]) -> list[Applied | HubError]:
    """Apply many acknowledgements and status reports in one transaction, in order (for the group-commit writer,
    through :func:`hub.core.acknowledgements.apply_batch`, which records the common acknowledgements first).

    Set-based around the single-row rules: one read for all their deliveries, the state machine of
    :func:`set_status` for each, one bulk update and one bulk log insert. A change that breaks a rule gets its error
    in its place and leaves nothing behind; the others go ahead.
    """
    found, directives = delivery_rows.locked(
        session,
        {c.directive_id for c in changes},
        {c.principal.org_id for c in changes if c.principal.org_id is not None},
    )
    results: list[Applied | HubError] = []
    drafts: list[log.EventDraft] = []
    moved: dict[int, SimpleNamespace] = {}
    for change in changes:
        written = len(drafts)
        try:
            row, changed = _apply(change, found, directives, now, drafts)
        except HubError as exc:
            results.append(exc)
            continue
        if changed:
            moved[row.id] = row
        events = tuple(draft.kind for draft in drafts[written:])
        results.append(Applied(row.id, row.directive_id, row.seq, str(row.state), changed, events))
    delivery_rows.write(session, list(moved.values()))
    log.append_many(session, drafts)
    return results


def _apply(
    change: ChangeIn, found: dict, directives: dict[int, Directive], now: datetime, drafts: list[log.EventDraft]
) -> tuple[SimpleNamespace, bool]:
    target, report = _target(change.state, change.report)
    require_platform(change.principal)
    row = found.get((change.principal.org_id, change.directive_id))
    if row is None:
        raise NotFound("directive_not_in_inbox")
    actor = change.principal.label
    return row, _transition(row, directives[row.directive_id], actor, now, target, report, drafts)


def _target(state: DeliveryState | str, report: str | None) -> tuple[DeliveryState, str | None]:
    """The state a platform may ask for, with the report it needs (checked before any row is read)."""
    try:
        target = DeliveryState(state)
    except ValueError:
        raise InvalidInput("delivery_state_invalid") from None
    if target not in REPORTED:
        raise InvalidInput("delivery_state_invalid")
    report = trimmed(report) or None
    if report and len(report) > MAX_REPORT:
        raise InvalidInput("report_too_long", max=MAX_REPORT)
    if target == DeliveryState.DECLINED and not report:
        raise InvalidInput("decline_needs_reason")
    if target == DeliveryState.IMPLEMENTED and not report:
        raise InvalidInput("implemented_needs_report")
    return target, report


def _transition(
    delivery: SimpleNamespace,
    directive: Directive,
    actor: str,
    now: datetime,
    target: DeliveryState,
    report: str | None,
    drafts: list[log.EventDraft],
) -> bool:
    """The state machine for one delivery (its columns as plain values, with its platform's ``province``): checks
    first, then the change and its log events (added to ``drafts``); returns whether anything changed."""
    current = DeliveryState(delivery.state)
    if _repeated(delivery, current, target, report):
        return False
    require_in_force(directive)
    if current == target:  # the same state with a new report
        delivery.report, delivery.reported_by = report, actor
        drafts.append(_draft("report_updated", actor, now, delivery, delivery.province, {"state": target.value}))
        return True
    move = MOVES.get((current, target))
    if move is None or move.by != "platform":
        if current in FINAL:
            raise InvalidTransition("delivery_already_final", state=current.value)
        raise InvalidTransition("delivery_cannot_go_back", current=current.value, target=target.value)
    _move(delivery, target, move, directive, now)
    _record(delivery, actor, target, report, move)
    drafts.extend(step_events(delivery, actor, now, move, report))
    return True


def step_events(
    delivery: SimpleNamespace, actor: str, now: datetime, move: Move, report: str | None
) -> list[log.EventDraft]:
    """One event per step reached, implied ones marked, the target's carrying the start of the report."""
    drafts = []
    for step in move.steps:
        details = {"state": step.value, "implied": step != move.steps[-1]}
        if step == move.steps[-1] and report:
            details["report"] = report[:500]
        kind = _STEP_EVENT.get(step, STATUS_CHANGED)
        drafts.append(_draft(kind, actor, now, delivery, delivery.province, details))
    return drafts


def _repeated(delivery: SimpleNamespace, current: DeliveryState, target: DeliveryState, report: str | None) -> bool:
    """Asking again for what is already so changes nothing (an acknowledgement a later state implied included)."""
    if target == ACKNOWLEDGED and delivery.acknowledged_at is not None:
        return True
    said = delivery.decline_reason if target == DECLINED else delivery.report
    return current == target and (report is None or report == said)


def _record(delivery: SimpleNamespace, actor: str, target: DeliveryState, report: str | None, move: Move) -> None:
    """Who said what with a forward move: the reason for declining, the report, who acknowledged."""
    if target == DECLINED:
        delivery.decline_reason = report
    elif report:
        delivery.report, delivery.reported_by = report, actor
    if target == IMPLEMENTED:
        delivery.verification = None
    if ACKNOWLEDGED in move.steps:
        delivery.acknowledged_by = actor


def review_report(
    session: Session,
    principal: Principal,
    now: datetime,
    delivery_id: int,
    verdict: Verification | str,
    note: str | None = None,
) -> Change:
    """The issuer marks an implementation report verified, or sends it back for more work (with a note)."""
    try:
        verdict = Verification(verdict)
    except ValueError:
        raise InvalidInput("verdict_invalid") from None
    delivery, platform = _reviewable(session, principal, delivery_id)
    note = trimmed(note) or None
    if verdict == Verification.RETURNED:
        if not note:
            raise InvalidInput("return_needs_note")
        move = MOVES[(DeliveryState(delivery.state), IN_PROGRESS)]
        _move(delivery, IN_PROGRESS, move, session.get(Directive, delivery.directive_id), now)
    elif delivery.verification == Verification.VERIFIED:
        return Change(delivery, False)
    delivery.verification, delivery.verified_at, delivery.verification_note = verdict, now, note
    session.add(delivery)
    kind = RETURNED if verdict == Verification.RETURNED else f"report_{verdict.value}"
    _log(session, kind, principal.label, now, delivery, platform.province, {"note": note})
    return Change(delivery, True, (kind,))


def _reviewable(session: Session, principal: Principal, delivery_id: int) -> tuple[Delivery, Organisation]:
    """A final delivery of the principal's own directive, to a platform within its scope (and that platform)."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound("delivery_not_found")
    get_own_directive(session, principal, delivery.directive_id)
    platform = session.get(Organisation, delivery.platform_id)
    if not may_see_platform(principal, platform):
        raise NotFound("delivery_not_found")
    if delivery.state not in FINAL:
        raise InvalidTransition("review_not_ready")
    return delivery, platform
