"""SQLite runs as the log needs it: WAL, full sync, foreign keys, and writers that queue instead of failing."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from hub.core import deliveries, receipts
from hub.db import make_engine, write_session
from hub.models import OrgKind, Role
from tests import factories as f
from tests.conftest import T0


def test_sqlite_pragmas(sqlite_url):
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    engine.dispose()


def test_foreign_keys_are_enforced(sqlite_url):
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        try:
            conn.exec_driver_sql(
                "INSERT INTO user (org_id, role, login, display_name, password_hash, active, "
                "created_at) VALUES (999, 'admin', 'x', 'x', 'x', 1, '2026-01-01')"
            )
            conn.commit()
            raised = False
        except sa.exc.IntegrityError:
            raised = True
    engine.dispose()
    assert raised


def test_concurrent_sqlite_writers_queue_and_none_fails(sqlite_url):
    engine = make_engine(sqlite_url)
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    platforms = [f.org(engine, T0, OrgKind.PLATFORM, "HNI") for _ in range(16)]
    editors = [f.machine(engine, T0, p)[0] for p in platforms]
    directive = f.published(engine, T0, officer).directive
    failures: list[BaseException] = []

    def work(editor):
        try:
            with write_session(engine) as s:
                receipts.receipt(s, editor, T0, directive_id=directive.id)
            with write_session(engine) as s:
                deliveries.acknowledge(s, editor, T0, directive.id)
        except BaseException as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(e,)) for e in editors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    with engine.connect() as conn:
        acknowledged = conn.exec_driver_sql("SELECT count(*) FROM delivery WHERE state = 'acknowledged'").scalar()
    engine.dispose()
    assert failures == [] and acknowledged == 16
