"""Leases held in the database, so that exactly one of several hub processes runs the scheduler.

A lease is one :class:`SchedulerLock` row: its holder keeps it by renewing it before it expires; when the holder
dies the lease runs out and the next process to ask takes it over. Taking and renewing are one conditional
statement each, so two processes asking at once never both hold it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from hub.models import SchedulerLock


def hold(session: Session, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease ``name`` for ``holder`` until ``now + ttl``; False while another holder has it."""
    renewed = session.execute(
        sa.update(SchedulerLock)
        .where(
            SchedulerLock.name == name,
            sa.or_(SchedulerLock.holder == holder, SchedulerLock.expires_at <= now),
        )
        .values(holder=holder, expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    if renewed.rowcount:
        return True
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    created = session.execute(
        dialect.insert(SchedulerLock)
        .values(name=name, holder=holder, expires_at=now + ttl)
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(SchedulerLock.name)
    )
    return created.first() is not None


def release(session: Session, name: str, holder: str, now: datetime) -> None:
    """Give the lease up at once (on a clean shutdown), so another process need not wait for it to run out."""
    session.execute(
        sa.update(SchedulerLock)
        .where(SchedulerLock.name == name, SchedulerLock.holder == holder)
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )


def current(session: Session, name: str) -> SchedulerLock | None:
    """The lease row as it stands (for status pages and tests)."""
    return session.get(SchedulerLock, name)
