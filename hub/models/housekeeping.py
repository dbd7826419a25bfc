"""What keeps the processes in step: the scheduler's lease and forms held across a redirect."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.models.columns import UTCDateTime, str_field


class SchedulerLock(SQLModel, table=True):
    """A lease in the database so that exactly one hub process runs the scheduler."""

    name: str = str_field(50, primary_key=True)
    holder: str = str_field(200)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class HeldForm(SQLModel, table=True):
    """The input of a refused page form and why it was refused, kept for an hour under a random key so that the page
    the browser is redirected to (Post/Redirect/Get) can show it again, after a reload or a language switch too."""

    key: str = str_field(64, primary_key=True)
    user_id: int | None = Field(default=None, index=True)  # None before sign-in (the login form)
    form: str = str_field(100)
    content: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
