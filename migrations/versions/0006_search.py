"""search: directives' folded text and the database's word index over it

Revision ID: 0006_search
Revises: 0005_webhooks

SQLite: an FTS5 table with external content (the ``directive`` table itself), kept in step by triggers. PostgreSQL:
a GIN index over ``to_tsvector('simple', search_text)``. See docs/search.md. A later migration that rebuilds the
``directive`` table on SQLite (batch mode) must create the three triggers again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hub.core.search import fold

revision: str = "0006_search"
down_revision: str | None = "0005_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = (
    "CREATE VIRTUAL TABLE directive_fts USING fts5(search_text, content='directive', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER directive_fts_insert AFTER INSERT ON directive BEGIN"
    " INSERT INTO directive_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER directive_fts_delete AFTER DELETE ON directive BEGIN"
    " INSERT INTO directive_fts(directive_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER directive_fts_update AFTER UPDATE OF search_text ON directive BEGIN"
    " INSERT INTO directive_fts(directive_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);"
    " INSERT INTO directive_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO directive_fts(directive_fts) VALUES ('rebuild')",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS directive_fts_update",
    "DROP TRIGGER IF EXISTS directive_fts_delete",
    "DROP TRIGGER IF EXISTS directive_fts_insert",
    "DROP TABLE IF EXISTS directive_fts",
)
PG_INDEX = (
    "CREATE INDEX ix_directive_search ON directive USING gin (to_tsvector('simple', coalesce(search_text, '')))"
)


def _fill(conn: sa.Connection) -> None:
    """Fold the text of the directives already there (the same fold as hub/core/search.py applies on write)."""
    directive = sa.table(
        "directive",
        sa.column("id"),
        sa.column("ref_no"),
        sa.column("title"),
        sa.column("body"),
        sa.column("legal_basis"),
        sa.column("search_text"),
    )
    rows = conn.execute(sa.select(directive.c.id, directive.c.ref_no, directive.c.title, directive.c.body,
                                  directive.c.legal_basis)).all()
    updates = [{"key": r.id, "text": fold(" ".join(p for p in r[1:] if p))} for r in rows]
    if updates:
        conn.execute(
            directive.update().where(directive.c.id == sa.bindparam("key")).values(search_text=sa.bindparam("text")),
            updates,
        )


def upgrade() -> None:
    op.add_column("directive", sa.Column("search_text", sa.Text(), nullable=True))
    conn = op.get_bind()
    _fill(conn)
    if conn.dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
    else:
        op.execute(PG_INDEX)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
        # SQLite 3.35+ drops a column in place; batch mode would copy and drop the table, which the foreign keys
        # pointing at ``directive`` refuse.
        op.execute("ALTER TABLE directive DROP COLUMN search_text")
    else:
        op.execute("DROP INDEX IF EXISTS ix_directive_search")
        op.drop_column("directive", "search_text")
