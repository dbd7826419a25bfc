"""Fan-out: the delivery rows a publish creates, one per addressed platform with its next sequence number, and the
counters that number directives and reference numbers."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from hub.core.reminder_policy import deadlines_for
from hub.models import Counter, Delivery, DeliveryState, Directive, Organisation, UTCDateTime


def next_counter(session: Session, name: str) -> int:
    """Increment and return a named counter, creating it at 1; one upsert, safe under concurrent writers."""
    table = Counter.__table__
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(table)
        .values(name=name, value=1)
        .on_conflict_do_update(index_elements=[table.c.name], set_={"value": table.c.value + 1})
        .returning(table.c.value)
    )
    return session.connection().execute(statement).scalar_one()


def create_deliveries(session: Session, directive: Directive, cond: sa.ColumnElement[bool], now: datetime) -> list[int]:
    """Give each addressed platform its next sequence number and one pending delivery.

    Set-based: the rows are made by the database (``INSERT ... SELECT``), not in Python, so a publish to 10,000
    platforms costs two statements. On PostgreSQL both are one statement (a data-modifying CTE), so a platform
    registered concurrently can never get a delivery without its sequence number; SQLite's write lock already
    excludes that.
    """
    conn = session.connection()
    bump = sa.update(Organisation.__table__).where(cond).values(delivery_seq=Organisation.delivery_seq + 1)
    due = sa.bindparam("due", deadlines_for(directive, now)[0], type_=UTCDateTime())
    constants = (
        sa.bindparam("directive_id", directive.id, type_=sa.Integer()),
        sa.literal(DeliveryState.PENDING.value),
        sa.bindparam("now", now, type_=UTCDateTime()),
        due,
        due,
        sa.literal(0),
    )
    if conn.dialect.name == "postgresql":
        bumped = bump.returning(Organisation.id, Organisation.delivery_seq).cte("bumped")
        source = sa.select(constants[0], bumped.c.id, bumped.c.delivery_seq, *constants[1:])
    else:
        conn.execute(bump)
        source = sa.select(constants[0], Organisation.id, Organisation.delivery_seq, *constants[1:]).where(cond)
    columns = [
        "directive_id",
        "platform_id",
        "seq",
        "state",
        "created_at",
        "due_at",
        "next_reminder_at",
        "reminders_sent",
    ]
    insert = sa.insert(Delivery.__table__).from_select(columns, source).returning(Delivery.platform_id)
    return list(conn.execute(insert).scalars())


def close_open_deliveries(session: Session, directive_id: int) -> None:
    """Nothing more is owed on this directive: no deadline, no reminder."""
    session.exec(
        sa.update(Delivery)
        .where(
            Delivery.directive_id == directive_id, Delivery.due_at.is_not(None) | Delivery.next_reminder_at.is_not(None)
        )
        .values(due_at=None, next_reminder_at=None)
        .execution_options(synchronize_session=False)
    )
