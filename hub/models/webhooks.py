"""Platforms' webhooks and the outbox of their messages."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.models.columns import UTCDateTime, str_field, utc_field


class Webhook(SQLModel, table=True):
    """A platform's HTTPS endpoint for signed POSTs of its deliveries; the secret is sealed (HMAC needs it whole), the
    lease says which process sends to it now, ``failing_since`` dates the failures that end in disabling it."""

    id: int | None = Field(default=None, primary_key=True)
    platform_id: int = Field(foreign_key="organisation.id", unique=True)
    url: str = str_field(2000)
    secret_sealed: str = str_field(300)
    secret_prefix: str = str_field(16)
    allow_internal: bool = Field(default=False)
    allow_http: bool = Field(default=False)
    active: bool = Field(default=True)
    since_event_id: int = Field(default=0)
    created_by: str = str_field(200)
    created_at: datetime = Field(sa_type=UTCDateTime)
    rotated_at: datetime | None = utc_field()
    last_attempt_at: datetime | None = utc_field()
    last_status: int | None = Field(default=None)
    last_error: str | None = str_field(300, default=None)
    last_success_at: datetime | None = utc_field()
    failing_since: datetime | None = utc_field()
    next_attempt_at: datetime | None = utc_field()
    disabled_at: datetime | None = utc_field()
    disabled_reason: str | None = str_field(300, default=None)
    lease_holder: str | None = str_field(200, default=None)
    lease_until: datetime | None = utc_field()


class WebhookMessage(SQLModel, table=True):
    """The webhook outbox: one POST owed to one webhook, in the platform's order (``id``), until a 2xx answer."""

    __table_args__ = (
        sa.UniqueConstraint("webhook_id", "event_id", name="uq_webhookmessage_webhook_event"),
        sa.Index(
            "ix_webhookmessage_pending",
            "webhook_id",
            "id",
            sqlite_where=sa.text("sent_at IS NULL"),
            postgresql_where=sa.text("sent_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(foreign_key="webhook.id")
    event_id: int
    kind: str = str_field(16)
    directive_id: int | None = Field(default=None)
    seq: int | None = Field(default=None)
    body: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    attempts: int = Field(default=0)
    last_attempt_at: datetime | None = utc_field()
    last_status: int | None = Field(default=None)
    last_error: str | None = str_field(300, default=None)
    sent_at: datetime | None = utc_field()
