"""Who takes part: organisations, the people who sign in, their sessions and tokens, failed sign-ins."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.models.columns import UTCDateTime, str_field, utc_field
from hub.models.enums import (
    OrgKind,
    PlatformKind,
    Role,
)


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
    # E-mail of non-urgent notices: "immediate", "digest" (one mail a day) or "off" (docs/mail.md).
    mail_notices: str = str_field(16, default="immediate", sa_column_kwargs={"server_default": "immediate"})
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


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins of one account or one address, shared by every hub process and kept across restarts."""

    key: str = str_field(200, primary_key=True)
    failures: int = Field(default=0)
    window_start: datetime = Field(sa_type=UTCDateTime)
    last_failure_at: datetime = Field(sa_type=UTCDateTime)
