"""The schema is made by Alembic migrations, and they match the models exactly (so an upgrade loses nothing)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import hub.models  # noqa: F401
from hub.db import make_engine, migrate


def test_migrations_build_exactly_the_models(db_url):
    engine = make_engine(db_url)
    migrate(engine)  # already at head: applying again changes nothing
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), SQLModel.metadata)
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
