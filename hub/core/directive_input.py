"""What an officer writes (DirectiveInput) and the JSON input types it is built from: integers, times, limits.

The same schema validates the JSON API, the composer form and the OpenAPI document.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

from hub.core import audiences
from hub.models import DirectiveKind, Priority

MAX_BODY = 50_000

ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def json_integer(value: Any) -> Any:
    """A JSON integer (5 or 5.0, as JSON Schema counts them), never a boolean or a numeric string."""
    if isinstance(value, bool | str):
        raise ValueError("must be a JSON integer, not a boolean or a string")
    return value


# Constraints first, so that the document states them (pydantic drops them when they follow a validator).
RemindInterval = Annotated[int, Field(ge=5, le=60 * 24 * 30), BeforeValidator(json_integer)]
RemindLimit = Annotated[int, Field(ge=0, le=50), BeforeValidator(json_integer)]
EscalateAfter = Annotated[int, Field(ge=0, le=60 * 24 * 90), BeforeValidator(json_integer)]


def iso_time(value: Any) -> Any:
    """A time is written as ISO 8601 (the zone is checked next), never as a number of seconds or a bare date."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not ISO_TIME.match(value):
        raise ValueError("must be an ISO 8601 date-time with a zone, e.g. 2026-03-02T08:00:00+07:00")
    return value


def utc_representable(value: datetime | None) -> datetime | None:
    """Refuse aware times that have no UTC equivalent (year 1 or 9999 with an offset) before a database sees them."""
    if value is not None:
        try:
            value.astimezone(UTC)
        except OverflowError:
            raise ValueError("the time is out of range") from None
    return value


Time = Annotated[AwareDatetime, BeforeValidator(iso_time), AfterValidator(utc_representable)]


class DirectiveInput(BaseModel):
    """What an officer writes: the same schema validates the JSON API, the composer form and the OpenAPI doc."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: DirectiveKind = DirectiveKind.DIRECTIVE
    title: str = Field(min_length=1, max_length=300, pattern=r"\S")  # stripped, then not blank
    body: str = Field(min_length=1, max_length=MAX_BODY, pattern=r"\S", description="Markdown; sanitised when rendered")
    priority: Priority = Priority.ROUTINE
    audience: audiences.Audience
    legal_basis: str | None = Field(default=None, max_length=500)
    exercise: StrictBool = False
    publish_at: Time | None = Field(default=None, description="a future time (422 otherwise)")
    ack_due_at: Time | None = Field(default=None, description="after the publication (422 otherwise)")
    implement_due_at: Time | None = Field(default=None, description="after the publication, not before ack_due_at")
    expires_at: Time | None = Field(default=None, description="after the publication, not before implement_due_at")
    remind_interval_minutes: RemindInterval | None = None
    remind_limit: RemindLimit | None = None
    escalate_after_minutes: EscalateAfter | None = None
