"""What is published and what platforms do with it: directives, templates, attachments, deliveries,
questions and content-ratio reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, relationship
from sqlmodel import Field, Relationship, SQLModel

from hub.models.columns import UTCDateTime, str_field, utc_field
from hub.models.enums import (
    DeliveryState,
    DirectiveKind,
    DirectiveStatus,
    Priority,
    Verification,
)


class Directive(SQLModel, table=True):
    """A directive or orientation notice from a regulator or provincial department to platforms."""

    id: int | None = Field(default=None, primary_key=True)
    seq: int | None = Field(default=None, unique=True)
    ref_no: str | None = str_field(100, default=None, index=True)
    kind: DirectiveKind = str_field(32)
    title: str = str_field(300)
    body: str = Field(sa_type=sa.Text)
    priority: Priority = str_field(16)
    issuer_id: int = Field(foreign_key="organisation.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="user.id")
    audience: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    audience_size: int = Field(default=0)
    status: DirectiveStatus = str_field(16, index=True)
    publish_at: datetime | None = utc_field()
    published_at: datetime | None = utc_field()
    ack_due_at: datetime | None = utc_field()
    implement_due_at: datetime | None = utc_field()
    expires_at: datetime | None = utc_field()
    revoked_at: datetime | None = utc_field()
    revoke_reason: str | None = Field(default=None, sa_type=sa.Text)
    supersedes_id: int | None = Field(default=None, foreign_key="directive.id")
    superseded_by_id: int | None = Field(default=None, foreign_key="directive.id")
    legal_basis: str | None = str_field(500, default=None)
    exercise: bool = Field(default=False)
    remind_interval_minutes: int | None = Field(default=None)
    remind_limit: int | None = Field(default=None)
    escalate_after_minutes: int | None = Field(default=None)
    content_hash: str | None = str_field(64, default=None)
    signature: str | None = str_field(200, default=None)
    # Reference, title, body and legal basis folded for word search (hub/core/search.py); the word index over it is
    # made by migration 0005 (FTS5 on SQLite, GIN on PostgreSQL).
    search_text: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    # The signed official documents attached while it was a draft (sorted as they are signed); loaded with every
    # directive query in one more SELECT, so the payload can be built after the session has closed.
    official_documents: Mapped[list[Attachment]] = Relationship(
        sa_relationship=relationship(
            "Attachment",
            primaryjoin="and_(Attachment.directive_id == Directive.id, Attachment.delivery_id.is_(None))",
            order_by="Attachment.sha256",
            lazy="selectin",
            viewonly=True,
            uselist=True,
        )
    )


class DirectiveTemplate(SQLModel, table=True):
    """A recurring notice an organisation's officers start new drafts from: the content and reminder policy of a
    directive, without its dates (deadlines are set when the draft is composed, or by its priority)."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = str_field(200)
    content: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    source_id: int | None = Field(default=None, foreign_key="directive.id")
    created_by: str = str_field(200)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Attachment(SQLModel, table=True):
    """A file attached as evidence to a platform's implementation report (``delivery_id`` set) or as the signed
    official document of a directive (``delivery_id`` empty). The content lives once, under its SHA-256, in the
    instance folder; the row names it."""

    id: int | None = Field(default=None, primary_key=True)
    directive_id: int = Field(foreign_key="directive.id", index=True)
    delivery_id: int | None = Field(default=None, foreign_key="delivery.id", index=True)
    sha256: str = str_field(64)
    name: str = str_field(200)
    type: str = str_field(40)
    size: int
    created_by: str = str_field(200)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Delivery(SQLModel, table=True):
    """One directive addressed to one platform, and everything that platform has done about it.

    ``due_at`` is the deadline that currently applies (acknowledgement, then implementation) and is cleared when
    nothing more is owed, so "overdue" is one indexed range scan over open deliveries.
    """

    __table_args__ = (
        sa.UniqueConstraint("directive_id", "platform_id", name="uq_delivery_directive_platform"),
        sa.UniqueConstraint("platform_id", "seq", name="uq_delivery_platform_seq"),
        sa.Index("ix_delivery_directive_state", "directive_id", "state"),
        sa.Index(
            "ix_delivery_open_due",
            "due_at",
            sqlite_where=sa.text("due_at IS NOT NULL"),
            postgresql_where=sa.text("due_at IS NOT NULL"),
        ),
        sa.Index(
            "ix_delivery_next_reminder",
            "next_reminder_at",
            sqlite_where=sa.text("next_reminder_at IS NOT NULL"),
            postgresql_where=sa.text("next_reminder_at IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    directive_id: int = Field(foreign_key="directive.id")
    platform_id: int = Field(foreign_key="organisation.id")
    seq: int
    state: DeliveryState = str_field(16)
    created_at: datetime = Field(sa_type=UTCDateTime)
    delivered_at: datetime | None = utc_field()
    acknowledged_at: datetime | None = utc_field()
    acknowledged_by: str | None = str_field(200, default=None)
    in_progress_at: datetime | None = utc_field()
    implemented_at: datetime | None = utc_field()
    declined_at: datetime | None = utc_field()
    decline_reason: str | None = Field(default=None, sa_type=sa.Text)
    report: str | None = Field(default=None, sa_type=sa.Text)
    reported_by: str | None = str_field(200, default=None)
    verification: Verification | None = str_field(16, default=None)
    verified_at: datetime | None = utc_field()
    verification_note: str | None = Field(default=None, sa_type=sa.Text)
    due_at: datetime | None = utc_field()
    next_reminder_at: datetime | None = utc_field()
    reminders_sent: int = Field(default=0)
    last_reminded_at: datetime | None = utc_field()
    escalated_at: datetime | None = utc_field()
    warned_phase: str | None = str_field(16, default=None)  # the phase whose deadline was announced as near


class Question(SQLModel, table=True):
    """A platform's request for clarification on a delivery, and the issuer's answer."""

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="delivery.id", index=True)
    text: str = Field(sa_type=sa.Text)
    asked_by: str = str_field(200)
    asked_at: datetime = Field(sa_type=UTCDateTime)
    answer: str | None = Field(default=None, sa_type=sa.Text)
    answered_by: str | None = str_field(200, default=None)
    answered_at: datetime | None = utc_field()


class RatioReport(SQLModel, table=True):
    """A platform's own figures for one period: items published, negative items, their ratio."""

    __table_args__ = (sa.Index("ix_ratioreport_platform_period", "platform_id", "period_start"),)

    id: int | None = Field(default=None, primary_key=True)
    platform_id: int = Field(foreign_key="organisation.id")
    period_start: date
    period_end: date
    items_published: int
    negative_items: int
    ratio: float
    threshold: float
    flagged: bool
    note: str | None = Field(default=None, sa_type=sa.Text)
    directive_id: int | None = Field(default=None, foreign_key="directive.id")
    submitted_by: str = str_field(200)
    submitted_at: datetime = Field(sa_type=UTCDateTime)
