"""The schema is made by Alembic migrations, and they match the models exactly (so an upgrade loses nothing)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import hub.models  # noqa: F401
from hub import ROOT
from hub.db import include_name, make_engine, migrate
from tests.e2e.world import create_pg_database, drop_pg_database

COMPARE = {"compare_type": False, "include_name": include_name}  # past the search index (migration 0006)


def test_migrations_build_exactly_the_models(db_url):
    engine = make_engine(db_url)
    migrate(engine)  # already at head: applying again changes nothing
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts=COMPARE),
            SQLModel.metadata,
        )
    engine.dispose()
    assert diff == []


def test_migrating_keeps_existing_rows(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    migrate(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO counter (name, value) VALUES ('kept', 7)")
    migrate(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT value FROM counter WHERE name = 'kept'").scalar() == 7
    engine.dispose()


MIGRATE_WHEN_TOLD = """
import sys, time
from pathlib import Path
from hub.db import include_name, make_engine, migrate
ready, go, url = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
engine = make_engine(url)
ready.touch()
while not go.exists():
    time.sleep(0.005)
migrate(engine)
print("migrated")
"""


def _migrate_twice_at_once(url: str, folder: Path) -> list[subprocess.CompletedProcess]:
    """Two processes, each past its imports, told at the same instant to migrate ``url``."""
    go = folder / "go"
    started = []
    for n in range(2):
        ready = folder / f"ready-{n}"
        args = [sys.executable, "-c", MIGRATE_WHEN_TOLD, str(ready), str(go), url]
        proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started.append((proc, ready))
    deadline = time.monotonic() + 60
    while not all(ready.exists() for _, ready in started) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    return [subprocess.CompletedProcess(p.args, p.wait(120), *p.communicate()) for p, _ in started]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_two_processes_migrating_a_fresh_database_at_once_both_succeed(dialect, tmp_path):
    url = create_pg_database() if dialect == "postgresql" else f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    try:
        results = _migrate_twice_at_once(url, tmp_path)
        for result in results:
            assert result.returncode == 0 and "migrated" in result.stdout, result.stderr
        engine = make_engine(url)
        with engine.connect() as conn:
            heads = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
            diff = compare_metadata(
                MigrationContext.configure(conn, opts=COMPARE),
                SQLModel.metadata,
            )
        engine.dispose()
        assert len(heads) == 1 and diff == []
    finally:
        if dialect == "postgresql":
            drop_pg_database(url)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_search_migration_makes_existing_directives_searchable(dialect, tmp_path):
    from alembic import command

    from hub.core import progress
    from hub.core.access import Principal
    from hub.db import alembic_config, read_session
    from hub.models import OrgKind, Role

    url = create_pg_database() if dialect == "postgresql" else f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    try:
        command.upgrade(alembic_config(engine.execution_options(write=True)), "0004")
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO organisation (kind, code, name, domains, active, delivery_seq, created_at)"
                " VALUES ('regulator', 'REG', 'Cục', '[]', true, 0, '2026-01-01T00:00:00+00:00')"
            )
            conn.exec_driver_sql(
                "INSERT INTO directive (kind, title, body, priority, issuer_id, audience, audience_size, status,"
                " exercise, created_at, updated_at) VALUES ('directive', 'Cảnh báo bão số 15', 'Đà Nẵng', 'routine',"
                " 1, '{}', 0, 'draft', false, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')"
            )
        migrate(engine)
        reader = Principal(org_id=1, org_kind=OrgKind.REGULATOR, role=Role.MANAGER)
        with read_session(engine) as session:
            found = progress.list_directives(session, reader, q="bao so 15 da nang").items
        assert [d.title for d in found] == ["Cảnh báo bão số 15"]
    finally:
        engine.dispose()
        if dialect == "postgresql":
            drop_pg_database(url)
