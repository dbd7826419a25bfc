"""The follow-through log, filtered and paged, or exported as CSV (streamed, oldest first)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Literal

from flask import Response, request
from flask_openapi3 import APIBlueprint
from pydantic import Field
from sqlmodel import Session

from hub.core import followthrough
from hub.models import Event
from hub.state import current_hub
from hub.throttle import limited
from hub.web.api import schemas
from hub.web.api.base import ERRORS, ID, LIMITED, SECURITY, PageQuery, When, ok, principal, reading, tag

bp = APIBlueprint(
    "events",
    __name__,
    abp_tags=tag("events", "the hash-chained follow-through log"),
    abp_security=SECURITY,
    abp_responses=ERRORS,
)
CSV_COLUMNS = ("id", "at", "kind", "actor", "org_id", "province", "directive_id", "delivery_id", "details", "hash")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class EventQuery(PageQuery):
    kind: str | None = Field(default=None, max_length=40)
    directive_id: ID | None = None
    org_id: ID | None = None
    province: str | None = Field(default=None, max_length=8)
    since: When | None = Field(default=None, description="events at or after this time")
    until: When | None = Field(default=None, description="events before this time")
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
        rows = followthrough.iter_events(session, principal(), **filters)
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
    filters = query.model_dump(include={"kind", "directive_id", "org_id", "province", "since", "until"})
    if query.format == "csv":
        return _export(filters)
    with reading() as session:
        page = followthrough.list_events(session, principal(), page=query.page, per_page=query.per_page, **filters)
        items = [schemas.EventOut.model_validate(e) for e in page.items]
    return ok(schemas.EventPage(items=items, total=page.total, page=page.page, per_page=page.per_page))
