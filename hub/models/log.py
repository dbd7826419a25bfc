"""The follow-through log: hash-chained events, its head, signed checkpoints, and the per-issuer counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.models.columns import UTCDateTime, str_field


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
