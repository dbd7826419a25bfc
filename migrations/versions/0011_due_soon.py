"""due soon: which deadline phase of a delivery its platform was already warned about

Revision ID: 0011_due_soon
Revises: 0010_mail
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_due_soon"
down_revision: str | None = "0010_mail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # In place, not a batch copy: "delivery" is referenced by foreign keys.
    op.add_column("delivery", sa.Column("warned_phase", sa.String(length=16), nullable=True))


def downgrade() -> None:
    op.drop_column("delivery", "warned_phase")
