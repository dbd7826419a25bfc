"""mail: each user's choice of e-mail for non-urgent notices, and the e-mail outbox

Revision ID: 0010_mail
Revises: 0009_attachments
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_mail"
down_revision: str | None = "0009_attachments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)
WAITING = "sent_at IS NULL AND failed_at IS NULL"


def upgrade() -> None:
    # In place, not a batch copy: "user" is referenced by foreign keys.
    op.add_column(
        "user", sa.Column("mail_notices", sa.String(length=16), nullable=False, server_default="immediate")
    )
    op.create_table(
        "mailmessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("send_after", WHEN, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", WHEN, nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("lease_holder", sa.String(length=200), nullable=True),
        sa.Column("lease_until", WHEN, nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("sent_at", WHEN, nullable=True),
        sa.Column("failed_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "topic", name="uq_mailmessage_user_topic"),
    )
    op.create_index(
        "ix_mailmessage_waiting",
        "mailmessage",
        ["send_after", "id"],
        sqlite_where=sa.text(WAITING),
        postgresql_where=sa.text(WAITING),
    )


def downgrade() -> None:
    op.drop_index("ix_mailmessage_waiting", table_name="mailmessage")
    op.drop_table("mailmessage")
    op.drop_column("user", "mail_notices")
