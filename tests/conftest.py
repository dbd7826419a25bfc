"""Shared fixtures: a fresh database per test (SQLite file, or a PostgreSQL database of this run), the app, and
small factories.

PostgreSQL tests skip when no server answers at 127.0.0.1:5432 — except under CI=true, where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from hub.db import make_engine, migrate

PG_ADMIN_URL = os.environ.get("HUB_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("HUB_TEST_REDIS", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() == "true"
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def need_service(name: str, reason: str) -> None:
    """Skip for want of a service on a developer's machine; fail under CI, where every service must be up."""
    if IN_CI:
        pytest.fail(f"{name} is required under CI=true: {reason}")
    pytest.skip(f"{name} unavailable: {reason}")


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing():
    """Argon2 at its production cost makes every test user take ~50 ms; the tests are not about that cost. The
    cheapest parameters argon2 takes, for every test of the session: the rules around passwords are the same."""
    from hub.core import users

    users.set_hash_cost(time_cost=1, memory_cost=8)


@pytest.fixture(autouse=True)
def _limit_store_kept():
    """Flask-Limiter's ``limiter`` is one object per process and each ``create_app`` points it at that app's store:
    a test that makes an app with an unreachable store (``tests/web/test_health.py``,
    ``tests/security/test_write_limits.py``) must not leave it there for the session-wide apps of later tests."""
    from hub.extensions import limiter

    kept = (limiter._storage, limiter._limiter)
    yield
    limiter._storage, limiter._limiter = kept


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "hub.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """One PostgreSQL database for this test process, migrated once, dropped at the end."""
    name = f"hub_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        need_service("PostgreSQL", str(exc).splitlines()[0])
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _truncate_pg(engine: Engine) -> None:
    # DELETE and resetting sequences is several times faster than TRUNCATE on small tables.
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.exec_driver_sql(f'DELETE FROM "{table.name}"')
        conn.exec_driver_sql("SELECT setval(s.oid, 1, false) FROM pg_class s WHERE s.relkind = 'S'")
        conn.exec_driver_sql("INSERT INTO loghead (id, last_id, last_hash) VALUES (1, 0, '" + "0" * 64 + "')")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, sqlite_template) -> str:
    """A fresh, migrated, empty database URL: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "hub.sqlite3"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_database")
    engine = make_engine(url)
    _truncate_pg(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(db_url) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template) -> str:
    """A fresh SQLite database only (for tests about adapters, where one database is enough)."""
    path = tmp_path / "hub.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(tmp_path, sqlite_url):
    """A hub app on a fresh SQLite database, scheduler off, nothing read from the environment."""
    from hub import create_app

    app = create_app(
        {
            "instance_path": str(tmp_path / "instance"),
            "database_url": sqlite_url,
            "scheduler_enabled": False,
            "TESTING": True,
        },
        environ=False,
    )
    yield app
    app.extensions["hub"].engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def pg_engine(pg_database) -> Iterator[Engine]:
    """A fresh, empty PostgreSQL database only (for tests about PostgreSQL's concurrency)."""
    engine = make_engine(pg_database)
    _truncate_pg(engine)
    yield engine
    engine.dispose()
