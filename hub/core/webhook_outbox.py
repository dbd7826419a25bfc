"""The webhook outbox: what each webhook is owed, who is sending it, and what an attempt did.

``enqueue`` turns new log events (publications, late deliveries, revocations, reminders) into outbox rows, one per
webhook, in log order; the log's own order is commit order (its writers hold the log lock), so a platform's rows
come in its sequence order. A cursor row (``Counter`` ``webhook_event_cursor``) remembers how far it read, and the
unique (webhook, event) pair makes a repeated pass harmless.

Sending is claimed per webhook with a lease (``FOR UPDATE SKIP LOCKED`` then a conditional update on PostgreSQL, the
conditional update alone on SQLite): one process at a time sends to a webhook, its rows one after the other, the
next only after the one before was answered with a 2xx, so order holds and no attempt is sent twice. Failures wait
an exponential, jittered time; a webhook failing for longer than the policy allows is disabled and both sides are
told (a log event for the regulator's consoles, the state shown on the platform's page).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import directive_payload, log
from hub.core.receipts import ReceiptIn, record_receipts
from hub.core.reminders import iso
from hub.core.webhooks import CURSOR
from hub.models import Counter, Delivery, Directive, Event, LogHead, Organisation, Webhook, WebhookMessage

KINDS = ("published", "delivered_to_new_platform", "revoked", "reminded")


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait after the n-th failure, and when to give up and disable the webhook."""

    first_wait: timedelta = timedelta(seconds=30)
    longest_wait: timedelta = timedelta(hours=1)
    disable_after: timedelta = timedelta(hours=72)

    def wait(self, failures: int, jitter: float) -> timedelta:
        """Exponential from ``first_wait``, capped at ``longest_wait``, times a jitter in [0.5, 1]."""
        base = min(self.first_wait * (2 ** max(failures - 1, 0)), self.longest_wait)
        return base * (0.5 + 0.5 * min(max(jitter, 0.0), 1.0))


def work_due(session: Session, now: datetime) -> tuple[bool, bool]:
    """Read only: whether there are log events to enqueue, and webhooks to claim; so that an idle tick never takes
    the write lock the publishers and the receipt writer need."""
    cursor = session.scalar(sa.select(Counter.value).where(Counter.name == CURSOR))
    if cursor is None:
        return False, False
    new_events = session.scalar(sa.select(sa.exists().where(Event.id > cursor, Event.kind.in_(KINDS))))
    claimable = session.scalar(sa.select(sa.exists().where(_claimable(now))))
    return bool(new_events), bool(claimable)


def enqueue(session: Session, now: datetime, limit: int = 500) -> int:
    """Add outbox rows for the log events since the cursor (at most ``limit`` events); returns the rows added."""
    cursor = session.exec(select(Counter).where(Counter.name == CURSOR).with_for_update()).first()
    if cursor is None:
        return 0  # no webhook was ever registered
    # The head as last committed: every event up to it is committed too (the log's writers move it in the
    # transaction that appends), so reading up to it never skips an event that commits later.
    head = session.scalar(sa.select(LogHead.last_id).where(LogHead.id == 1)) or 0
    events = session.exec(
        select(Event)
        .where(Event.id > cursor.value, Event.id <= head, Event.kind.in_(KINDS))
        .order_by(Event.id)
        .limit(limit)
    ).all()
    added = 0
    for event in events:
        added += _enqueue_event(session, now, event)
    cursor.value = events[-1].id if len(events) == limit else head
    session.add(cursor)
    return added


def _targets(session: Session, event: Event) -> list[sa.Row]:
    """The deliveries an event concerns whose platforms have a webhook registered before the event, as plain rows
    (webhook id, platform code, seq, due time): a publication to thousands of platforms reads no ORM objects."""
    query = (
        sa.select(Webhook.id.label("webhook_id"), Organisation.code, Delivery.seq, Delivery.due_at)
        .join(Webhook, Webhook.platform_id == Delivery.platform_id)
        .join(Organisation, Organisation.id == Delivery.platform_id)
        .where(Webhook.since_event_id < event.id)
    )
    if event.kind == "reminded":
        query = query.where(Delivery.id == event.delivery_id)
    else:
        query = query.where(Delivery.directive_id == event.directive_id)
    if event.kind == "delivered_to_new_platform":
        query = query.where(Organisation.code == (event.details or {}).get("platform"))
    return list(session.execute(query.order_by(Delivery.platform_id)))


def _enqueue_event(session: Session, now: datetime, event: Event) -> int:
    targets = _targets(session, event)
    if not targets:
        return 0
    directive = session.get(Directive, event.directive_id)
    issuer = session.get(Organisation, directive.issuer_id)
    body = _Bodies(event, directive, issuer)
    rows = [
        {
            "webhook_id": target.webhook_id,
            "event_id": event.id,
            "kind": body.kind,
            "directive_id": directive.id,
            "seq": target.seq,
            "body": body(target),
            "created_at": now,
            "attempts": 0,
        }
        for target in targets
    ]
    table = WebhookMessage.__table__
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    result = session.execute(insert(table).on_conflict_do_nothing(), rows)
    return max(result.rowcount, 0)


class _Bodies:
    """The bodies of one event's POSTs, shaped like the socket event of the same name (docs/protocol.md). Only the
    platform and the sequence number differ between the platforms' bodies of a publication or a revocation, so the
    rest is serialised once per event; a reminder (one delivery) is built whole."""

    def __init__(self, event: Event, directive: Directive, issuer: Organisation) -> None:
        self.event, self.directive = event, directive
        self.kind, self.members = _shared(event, directive, issuer)
        self.tail = _json(self.members)[1:]  # the shared members and the closing brace

    def __call__(self, target: sa.Row) -> str:
        head = {"type": self.kind, "platform": target.code, "seq": target.seq}
        if self.kind == "reminder":
            details = self.event.details or {}
            due_at = details.get("due_at") or iso(target.due_at)
            return _json({**head, **self.members, "due_at": due_at, "manual": bool(details.get("manual"))})
        return f"{_json(head)[:-1]},{self.tail}"


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _shared(event: Event, directive: Directive, issuer: Organisation) -> tuple[str, dict[str, Any]]:
    """The kind of message an event makes and the members every platform's body shares (after ``seq``)."""
    if event.kind == "revoked":
        reason = (event.details or {}).get("reason") or directive.revoke_reason
        return "revoked", {"directive_id": directive.id, "ref_no": directive.ref_no, "reason": reason}
    if event.kind == "reminded":
        details = event.details or {}
        return "reminder", {
            "directive_id": directive.id,
            "ref_no": directive.ref_no,
            "title": directive.title,
            "phase": details.get("phase"),
        }
    return "directive", {"directive": directive_payload.payload(directive, issuer)}


def _claimable(now: datetime) -> sa.ColumnElement[bool]:
    pending = (
        sa.select(WebhookMessage.id)
        .where(WebhookMessage.webhook_id == Webhook.id, WebhookMessage.sent_at.is_(None))
        .exists()
    )
    return sa.and_(
        Webhook.active.is_(True),
        sa.or_(Webhook.lease_until.is_(None), Webhook.lease_until <= now),
        sa.or_(Webhook.next_attempt_at.is_(None), Webhook.next_attempt_at <= now),
        pending,
    )


def claim(session: Session, now: datetime, holder: str, ttl: timedelta, limit: int) -> list[int]:
    """Take the lease of up to ``limit`` webhooks that are owed something and due; returns their ids."""
    if limit <= 0:
        return []
    query = select(Webhook.id).where(_claimable(now)).order_by(Webhook.next_attempt_at, Webhook.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Webhook)
    taken = []
    for webhook_id in session.exec(query).all():
        done = session.execute(
            sa.update(Webhook)
            .where(Webhook.id == webhook_id, _claimable(now))
            .values(lease_holder=holder, lease_until=now + ttl)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount:
            taken.append(webhook_id)
    return taken


def renew(session: Session, webhook_id: int, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Keep the lease for the next attempt; False when it was lost (then the holder must stop sending)."""
    done = session.execute(
        sa.update(Webhook)
        .where(Webhook.id == webhook_id, Webhook.lease_holder == holder, Webhook.lease_until > now)
        .values(lease_until=now + ttl)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount)


def release(session: Session, webhook_id: int, holder: str) -> None:
    """Give the lease back (the webhook may be claimed again as soon as it is due)."""
    session.execute(
        sa.update(Webhook)
        .where(Webhook.id == webhook_id, Webhook.lease_holder == holder)
        .values(lease_holder=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )


@dataclass
class Attempt:
    """What the sender needs for the next POST of a claimed webhook."""

    webhook_id: int
    message_id: int
    url: str
    secret_sealed: str
    allow_internal: bool
    body: bytes
    kind: str


def next_attempt(session: Session, webhook_id: int, holder: str) -> Attempt | None:
    """The oldest row the webhook still owes, while ``holder`` holds it and it is active; else None."""
    hook = session.get(Webhook, webhook_id)
    if hook is None or not hook.active or hook.lease_holder != holder:
        return None
    message = session.exec(
        select(WebhookMessage)
        .where(WebhookMessage.webhook_id == webhook_id, WebhookMessage.sent_at.is_(None))
        .order_by(WebhookMessage.id)
        .limit(1)
    ).first()
    if message is None:
        return None
    return Attempt(
        hook.id, message.id, hook.url, hook.secret_sealed, hook.allow_internal, message.body.encode(), message.kind
    )


@dataclass
class Result:
    """What an attempt changed, for the adapter to announce: directives now delivered, a webhook disabled."""

    delivered_directive: int | None = None
    disabled: bool = False


def record_success(session: Session, now: datetime, attempt: Attempt, status: int) -> Result:
    """A 2xx answer: the row is sent, and a directive row records *delivered* as a socket receipt would."""
    message = session.get(WebhookMessage, attempt.message_id)
    hook = session.get(Webhook, attempt.webhook_id)
    result = Result()
    if message is None or message.sent_at is not None:
        return result
    message.sent_at, message.last_attempt_at, message.last_status = now, now, status
    message.attempts += 1
    message.last_error = None
    hook.last_attempt_at, hook.last_status, hook.last_error, hook.last_success_at = now, status, None, now
    hook.failing_since, hook.next_attempt_at = None, None
    session.add_all([message, hook])
    if message.kind == "directive":
        ((_, found),) = record_receipts(
            session, now, [ReceiptIn(hook.platform_id, f"webhook #{hook.id}", directive_id=message.directive_id)]
        )
        if found is not None and found.changed:
            result.delivered_directive = message.directive_id
    return result


def record_failure(
    session: Session,
    now: datetime,
    attempt: Attempt,
    policy: RetryPolicy,
    jitter: float,
    status: int | None,
    error: str,
) -> Result:
    """A refused, failed or unanswered attempt: wait before the next one, or disable the webhook after too long."""
    message = session.get(WebhookMessage, attempt.message_id)
    hook = session.get(Webhook, attempt.webhook_id)
    if message is None or hook is None or message.sent_at is not None:
        return Result()
    message.attempts += 1
    message.last_attempt_at, message.last_status, message.last_error = now, status, error[:300]
    hook.last_attempt_at, hook.last_status, hook.last_error = now, status, error[:300]
    hook.failing_since = hook.failing_since or now
    hook.next_attempt_at = now + policy.wait(message.attempts, jitter)
    session.add_all([message, hook])
    if now - hook.failing_since < policy.disable_after:
        return Result()
    hook.active, hook.disabled_at = False, now
    hook.disabled_reason = f"failing since {hook.failing_since.isoformat(timespec='seconds')}: {error}"[:300]
    platform = session.get(Organisation, hook.platform_id)
    details = {"webhook_id": hook.id, "url": hook.url, "failing_since": hook.failing_since, "last_error": error[:300]}
    log.append(
        session,
        log.EventDraft(
            "webhook_disabled", "system:webhooks", now, org_id=platform.id, province=platform.province, details=details
        ),
    )
    return Result(disabled=True)
