"""Server-side sessions of signed-in users, and what ends them: logout, a password change, deactivation, an admin's
"sign out everywhere", and the idle and absolute limits. A live connection is cut when what admitted it ends."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import tokens
from hub.core.access import Principal
from hub.core.errors import Unauthenticated
from hub.models import Organisation, User, UserSession

LAST_SEEN_GRANULARITY = timedelta(minutes=1)
MAX_KEY_LENGTH = 100


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """How long a session lives: ``idle`` since it was last seen, ``absolute`` since it began (ASVS 7.3)."""

    idle: timedelta
    absolute: timedelta

    def live_since(self, now: datetime) -> tuple[datetime, datetime]:
        """The oldest last-seen and start times a live session may have at ``now``."""
        return now - self.idle, now - self.absolute


@dataclass(frozen=True)
class Cut:
    """What a change ended: the live connections admitted with any of these must be cut (in every hub process)."""

    sessions: list[int] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)
    users: list[int] = field(default_factory=list)
    orgs: list[int] = field(default_factory=list)

    def covers(self, who: Principal) -> bool:
        """Whether a connection admitted as ``who`` falls under this cut."""
        return (
            (who.session_id is not None and who.session_id in self.sessions)
            or (who.token_id is not None and who.token_id in self.tokens)
            or (who.user_id is not None and who.user_id in self.users)
            or who.org_id in self.orgs
        )

    def __bool__(self) -> bool:
        return bool(self.sessions or self.tokens or self.users or self.orgs)

    def as_message(self) -> dict[str, list[int]]:
        return dataclasses.asdict(self)

    @classmethod
    def from_message(cls, data: Any) -> Cut:
        """Read a cut sent between hub processes (anything malformed is an empty cut)."""
        if not isinstance(data, dict):
            return cls()
        picked = {}
        for name in ("sessions", "tokens", "users", "orgs"):
            values = data.get(name)
            picked[name] = [v for v in values if isinstance(v, int)] if isinstance(values, list) else []
        return cls(**picked)


def _key_hash(key: str) -> str:
    # Keys are 256-bit random, so a fast hash is enough; the table never holds a usable key.
    return hashlib.sha256(key.encode()).hexdigest()


def begin(session: Session, user: User, now: datetime) -> tuple[UserSession, str]:
    """Start a session for a user who just proved who they are; the key (for the signed cookie) is returned once."""
    key = secrets.token_urlsafe(32)
    row = UserSession(user_id=user.id, key_hash=_key_hash(key), created_at=now, last_seen_at=now)
    session.add(row)
    session.flush()
    return row, key


def resolve(session: Session, key: Any, user_id: int, now: datetime, policy: SessionPolicy) -> UserSession:
    """The live session behind a cookie's key; ended, expired, foreign or deactivated ones are refused."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise Unauthenticated("sign_in_again")
    found = session.exec(
        select(UserSession, User.active, Organisation.active)
        .join(User, User.id == UserSession.user_id)
        .join(Organisation, Organisation.id == User.org_id)
        .where(UserSession.key_hash == _key_hash(key))
    ).first()
    if found is None:
        raise Unauthenticated("sign_in_again")
    row, user_active, org_active = found
    seen_since, started_since = policy.live_since(now)
    if row.user_id != user_id or row.ended_at is not None or not (user_active and org_active):
        raise Unauthenticated("session_ended")
    if row.last_seen_at < seen_since or row.created_at < started_since:
        raise Unauthenticated("session_expired")
    return row


def needs_touch(row: UserSession, now: datetime) -> bool:
    """Whether the session's last-seen time is stale enough to be worth a write (at most once a minute)."""
    return now - row.last_seen_at > LAST_SEEN_GRANULARITY


def touch(session: Session, session_id: int, now: datetime) -> None:
    """Record that a session was used now (its idle limit counts from here)."""
    session.exec(sa.update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now))


def end(session: Session, session_id: int, now: datetime, reason: str) -> Cut:
    """End one session (logout); ending an ended session changes nothing."""
    return _end_where(session, now, reason, UserSession.id == session_id)


def end_all_of(
    session: Session, user_ids: Iterable[int], now: datetime, reason: str, *, keep: int | None = None
) -> Cut:
    """End every live session of these users, but ``keep`` (the one that changed the password)."""
    where = UserSession.user_id.in_(sorted(user_ids))
    if keep is not None:
        where = sa.and_(where, UserSession.id != keep)
    return _end_where(session, now, reason, where)


def _end_where(session: Session, now: datetime, reason: str, where: sa.ColumnElement[bool]) -> Cut:
    live = sa.and_(where, UserSession.ended_at.is_(None))
    ids = list(session.exec(select(UserSession.id).where(live)))
    if ids:
        session.exec(sa.update(UserSession).where(UserSession.id.in_(ids)).values(ended_at=now, end_reason=reason))
    return Cut(sessions=ids)


def lapsed(
    session: Session, held: Mapping[Hashable, Principal], now: datetime, policy: SessionPolicy
) -> list[Hashable]:
    """Which of the live connections in ``held`` (any key -> who it was admitted as) must be cut now: their token
    revoked, their session ended or expired, their user or organisation deactivated."""
    if not held:
        return []
    who = list(held.values())
    token_ids = {p.token_id for p in who if p.token_id is not None}
    session_ids = {p.session_id for p in who if p.session_id is not None}
    user_ids = {p.user_id for p in who if p.user_id is not None}
    cut = Cut(
        sessions=sorted(session_ids - _live_sessions(session, session_ids, now, policy)),
        tokens=sorted(tokens.revoked_among(session, sorted(token_ids))) if token_ids else [],
        users=_inactive(session, User, user_ids),
        orgs=_inactive(session, Organisation, {p.org_id for p in who}),
    )
    return [key for key, principal in held.items() if cut.covers(principal)] if cut else []


def _live_sessions(session: Session, ids: Iterable[int], now: datetime, policy: SessionPolicy) -> set[int]:
    ids = sorted(ids)
    if not ids:
        return set()
    seen_since, started_since = policy.live_since(now)
    query = select(UserSession.id).where(
        UserSession.id.in_(ids),
        UserSession.ended_at.is_(None),
        UserSession.last_seen_at >= seen_since,
        UserSession.created_at >= started_since,
    )
    return set(session.exec(query))


def _inactive(session: Session, table: type[User] | type[Organisation], ids: set[int]) -> list[int]:
    # Deactivated users and organisations are few: read them all rather than send thousands of parameters.
    if not ids:
        return []
    return sorted(set(session.exec(select(table.id).where(table.active.is_(False)))) & ids)
