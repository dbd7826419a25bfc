"""The e-mail outbox: one notice owed to one person, until it is sent or given up."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.models.columns import UTCDateTime, str_field, utc_field


class MailMessage(SQLModel, table=True):
    """A notice for one user about one thing (``topic``: a log event, or a deadline coming up), sent at once or
    gathered into the day's digest (``digest``, not before ``send_after``). The pair (user, topic) is unique, so
    several processes filling the outbox write it once; the lease says which process is sending it now."""

    __table_args__ = (
        sa.UniqueConstraint("user_id", "topic", name="uq_mailmessage_user_topic"),
        sa.Index(
            "ix_mailmessage_waiting",
            "send_after",
            "id",
            sqlite_where=sa.text("sent_at IS NULL AND failed_at IS NULL"),
            postgresql_where=sa.text("sent_at IS NULL AND failed_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    topic: str = str_field(80)
    kind: str = str_field(16)
    urgent: bool = Field(default=False)
    digest: bool = Field(default=False)
    directive_id: int | None = Field(default=None)
    event_id: int | None = Field(default=None)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(sa_type=UTCDateTime)
    send_after: datetime = Field(sa_type=UTCDateTime)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = utc_field()
    last_error: str | None = str_field(300, default=None)
    lease_holder: str | None = str_field(200, default=None)
    lease_until: datetime | None = utc_field()
    message_id: str | None = str_field(200, default=None)
    sent_at: datetime | None = utc_field()
    failed_at: datetime | None = utc_field()
