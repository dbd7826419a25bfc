"""The follow-through log, filtered and paged, or exported as CSV (streamed, oldest first)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Literal

from flask import Response, request
from pydantic import BaseModel, Field
from sqlmodel import Session

from hub import checkpointing
from hub.core import checkpoints, log
from hub.core.access import require_reader
from hub.models import Event
from hub.runtime import current_hub
from hub.web.api import schemas
from hub.web.api.base import (
    ID,
    LIMITED,
    Out,
    PageQuery,
    Province,
    When,
    blueprint,
    now,
    ok,
    ok_page,
    principal,
    reading,
)
from hub.web.limited import limited

bp = blueprint("events", __name__, "events", "the hash-chained follow-through log")
CSV_COLUMNS = ("id", "at", "kind", "actor", "org_id", "province", "directive_id", "delivery_id", "details", "hash")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class EventQuery(PageQuery):
    kind: str | None = Field(default=None, max_length=40)
    directive_id: ID | None = None
    org_id: ID | None = None
    province: Province | None = None
    since: When | None = Field(default=None, description="events at or after this time")
    until: When | None = Field(default=None, description="events before this time")
    q: str | None = Field(
        default=None,
        max_length=200,
        description="words of the events' directive (reference number, title, body), diacritics ignored",
    )
    format: Literal["json", "csv"] = "json"


def _cell(value) -> str:
    text = "" if value is None else json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)
    # A spreadsheet would run a cell that starts like a formula; actors and details can carry user input.
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_line(values) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


def _export(filters: dict) -> Response:
    session = Session(current_hub().engine, expire_on_commit=False)
    try:
        rows = log.iter_events(session, principal(), **filters)
        first = next(rows, None)  # refusals (forbidden) surface here, before the response starts
    except BaseException:
        session.close()
        raise

    def generate() -> Iterator[str]:
        yield _csv_line(CSV_COLUMNS)
        event: Event | None = first
        while event is not None:
            yield _csv_line([_cell(getattr(event, c) if c != "at" else event.at.isoformat()) for c in CSV_COLUMNS])
            event = next(rows, None)

    response = Response(
        generate(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="events.csv"'},
    )
    response.call_on_close(session.close)  # also when the client goes away before the first row
    return response


@bp.get(
    "/events",
    summary="The follow-through log in your scope (newest first); `format=csv` exports every match, oldest first",
    responses={200: schemas.EventPage, **LIMITED},
)
@limited("exports", exempt_when=lambda: request.args.get("format") != "csv")
def index(query: EventQuery):
    filters = query.model_dump(include={"kind", "directive_id", "org_id", "province", "since", "until", "q"})
    if query.format == "csv":
        return _export(filters)
    with reading() as session:
        page = log.list_events(session, principal(), page=query.page, per_page=query.per_page, **filters)
        items = [schemas.EventOut.model_validate(e) for e in page.items]
    return ok_page(schemas.EventPage, items, page)


class CheckpointOut(Out):
    """A signed checkpoint of the log's head, as exported to the checkpoint file."""

    checkpoint: int
    last_id: int = Field(description="the id of the last event it covers")
    head: str = Field(description="that event's hash")
    at: str
    key_id: str = Field(description="the fingerprint of the signing key (see /api/v1/signing-key)")
    signature: str = Field(description="Ed25519, base64, over the statement documented in docs/log.md")


class CheckpointTaken(BaseModel):
    taken: bool = Field(description="false when the log has not moved since the last checkpoint")
    checkpoint: CheckpointOut | None


@bp.get("/log/checkpoint", summary="The latest signed checkpoint of the log's head", responses={200: CheckpointTaken})
def latest_checkpoint():
    require_reader(principal())
    with reading() as session:
        found = checkpoints.latest(session)
        record = CheckpointOut(**checkpoints.as_record(found)) if found else None
    return ok(CheckpointTaken(taken=False, checkpoint=record))


@bp.post(
    "/log/checkpoints",
    summary="Sign the log's head now (admin); appended to the checkpoint file and pushed to the consoles",
    responses={201: CheckpointTaken, 200: CheckpointTaken},
)
def take_checkpoint():
    taken = checkpointing.take(current_hub(), principal(), now())
    if taken is None:
        return latest_checkpoint()
    return ok(CheckpointTaken(taken=True, checkpoint=CheckpointOut(**taken)), 201)
