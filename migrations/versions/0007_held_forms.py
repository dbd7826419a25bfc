"""held forms (the input of a refused page form, kept for the page shown after the redirect) and the password an
admin reset, which must be changed at the next sign-in

Revision ID: 0007_held_forms
Revises: 0006_search
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_held_forms"
down_revision: str | None = "0006_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "heldform",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("form", sa.String(length=100), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index(op.f("ix_heldform_user_id"), "heldform", ["user_id"], unique=False)
    op.create_index(op.f("ix_heldform_created_at"), "heldform", ["created_at"], unique=False)
    # Added in place (SQLite too): batch mode would copy and drop ``user``, which the foreign keys pointing at it refuse.
    column = sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.text("false"))
    op.add_column("user", column)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute('ALTER TABLE "user" DROP COLUMN must_change_password')  # in place, as it was added
    else:
        op.drop_column("user", "must_change_password")
    op.drop_index(op.f("ix_heldform_created_at"), table_name="heldform")
    op.drop_index(op.f("ix_heldform_user_id"), table_name="heldform")
    op.drop_table("heldform")
