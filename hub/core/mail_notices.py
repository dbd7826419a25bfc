"""E-mail notices: who is mailed about what, and when. The outbox is filled from the follow-through log.

- A directive published (or delivered to a platform registered late) that its platform has still not received
  (delivery ``pending``: no socket, webhook or API receipt) once ``grace`` has passed: the platform's editors.
- A deadline coming up (``deadline_near``, logged by the sweep: ``hub.core.due_soon``) while the delivery is still
  in that phase: the platform's editors. In a digest only if the digest comes before the deadline, else at once.
- A reminder (automatic at and after a deadline, or sent by an officer): the platform's editors.
- An escalation: the officers of the department it went to (the platform's province, else the central regulator).

Urgent notices (an escalation, a reminder whose deadline has passed, anything about an urgent or flash directive)
are mailed at once whatever the user chose; the user's choice (``User.mail_notices``: immediate, daily digest, off)
applies to the others. Only active users of active organisations with an e-mail address are mailed.

Two cursors (``Counter`` rows) remember how far the log was read: reminders and escalations are read as soon as
they are logged, publications only once they are ``grace`` old. The unique (user, topic) pair makes a repeated or
concurrent pass harmless: two processes filling at once write each notice once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import directives
from hub.core.errors import InvalidInput, NotFound
from hub.core.reminder_policy import PHASE_STATES
from hub.models import (
    Counter,
    Delivery,
    DeliveryState,
    Directive,
    Event,
    LogHead,
    MailMessage,
    Organisation,
    OrgKind,
    Priority,
    Role,
    User,
)

AT_ONCE_CURSOR = "mail_event_cursor"  # reminders and escalations: mailed as soon as they are logged
AFTER_GRACE_CURSOR = "mail_publish_cursor"  # publications: looked at once their grace has passed
AT_ONCE = ("reminded", "escalated", "deadline_near")
AFTER_GRACE = ("published", "delivered_to_new_platform")
PREFERENCES = ("immediate", "digest", "off")
LOCALES = ("vi", "en")


@dataclass(frozen=True)
class MailRules:
    """When notices go out: the grace after publication, the digest's hour and the time zone it is read in."""

    grace: timedelta = timedelta(minutes=2)
    digest_hour: int = 8
    timezone: str = "Asia/Ho_Chi_Minh"

    def next_digest(self, now: datetime) -> datetime:
        """The next digest time strictly after ``now`` (the hour, in the hub's time zone)."""
        local = now.astimezone(ZoneInfo(self.timezone))
        at = local.replace(hour=self.digest_hour % 24, minute=0, second=0, microsecond=0)
        if at <= local:
            at += timedelta(days=1)
        return at.astimezone(now.tzinfo)


def fill(session: Session, now: datetime, rules: MailRules, limit: int = 500) -> int:
    """Add outbox rows for the log events since each cursor (at most ``limit`` events each); returns rows added."""
    head = session.scalar(sa.select(LogHead.last_id).where(LogHead.id == 1)) or 0
    added = _advance(session, now, rules, AT_ONCE_CURSOR, AT_ONCE, head, None, limit)
    return added + _advance(session, now, rules, AFTER_GRACE_CURSOR, AFTER_GRACE, head, now - rules.grace, limit)


def begin(session: Session) -> None:
    """Start the cursors at the log's head unless they exist: turning mail on mails what happens from then on, not
    the log's history."""
    head = session.scalar(sa.select(LogHead.last_id).where(LogHead.id == 1)) or 0
    for name in (AT_ONCE_CURSOR, AFTER_GRACE_CURSOR):
        _insert(session, Counter.__table__, [{"name": name, "value": head}])


def _insert(session: Session, table: sa.Table, rows: list[dict]) -> int:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # RETURNING counts what was written on both databases, also for many rows at once (rowcount may not).
    statement = insert(table).on_conflict_do_nothing().returning(table.c[next(iter(table.primary_key)).name])
    return len(session.execute(statement, rows).all())


def _cursor(session: Session, name: str, head: int) -> Counter | None:
    """The cursor row, locked; created at the log's head if ``begin`` was not called (history is not mailed)."""
    row = session.exec(select(Counter).where(Counter.name == name).with_for_update()).first()
    if row is None:
        _insert(session, Counter.__table__, [{"name": name, "value": head}])
    return row


def _advance(
    session: Session,
    now: datetime,
    rules: MailRules,
    name: str,
    kinds: Sequence[str],
    head: int,
    until: datetime | None,
    limit: int,
) -> int:
    cursor = _cursor(session, name, head)
    if cursor is None:
        return 0
    events = session.exec(
        select(Event)
        .where(Event.id > cursor.value, Event.id <= head, Event.kind.in_(kinds))
        .order_by(Event.id)
        .limit(limit)
    ).all()
    added, last, stopped = 0, cursor.value, False
    for event in events:
        if until is not None and event.at > until:
            stopped = True  # not old enough yet: this one and those after wait for a later pass
            break
        added += _notices(session, now, rules, event)
        last = event.id
    cursor.value = last if stopped or len(events) == limit else head
    session.add(cursor)
    return added


def _notices(session: Session, now: datetime, rules: MailRules, event: Event) -> int:
    directive = session.get(Directive, event.directive_id) if event.directive_id else None
    if directive is None:
        return 0
    people = _recipients(session, event, directive)
    if not people:
        return 0
    kind, urgent = _kind(event, directive, session)
    rows = []
    for user, platform, delivery in people:
        if not urgent and user.mail_notices == "off":
            continue
        digest = not urgent and user.mail_notices == "digest" and _digest_in_time(event, rules, now)
        rows.append(
            {
                "user_id": user.id,
                "topic": f"event:{event.id}",
                "kind": kind,
                "urgent": urgent,
                "digest": digest,
                "directive_id": directive.id,
                "event_id": event.id,
                "data": _data(event, directive, platform, delivery, user),
                "created_at": now,
                "send_after": rules.next_digest(now) if digest else now,
                "attempts": 0,
            }
        )
    return _insert(session, MailMessage.__table__, rows) if rows else 0


def _digest_in_time(event: Event, rules: MailRules, now: datetime) -> bool:
    """A deadline warning waits for the digest only if the digest comes before the deadline."""
    due = (event.details or {}).get("due_at") if event.kind == "deadline_near" else None
    return due is None or rules.next_digest(now) < datetime.fromisoformat(due)


def _kind(event: Event, directive: Directive, session: Session) -> tuple[str, bool]:
    """The notice's kind and whether it is urgent (mailed at once whatever the user chose)."""
    pressing = directive.priority in (Priority.URGENT, Priority.FLASH)
    if event.kind == "escalated":
        return "escalation", True
    if event.kind == "reminded":
        delivery = session.get(Delivery, event.delivery_id)
        passed = delivery is not None and delivery.due_at is not None and delivery.due_at <= event.at
        return ("overdue", True) if passed else ("reminder", pressing)
    if event.kind == "deadline_near":
        return "due_soon", pressing
    return "directive", pressing


Recipient = tuple[User, Organisation, Delivery | None]


def _recipients(session: Session, event: Event, directive: Directive) -> list[Recipient]:
    if event.kind == "escalated":
        return _officers(session, event, directive)
    query = (
        select(User, Organisation, Delivery)
        .join(Organisation, Organisation.id == User.org_id)
        .join(Delivery, Delivery.platform_id == Organisation.id)
        .where(_reachable(), User.role == Role.EDITOR, Delivery.directive_id == directive.id)
    )
    if event.kind == "reminded":
        query = query.where(Delivery.id == event.delivery_id)
    elif event.kind == "deadline_near":  # not once the delivery has moved past the phase (or the deadline passed)
        states = PHASE_STATES.get(str((event.details or {}).get("phase")), ())
        if not directives.in_force(directive):
            return []
        query = query.where(Delivery.id == event.delivery_id, Delivery.state.in_(states))
    else:
        if not directives.in_force(directive):
            return []
        query = query.where(Delivery.state == DeliveryState.PENDING)
    if event.kind == "delivered_to_new_platform":
        query = query.where(Organisation.code == (event.details or {}).get("platform"))
    return [tuple(row) for row in session.exec(query.order_by(User.id))]


def _officers(session: Session, event: Event, directive: Directive) -> list[Recipient]:
    """The officers of the department an escalation went to (``details.to``: ``province:XX`` or ``regulator``)."""
    delivery = session.get(Delivery, event.delivery_id)
    platform = session.get(Organisation, event.org_id)
    to = str((event.details or {}).get("to") or "regulator")
    query = select(User, Organisation).join(Organisation, Organisation.id == User.org_id)
    query = query.where(_reachable(), User.role == Role.OFFICER)
    if to.startswith("province:"):
        query = query.where(Organisation.kind == OrgKind.PROVINCE, Organisation.province == to.split(":", 1)[1])
    else:
        query = query.where(Organisation.kind == OrgKind.REGULATOR)
    return [(user, platform, delivery) for user, _ in session.exec(query.order_by(User.id))]


def _reachable() -> sa.ColumnElement[bool]:
    return sa.and_(User.active.is_(True), Organisation.active.is_(True), User.email.is_not(None), User.email != "")


def _data(event: Event, directive: Directive, platform: Organisation, delivery: Delivery | None, user: User) -> dict:
    """What the mail says, as it stood when the notice was made (the mail is written later, in the user's language)."""
    details = event.details or {}
    due = details.get("due_at") or (delivery.due_at.isoformat() if delivery and delivery.due_at else None)
    if due is None and directive.ack_due_at is not None:
        due = directive.ack_due_at.isoformat()
    officer = user.role == Role.OFFICER
    return {
        "ref_no": directive.ref_no,
        "title": directive.title,
        "priority": str(directive.priority),
        "due_at": due,
        "phase": details.get("phase"),
        "platform": platform.name,
        "path": f"/console/directives/{directive.id}" if officer else f"/inbox/{directive.id}",
    }


def set_preferences(session: Session, user_id: int, notices: str, locale: str | None) -> User:
    """Record how a user wants non-urgent notices (immediate, digest, off) and the language of their mail and pages
    (None: the hub's default)."""
    if notices not in PREFERENCES:
        raise InvalidInput("mail_preference_invalid", choices=", ".join(PREFERENCES))
    if locale not in (None, *LOCALES):
        raise InvalidInput("locale_invalid", choices=", ".join(LOCALES))
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user_not_found")
    user.mail_notices, user.locale = notices, locale
    session.add(user)
    return user
