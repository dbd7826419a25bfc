"""directive templates: recurring notices officers start new drafts from

Revision ID: 0008_directive_templates
Revises: 0007_held_forms
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_directive_templates"
down_revision: str | None = "0007_held_forms"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "directivetemplate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["source_id"], ["directive.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_directivetemplate_org_id"), "directivetemplate", ["org_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_directivetemplate_org_id"), table_name="directivetemplate")
    op.drop_table("directivetemplate")
