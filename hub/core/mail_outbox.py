"""The e-mail outbox's sending side: which process sends what now, what a mail holds, and what an attempt did.

Rows are claimed with a lease (``FOR UPDATE SKIP LOCKED`` then a conditional update on PostgreSQL, the conditional
update alone on SQLite): of several processes, one sends a row, so no mail goes out twice. A row sent at once is one
mail; a user's digest rows that are due are claimed together and sent as one mail. The ``Message-ID`` is derived
from the (first) row's id, so a retry carries the same one. A failure waits an exponential, jittered time; a row
still failing after ``give_up_after`` is given up (``failed_at``, with the last error) and never sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import log
from hub.models import MailMessage, Organisation, User

MT = MailMessage.__table__


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait after the n-th failure, and when to give a row up."""

    first_wait: timedelta = timedelta(seconds=60)
    longest_wait: timedelta = timedelta(hours=1)
    give_up_after: timedelta = timedelta(hours=72)

    def wait(self, failures: int, jitter: float) -> timedelta:
        """Exponential from ``first_wait``, capped at ``longest_wait``, times a jitter in [0.5, 1]."""
        base = min(self.first_wait * (2 ** max(failures - 1, 0)), self.longest_wait)
        return base * (0.5 + 0.5 * min(max(jitter, 0.0), 1.0))


def _claimable(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        MailMessage.sent_at.is_(None),
        MailMessage.failed_at.is_(None),
        MailMessage.send_after <= now,
        sa.or_(MailMessage.next_attempt_at.is_(None), MailMessage.next_attempt_at <= now),
        sa.or_(MailMessage.lease_until.is_(None), MailMessage.lease_until <= now),
    )


def _waiting_for(choice: str) -> sa.ColumnElement[bool]:
    """Rows not yet sent or given up, of users whose choice is now ``choice``."""
    users = sa.select(User.id).where(User.mail_notices == choice)
    return sa.and_(MT.c.sent_at.is_(None), MT.c.failed_at.is_(None), MT.c.user_id.in_(users))


def _overruled(now: datetime) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[bool]]:
    """Waiting rows the user's present choice overrules: non-urgent ones of a user who now wants none, and digest
    rows of a user who now wants notices at once (they are sent at the next run, together)."""
    unleased = sa.or_(MT.c.lease_until.is_(None), MT.c.lease_until <= now)
    dropped = sa.and_(_waiting_for("off"), MT.c.urgent.is_(False), unleased)
    hurried = sa.and_(_waiting_for("immediate"), MT.c.digest.is_(True), MT.c.send_after > now)
    return dropped, hurried


def work_due(session: Session, now: datetime) -> bool:
    """Read only: whether any row may be claimed now, or a user's choice changed what waits (an idle tick then takes
    no write lock)."""
    return bool(session.scalar(sa.select(sa.or_(*(sa.exists().where(c) for c in (_claimable(now), *_overruled(now)))))))


def follow_choices(session: Session, now: datetime) -> None:
    """Apply each user's present choice to what waits: the choice is read when sending, not only when the notice was
    made. Dropped rows are kept, given up with the reason, so that the outbox still says what was not sent."""
    dropped, hurried = _overruled(now)
    session.execute(MT.update().where(dropped).values(failed_at=now, last_error=DROPPED))
    session.execute(MT.update().where(hurried).values(send_after=now))


DROPPED = "not sent: the user chose no non-urgent notices"


def claim(session: Session, now: datetime, holder: str, ttl: timedelta, limit: int) -> list[int]:
    """Lease up to ``limit`` rows due now (and all due digest rows of the users among them), after applying the
    users' present choices; returns their ids."""
    if limit <= 0:
        return []
    follow_choices(session, now)
    query = select(MailMessage.id, MailMessage.user_id, MailMessage.digest).where(_claimable(now))
    query = query.order_by(MailMessage.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = session.exec(query).all()
    single = [r.id for r in rows if not r.digest]
    taken = _lease(session, MailMessage.id.in_(single), now, holder, ttl) if single else []
    for user_id in sorted({r.user_id for r in rows if r.digest}):
        digest_rows = sa.and_(MailMessage.user_id == user_id, MailMessage.digest.is_(True))
        taken += _lease(session, digest_rows, now, holder, ttl)
    return taken


def _lease(session: Session, which: sa.ColumnElement[bool], now: datetime, holder: str, ttl: timedelta) -> list[int]:
    done = session.execute(
        MT.update().where(which, _claimable(now)).values(lease_holder=holder, lease_until=now + ttl).returning(MT.c.id)
    )
    return [row.id for row in done]


def renew(session: Session, ids: list[int], holder: str, now: datetime, ttl: timedelta) -> bool:
    """Keep the lease of ``ids`` for one more send; False when any was lost (then the holder must not send them)."""
    done = session.execute(
        MT.update()
        .where(MT.c.id.in_(ids), MT.c.lease_holder == holder, MT.c.lease_until > now, MT.c.sent_at.is_(None))
        .values(lease_until=now + ttl)
    )
    return done.rowcount == len(ids)


def release(session: Session, ids: list[int], holder: str) -> None:
    """Give back the lease of rows not sent in this run (they may be claimed again as soon as they are due)."""
    if ids:
        session.execute(
            MT.update().where(MT.c.id.in_(ids), MT.c.lease_holder == holder).values(lease_holder=None, lease_until=None)
        )


@dataclass
class Outgoing:
    """One mail to write and send: its recipient, the notices it carries, and its stable Message-ID's key."""

    ids: list[int]
    user_id: int
    email: str
    name: str
    locale: str | None
    digest: bool
    notices: list[dict] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{'digest' if self.digest else 'mail'}-{self.ids[0]}"


def outgoing(session: Session, ids: list[int]) -> list[Outgoing]:
    """The claimed rows as mails: each row sent at once is one mail, each user's digest rows one mail together."""
    rows = session.exec(select(MailMessage).where(MailMessage.id.in_(ids)).order_by(MailMessage.id)).all()
    users = {u.id: u for u in session.exec(select(User).where(User.id.in_({r.user_id for r in rows})))}
    mails: list[Outgoing] = []
    digests: dict[int, Outgoing] = {}
    for row in rows:
        user = users[row.user_id]
        notice = {"kind": row.kind, "urgent": row.urgent, **(row.data or {})}
        if row.digest and row.user_id in digests:
            digests[row.user_id].ids.append(row.id)
            digests[row.user_id].notices.append(notice)
            continue
        mail = Outgoing([row.id], user.id, user.email or "", user.display_name, user.locale, row.digest, [notice])
        mails.append(mail)
        if row.digest:
            digests[row.user_id] = mail
    return mails


def record_sent(session: Session, now: datetime, mail: Outgoing, holder: str, message_id: str) -> None:
    """The server accepted the mail: its rows are sent and keep the Message-ID it carried."""
    session.execute(
        MT.update()
        .where(MT.c.id.in_(mail.ids), MT.c.lease_holder == holder, MT.c.sent_at.is_(None))
        .values(
            sent_at=now,
            message_id=message_id,
            attempts=MT.c.attempts + 1,
            last_error=None,
            lease_holder=None,
            lease_until=None,
        )
    )


def record_failure(
    session: Session, now: datetime, mail: Outgoing, holder: str, policy: RetryPolicy, jitter: float, error: str
) -> bool:
    """The server refused or could not be reached: wait before the next try, or give up after too long.

    A notice given up is logged (``mail_given_up``, naming the person, what it was about and the last error), so
    that the follow-through record says who was not reached by mail. Returns True when the mail was given up."""
    rows = session.exec(
        select(MailMessage).where(MailMessage.id.in_(mail.ids), MailMessage.lease_holder == holder)
    ).all()
    given_up = []
    for row in rows:
        row.attempts += 1
        row.last_error = error[:300]
        row.next_attempt_at = now + policy.wait(row.attempts, jitter)
        row.lease_holder, row.lease_until = None, None
        if now - row.created_at >= policy.give_up_after:
            row.failed_at = now
            given_up.append(row)
        session.add(row)
    if given_up:
        _log_given_up(session, now, given_up)
    return bool(given_up)


GIVEN_UP = "mail_given_up"


def _log_given_up(session: Session, now: datetime, rows: list[MailMessage]) -> None:
    user = session.get(User, rows[0].user_id)  # a mail has one recipient
    org = session.get(Organisation, user.org_id)
    drafts = [
        log.EventDraft(
            GIVEN_UP,
            "system:mail",
            now,
            org_id=org.id,
            province=org.province,
            directive_id=row.directive_id,
            details={"user": user.login, "notice": row.kind, "attempts": row.attempts, "error": row.last_error},
        )
        for row in rows
    ]
    log.append_many(session, drafts)
