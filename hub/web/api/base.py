"""What every group of the JSON API shares: request checks, the calling principal, transactions, shared schemas.

flask-openapi3 validates bodies with ``request.get_json(silent=True)``, which turns malformed JSON into an empty
body and so into a misleading 422. :func:`check_request` runs first and answers malformed or non-JSON bodies with
400, and strings no database can store (NUL, lone surrogates) with 422, before any schema sees them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any, Literal

from flask import jsonify, request
from flask_openapi3 import APIBlueprint, Tag
from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, create_model
from sqlmodel import Session, SQLModel

from hub import clock
from hub.core.access import Principal
from hub.core.directive_input import iso_time, json_integer, utc_representable
from hub.core.errors import InvalidInput, MalformedJson
from hub.core.limits import MAX_INT, storable
from hub.db import read_session, write_session
from hub.provinces import PROVINCES
from hub.runtime import current_hub
from hub.web.auth import current_principal


def _digits(value: Any) -> Any:
    """A path or query integer is written in digits: no '1.0', ' 1', '1_0', 'true' or booleans."""
    if isinstance(value, bool) or (isinstance(value, str) and not (value.isascii() and value.isdigit())):
        raise ValueError("must be an integer written in digits")
    return value


Digits = Annotated[int, BeforeValidator(_digits)]
ID = Annotated[int, Field(ge=1, le=MAX_INT, description="a positive id"), BeforeValidator(_digits)]
BodyID = Annotated[int, Field(ge=1, le=MAX_INT, description="a positive id"), BeforeValidator(json_integer)]
When = Annotated[AwareDatetime, BeforeValidator(iso_time), AfterValidator(utc_representable)]
Province = Literal[*sorted(PROVINCES)]  # a province code of hub/provinces.py; anything else is a 422
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
SECURITY = [{"bearer": []}, {"session": []}]
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "a personal or machine API token (dh_...)"},
    "session": {"type": "apiKey", "in": "cookie", "name": "session", "description": "the web session (with CSRF)"},
}


class ErrorOut(BaseModel):
    """Every error: a stable code, a message for people, and for schema errors the failing fields."""

    error: str = Field(examples=["not_found"], description="the kind of refusal")
    code: str | None = Field(
        default=None, examples=["directive_not_found"], description="the stable code of the message (hub errors)"
    )
    message: str = Field(description="for people, in the request's language (Accept-Language)")
    details: list[dict[str, Any]] | dict[str, Any] | None = None
    request_id: str | None = Field(
        default=None, description="the id of this request in the hub's log (the X-Request-ID it was sent or given)"
    )


class RateLimitedOut(BaseModel):
    """429: this caller repeated this kind of call too often; ``Retry-After`` (header) says the same in seconds."""

    error: str = Field(examples=["rate_limited"])
    message: str
    retry_after: int = Field(ge=1, description="seconds to wait before trying again")
    request_id: str | None = Field(default=None, description="the id of this request in the hub's log")


ERRORS: dict[int, type[BaseModel]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}
LIMITED: dict[int, type[BaseModel]] = {429: RateLimitedOut}  # on the operations that hub.throttle limits


class PageQuery(BaseModel):
    page: Digits = Field(default=1, ge=1, le=1_000_000)
    per_page: Digits = Field(default=50, ge=1, le=500)


class Out(BaseModel):
    """Base of response schemas: built from rows."""

    model_config = ConfigDict(from_attributes=True)


def from_table(name: str, table: type[SQLModel], *, exclude: tuple[str, ...] = (), **fields: Any) -> type[Out]:
    """A response schema holding the columns of ``table`` (all but ``exclude``), typed as the table types them, so
    that what a row holds is declared once, in the table; ``fields`` add to them or replace one (to describe it).

    For the domain's records (directives, deliveries, reports, the log), which their readers may see whole. Accounts
    (organisations, users, tokens) list their fields one by one instead: a column added to them later — a secret —
    must never reach the API unasked."""
    columns = {
        column: (int if column == "id" else info.annotation, ...)  # a row read back always has its id
        for column, info in table.model_fields.items()
        if column not in exclude
    }
    return create_model(name, __base__=Out, **(columns | fields))


def tag(name: str, description: str) -> list[Tag]:
    return [Tag(name=name, description=description)]


def blueprint(name: str, import_name: str, tag_name: str, description: str) -> APIBlueprint:
    """One group of the API: its tag in the OpenAPI document, the bearer-or-session security and the shared error
    answers, the same for every group."""
    return APIBlueprint(
        name, import_name, abp_tags=tag(tag_name, description), abp_security=SECURITY, abp_responses=ERRORS
    )


def _unstorable(where: list[tuple[str | int, ...]]) -> InvalidInput:
    names = [".".join(str(p) for p in loc) or "body" for loc in where]
    details = [{"loc": list(loc), "msg": "NUL characters and unpaired surrogates are not allowed"} for loc in where]
    return InvalidInput("text_unstorable", details=details, field=names[0])


def _check_strings(data: Any) -> None:
    """Walk parsed JSON without recursion and refuse strings a database cannot store, naming where they are."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    found = []
    while stack:
        loc, item = stack.pop()
        if isinstance(item, str) and not storable(item):
            found.append(loc)
        elif isinstance(item, dict):
            found.extend((*loc, key) for key in item if not storable(key))
            stack.extend(((*loc, key), value) for key, value in item.items())
        elif isinstance(item, list):
            stack.extend(((*loc, i), value) for i, value in enumerate(item))
    if found:
        raise _unstorable(sorted(found, key=str))


# The views that take files (evidence and official documents, API and pages): their body may be larger.
UPLOAD_ENDPOINTS = {
    "api.attachments.upload",
    "api.attachments.attach_document",
    "pages.report_status",
    "pages.attach_documents",
}


def widen_upload_body() -> None:
    """Runs first on every request (before CSRF reads a form): let uploads carry a full report's files."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = current_hub().upload_body_limit


def check_request() -> None:
    """Runs before every API view: bad JSON is a 400, unstorable strings a 422, oversize bodies a 413."""
    bad = [(key,) for key, value in request.args.items(multi=True) if not (storable(key) and storable(value))]
    if bad:
        raise _unstorable(bad)
    if request.method not in BODY_METHODS:
        return
    if request.endpoint in UPLOAD_ENDPOINTS and request.mimetype == "multipart/form-data":
        return  # evidence files, read by the view
    raw = request.get_data(cache=True)  # raises 413 beyond MAX_CONTENT_LENGTH
    if not raw.strip():
        return
    if not request.is_json:
        raise MalformedJson("body_not_json")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise MalformedJson("body_malformed", reason=str(exc)[:200]) from None
    if not isinstance(data, dict):
        raise InvalidInput("body_not_object")
    _check_strings(data)


def principal() -> Principal:
    """The caller (already authenticated before the view ran)."""
    return current_principal()


@contextmanager
def writing() -> Iterator[Session]:
    """One write transaction, committed when the block ends; push only after it."""
    with write_session(current_hub().engine) as session:
        yield session


@contextmanager
def reading() -> Iterator[Session]:
    with read_session(current_hub().engine) as session:
        yield session


def now() -> datetime:
    return clock.now()


def ok(model: BaseModel, status: int = 200):
    response = jsonify(model.model_dump(mode="json"))
    response.status_code = status
    return response


def ok_page(schema: type[BaseModel], items: list, page: Any):
    """A list's answer: one page of ``items`` with the total and the page's number and size (``hub.core.paging``)."""
    return ok(schema(items=items, total=page.total, page=page.page, per_page=page.per_page))
