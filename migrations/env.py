"""Alembic environment: migrates the engine handed over by ``hub.db.migrate`` or the one DATABASE_URL names."""

from alembic import context
from sqlmodel import SQLModel

import hub.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from hub.config import load_settings
from hub.db import include_name, make_engine

config = context.config
target_metadata = SQLModel.metadata


def _note_step(ctx, step, heads, run_args) -> None:
    """Record each revision applied, so that ``hub.db.migrate`` can say what this run did (and a test count runs)."""
    if step.is_upgrade:
        config.attributes.setdefault("applied", []).append(step.up_revision_id)


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(load_settings().database_url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            on_version_apply=_note_step,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
