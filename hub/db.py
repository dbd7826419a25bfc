"""Engines, sessions and migrations.

SQLite runs in WAL mode with foreign keys on and ``synchronous=FULL`` (the log is evidence). Its write
transactions start with ``BEGIN IMMEDIATE``: a plain ``BEGIN`` followed by a read and then a write fails with
"database is locked" under concurrency, whatever the busy timeout. Use :func:`write_session` for anything that
writes and :func:`read_session` for pages and lists.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _json_serializer(value: object) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=str).decode()


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for ``url`` with the hub's connection settings for SQLite or PostgreSQL."""
    kwargs.setdefault("json_serializer", _json_serializer)
    kwargs.setdefault("json_deserializer", orjson.loads)
    # A failed statement's error (logged with its traceback) must not carry its values: password hashes, reports.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        _configure_sqlite(engine)
    else:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
        kwargs.setdefault("pool_pre_ping", True)
        engine = sa.create_engine(url, **kwargs)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        # Let SQLAlchemy's "begin" event, not the driver, decide how transactions start.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        if conn.get_execution_options().get("write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session for one write transaction: committed on success, rolled back on any error."""
    with Session(engine.execution_options(write=True), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reading only; closing it ends the transaction, and the rows read stay usable (detached)."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


# The word index of migration 0005: FTS5 tables (and their shadow tables) on SQLite, a GIN expression index on
# PostgreSQL. The models do not describe them (neither can be said in SQLModel for both databases), so comparing
# the schema with the models looks past them.
SEARCH_INDEX_NAMES = ("directive_fts", "ix_directive_search")


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's filter of reflected names: everything but the search index's own objects."""
    return not (name or "").startswith(SEARCH_INDEX_NAMES)


def alembic_config(engine: Engine):
    """An Alembic config that migrates the database ``engine`` points at."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


MIGRATION_LOCK = 7_316_001  # the PostgreSQL advisory lock key that migrating processes queue on


def migrate(engine: Engine) -> list[str]:
    """Bring the schema up to the newest migration (creating it on an empty database); keeps all data. Returns the
    revisions this call applied, oldest first (empty when the schema was already at head).

    Processes started together migrate one after the other: on PostgreSQL they queue on an advisory lock, on SQLite
    the migration's transaction takes the write lock at its start; the later ones then find the schema at head.
    """
    from alembic import command

    cfg = alembic_config(engine.execution_options(write=True))
    with _migration_lock(engine):
        command.upgrade(cfg, "head")
    return list(cfg.attributes.get("applied", []))


def describe_migration(applied: list[str]) -> str:
    """One line for the operator: what a :func:`migrate` call did."""
    if not applied:
        return "database schema already at the newest migration"
    return f"database migrated: applied {', '.join(applied)}"


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """Hold PostgreSQL's advisory lock for migrations (SQLite's ``BEGIN IMMEDIATE`` already serialises them)."""
    if is_sqlite(engine):
        yield
        return
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        try:
            yield
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
