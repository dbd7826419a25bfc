"""The hub's tables (SQLModel) and the enums of their states.

All times are timezone-aware UTC. Enum-valued columns are stored as short strings rather than database enum types
so that adding a value is a data change, not a schema change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, relationship
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, Relationship, SQLModel


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back as an aware datetime (SQLite drops the offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; the hub stores aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_field(**kwargs: Any) -> Any:
    """A nullable UTC timestamp column."""
    kwargs.setdefault("default", None)
    return Field(sa_type=UTCDateTime, **kwargs)


def str_field(length: int, **kwargs: Any) -> Any:
    return Field(sa_type=sa.String(length), **kwargs)


class OrgKind(StrEnum):
    REGULATOR = "regulator"
    PROVINCE = "province"
    PLATFORM = "platform"


class PlatformKind(StrEnum):
    NEWS_SITE = "news_site"
    SOCIAL_NETWORK = "social_network"


class Role(StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    EDITOR = "editor"
    MANAGER = "manager"


class DirectiveKind(StrEnum):
    DIRECTIVE = "directive"
    ORIENTATION = "orientation"
    REMINDER = "reminder"
    RECTIFICATION = "rectification"
    REPORT_REQUEST = "report_request"


class Priority(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    FLASH = "flash"


class DirectiveStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    REVOKED = "revoked"
    EXPIRED = "expired"


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"
    DECLINED = "declined"


OPEN_STATES = (
    DeliveryState.PENDING,
    DeliveryState.DELIVERED,
    DeliveryState.ACKNOWLEDGED,
    DeliveryState.IN_PROGRESS,
)


class Verification(StrEnum):
    VERIFIED = "verified"
    RETURNED = "returned"


class Organisation(SQLModel, table=True):
    """A regulator, a provincial department or a platform (news site or social network)."""

    id: int | None = Field(default=None, primary_key=True)
    kind: OrgKind = str_field(16, index=True)
    code: str = str_field(64, unique=True)
    name: str = str_field(300)
    province: str | None = str_field(8, default=None, index=True)
    platform_kind: PlatformKind | None = str_field(32, default=None)
    licence_no: str | None = str_field(100, default=None)
    domains: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    ref_suffix: str | None = str_field(64, default=None)
    delivery_seq: int = Field(default=0)
    active: bool = Field(default=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class User(SQLModel, table=True):
    """A person who signs in: admin, officer, editor or manager of one organisation."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    role: Role = str_field(16)
    login: str = str_field(100, unique=True)
    display_name: str = str_field(200)
    email: str | None = str_field(254, default=None)
    password_hash: str = str_field(255)
    locale: str | None = str_field(8, default=None)
    active: bool = Field(default=True)
    must_change_password: bool = Field(default=False)  # an admin reset it: a new one before anything else
    created_at: datetime = Field(sa_type=UTCDateTime)


class UserSession(SQLModel, table=True):
    """A signed-in browser: the signed cookie carries a random key whose hash is stored here, so that the hub can
    end the session (logout, password change, deactivation, "sign out everywhere") and its idle and absolute
    limits apply whatever the cookie says."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    key_hash: str = str_field(64, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = utc_field()
    end_reason: str | None = str_field(32, default=None)


class ApiToken(SQLModel, table=True):
    """A bearer credential: a user's personal token or a platform's machine token. Only a hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    label: str = str_field(100)
    prefix: str = str_field(16)
    secret_hash: str = str_field(64, unique=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_used_at: datetime | None = utc_field()
    revoked_at: datetime | None = utc_field()


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


class Event(SQLModel, table=True):
    """One row of the append-only follow-through log; ``hash`` chains it to the row before."""

    __table_args__ = (
        sa.Index("ix_event_directive", "directive_id", "id"),
        sa.Index("ix_event_delivery", "delivery_id", "id"),
    )

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    kind: str = str_field(40, index=True)
    actor: str = str_field(200)
    org_id: int | None = Field(default=None, index=True)
    province: str | None = str_field(8, default=None, index=True)
    directive_id: int | None = Field(default=None)
    delivery_id: int | None = Field(default=None)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    prev_hash: str = str_field(64)
    hash: str = str_field(64)


class LogHead(SQLModel, table=True):
    """The single row holding the end of the hash chain; writers lock it so the chain never forks."""

    id: int = Field(default=1, primary_key=True)
    last_id: int = Field(default=0)
    last_hash: str = str_field(64)


class LogCheckpoint(SQLModel, table=True):
    """A signed statement of the log's head (row ``last_id`` has hash ``head_hash``), also exported off the machine."""

    id: int | None = Field(default=None, primary_key=True)
    last_id: int
    head_hash: str = str_field(64)
    at: datetime = Field(sa_type=UTCDateTime)
    signature: str = str_field(200)
    key_id: str = str_field(64)


class Counter(SQLModel, table=True):
    """Named monotonic counters: the global directive sequence and reference numbers per issuer and year."""

    name: str = str_field(100, primary_key=True)
    value: int = Field(default=0)


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


class SchedulerLock(SQLModel, table=True):
    """A lease in the database so that exactly one hub process runs the scheduler."""

    name: str = str_field(50, primary_key=True)
    holder: str = str_field(200)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins of one account or one address, shared by every hub process and kept across restarts."""

    key: str = str_field(200, primary_key=True)
    failures: int = Field(default=0)
    window_start: datetime = Field(sa_type=UTCDateTime)
    last_failure_at: datetime = Field(sa_type=UTCDateTime)


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


class HeldForm(SQLModel, table=True):
    """The input of a refused page form and why it was refused, kept for an hour under a random key so that the page
    the browser is redirected to (Post/Redirect/Get) can show it again, after a reload or a language switch too."""

    key: str = str_field(64, primary_key=True)
    user_id: int | None = Field(default=None, index=True)  # None before sign-in (the login form)
    form: str = str_field(100)
    content: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
