"""attachments: evidence files of implementation reports and signed official documents of directives

Revision ID: 0009_attachments
Revises: 0008_directive_templates
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_attachments"
down_revision: str | None = "0008_directive_templates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["directive_id"], ["directive.id"]),
        sa.ForeignKeyConstraint(["delivery_id"], ["delivery.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_attachment_directive_id"), "attachment", ["directive_id"], unique=False)
    op.create_index(op.f("ix_attachment_delivery_id"), "attachment", ["delivery_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_attachment_delivery_id"), table_name="attachment")
    op.drop_index(op.f("ix_attachment_directive_id"), table_name="attachment")
    op.drop_table("attachment")
