"""log checkpoints

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('logcheckpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.Column('head_hash', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signature', sa.String(length=200), nullable=False),
    sa.Column('key_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    # The check that every delivery's state agrees with its events reads the events of a range of deliveries.
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index('ix_event_delivery', ['delivery_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index('ix_event_delivery')
    op.drop_table('logcheckpoint')
