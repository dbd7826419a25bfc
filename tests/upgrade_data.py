"""Data of every kind the hub keeps, made by today's core, and moved between databases at any migration.

:func:`fill` writes, through the core, what a hub holds after some use: deliveries in every state (a verified
report, a declined one, a question answered), a revoked directive and a draft, a ratio report, sessions, a failed
sign-in, log rows and a signed checkpoint (also written to a checkpoint file) with rows after it. :func:`dump` reads
every table back as plain rows; :func:`load` writes such rows into a database built at an earlier migration, keeping
only the tables and columns that exist there, as if the hub of that time had written them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from hub import clock
from hub.core import checkpoints, deliveries, directives, questions, ratio_reports, receipts, sessions
from hub.core.access import SYSTEM, Principal
from hub.core.signing import Signer
from hub.db import include_name, write_session
from hub.models import DeliveryState, OrgKind, Role, User, Verification
from hub.throttle_stores import SqlStore
from tests import factories as f

Rows = dict[str, list[dict]]
SKIPPED = {"alembic_version"}


@dataclass
class Filled:
    """Who acted, for doing more after an upgrade."""

    officer: Principal
    platforms: list[Principal]


def fill(engine: Engine, signer: Signer, checkpoint_file: Path) -> Filled:
    """Write a used hub's data into the (migrated, empty) database ``engine``."""
    now = clock.now() - timedelta(hours=2)
    regulator = f.org(engine, now, OrgKind.REGULATOR)
    officer = f.user(engine, now, regulator, Role.OFFICER)
    manager = f.user(engine, now, f.org(engine, now, OrgKind.PROVINCE, "HNI"), Role.MANAGER)
    platforms = [f.machine(engine, now, f.org(engine, now, OrgKind.PLATFORM, "HNI"))[0] for _ in range(7)]
    with write_session(engine) as s:
        main = directives.create(s, officer, now, f.draft(title="Gỡ bỏ tin sai sự thật về bão số 15"))
        directives.publish(s, officer, now, main.id, signer)
        directives.create(s, officer, now, f.draft(title="Bản nháp"))
        gone = directives.create(s, officer, now, f.draft(title="Thu hồi"))
        directives.publish(s, officer, now, gone.id, signer)
        directives.revoke(s, officer, now + timedelta(minutes=1), gone.id, "issued by mistake")
    _move_deliveries(engine, signer, officer, platforms, main.id, now + timedelta(minutes=5))
    _side_data(engine, officer, manager, platforms[2], now + timedelta(minutes=20))
    with write_session(engine) as s:
        taken = checkpoints.take(s, SYSTEM, signer, now + timedelta(minutes=30))
    checkpoint_file.write_text(checkpoints.to_line(taken) + "\n", encoding="utf-8")
    with write_session(engine) as s:  # the log moves on after the checkpoint
        receipts.receipt(s, platforms[0], now + timedelta(minutes=40), directive_id=gone.id)
    return Filled(officer, platforms)


def _move_deliveries(
    engine: Engine, signer: Signer, officer: Principal, platforms: list[Principal], directive_id: int, at
) -> None:
    """Leave the directive's deliveries in every state: pending, delivered, acknowledged, in progress,
    implemented (one verified), declined; with a question and its answer."""
    states = [
        DeliveryState.DELIVERED,
        DeliveryState.ACKNOWLEDGED,
        DeliveryState.IN_PROGRESS,
        DeliveryState.IMPLEMENTED,
        DeliveryState.DECLINED,
        DeliveryState.IMPLEMENTED,
    ]
    with write_session(engine) as s:
        for platform, state in zip(platforms[1:], states, strict=True):
            if state == DeliveryState.DELIVERED:
                receipts.receipt(s, platform, at, directive_id=directive_id)
            else:
                report = "Đã gỡ 12 bài viết" if state != DeliveryState.DECLINED else "Không đăng tin về bão"
                deliveries.set_status(s, platform, at, directive_id, state, report)
        question = questions.ask(s, platforms[1], at, directive_id, "Áp dụng cho cả video không?").question
        questions.answer(s, officer, at + timedelta(minutes=1), question.id, "Có, cả video.")
        verified = _delivery_id(s, directive_id, platforms[-1].org_id)
        deliveries.review_report(s, officer, at + timedelta(minutes=2), verified, Verification.VERIFIED)


def _delivery_id(s, directive_id: int, platform_id: int) -> int:
    from hub.models import Delivery

    table = Delivery.__table__
    where = (table.c.directive_id == directive_id) & (table.c.platform_id == platform_id)
    return s.connection().execute(sa.select(table.c.id).where(where)).scalar_one()


def _side_data(engine: Engine, officer: Principal, manager: Principal, platform: Principal, at) -> None:
    """A ratio report, a live and an ended session, a failed sign-in."""
    data = ratio_reports.RatioReportInput(
        period_start=(at - timedelta(days=40)).date(),
        period_end=(at - timedelta(days=10)).date(),
        items_published=1200,
        negative_items=90,
    )
    with write_session(engine) as s:
        ratio_reports.submit(s, platform, at, data, threshold=0.15)
        sessions.begin(s, s.get(User, officer.user_id), at)
        ended, _ = sessions.begin(s, s.get(User, manager.user_id), at)
        sessions.end(s, ended.id, at + timedelta(minutes=5), "signed_out")
    SqlStore(engine).record_failure("login:officer", at, timedelta(minutes=15))


def dump(engine: Engine) -> Rows:
    """Every row of every table (but Alembic's own), ordered by primary key, as plain dictionaries."""
    meta = sa.MetaData()
    meta.reflect(engine)
    rows: Rows = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            if table.name in SKIPPED or not include_name(table.name, "table", {}):
                continue  # the search index's own tables hold its internal blocks, which depend on write history
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(*order))]
    return rows


def load(engine: Engine, rows: Rows) -> None:
    """Replace the rows of every table the database has with ``rows``, keeping only the columns it has.

    Foreign keys are not checked while loading (a directive can name the one that supersedes it, a later row); on
    PostgreSQL the id sequences are then moved past the loaded ids, as the hub that wrote them would have left them.
    """
    meta = sa.MetaData()
    meta.reflect(engine)
    order = [t.name for t in SQLModel.metadata.sorted_tables if t.name in meta.tables and t.name in rows]
    with engine.connect() as conn:
        _foreign_keys(conn, on=False)
        for name in reversed(order):
            conn.execute(meta.tables[name].delete())
        for name in order:
            table = meta.tables[name]
            kept = [{k: v for k, v in row.items() if k in table.c} for row in rows[name]]
            if kept:
                conn.execute(table.insert(), kept)
        if conn.dialect.name == "postgresql":
            for name in order:
                _advance_sequence(conn, meta.tables[name])
        conn.commit()
        _foreign_keys(conn, on=True)


def _foreign_keys(conn: sa.Connection, on: bool) -> None:
    """Foreign key checks on or off for this connection (SQLite's pragma works only outside a transaction)."""
    if conn.dialect.name == "sqlite":
        conn.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    else:
        conn.exec_driver_sql(f"SET session_replication_role = {'origin' if on else 'replica'}")
        conn.commit()


def _advance_sequence(conn: sa.Connection, table: sa.Table) -> None:
    if "id" not in table.c or not isinstance(table.c.id.type, sa.Integer):
        return
    conn.exec_driver_sql(
        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), max(id)) FROM \"{table.name}\" "
        "HAVING max(id) IS NOT NULL AND pg_get_serial_sequence('\"" + table.name + "\"', 'id') IS NOT NULL"
    )


def columns_of(engine: Engine) -> dict[str, set[str]]:
    """The tables the database has now, with their columns."""
    inspector = sa.inspect(engine)
    tables = [t for t in inspector.get_table_names() if t not in SKIPPED and include_name(t, "table", {})]
    return {t: {c["name"] for c in inspector.get_columns(t)} for t in tables}


def restricted(rows: Rows, columns: dict[str, set[str]]) -> Rows:
    """``rows`` cut down to the tables and columns of ``columns``."""
    return {t: [{k: v for k, v in r.items() if k in columns[t]} for r in rows[t]] for t in columns if t in rows}
