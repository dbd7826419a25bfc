"""A platform's inbox over HTTP, for platforms that poll or integrate from their CMS: the same facts as the socket.

Receipt, acknowledgement and status are idempotent: repeating one changes nothing and answers ``changed: false``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hub import sockets
from hub.core import deliveries, directive_payload, questions, receipts
from hub.core import inbox as core_inbox
from hub.core.deliveries import Change
from hub.models import Delivery, Directive, Organisation
from hub.web.api import schemas
from hub.web.api.base import (
    ID,
    LIMITED,
    MAX_INT,
    Digits,
    PageQuery,
    blueprint,
    now,
    ok,
    ok_page,
    principal,
    reading,
    writing,
)
from hub.web.limited import limited

bp = blueprint("inbox", __name__, "inbox", "a platform's deliveries and the three facts it reports about each")


class InboxQuery(BaseModel):
    since: Digits = Field(default=0, ge=0, le=MAX_INT, description="the last delivery number (seq) held")
    limit: Digits = Field(default=100, ge=1, le=core_inbox.INBOX_MAX)


class InboxPath(BaseModel):
    directive_id: ID


ReportedState = Literal[*[s.value for s in deliveries.REPORTED]]
WITHOUT_TEXT = {"properties": {"state": {"enum": [s.value for s in deliveries.REPORTED if s not in deliveries.FINAL]}}}
WITH_TEXT = {  # implemented needs a report of what was done, declined a reason (a text that is not only spaces)
    "properties": {
        "state": {"enum": [s.value for s in deliveries.FINAL]},
        "report": {"type": "string", "pattern": r"\S"},
    },
    "required": ["report"],
}


class StatusBody(BaseModel):
    """The state a platform reports; ``report`` is required for implemented (what was done) and declined (why)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"anyOf": [WITHOUT_TEXT, WITH_TEXT]},
    )
    state: ReportedState
    report: str | None = Field(default=None, max_length=deliveries.MAX_REPORT)


class QuestionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=5000, pattern=r"\S", description="not blank")


def _answer(change: Change):
    """After the commit: the consoles' progress when a count moved, then the delivery's state to the caller."""
    if change.refresh:
        sockets.push_progress(change.refresh)
    d = change.delivery
    return ok(schemas.ChangeOut(directive_id=d.directive_id, seq=d.seq, state=d.state, changed=change.changed))


@bp.get(
    "/inbox",
    summary="The platform's deliveries after its sequence number `since`, in order",
    responses={200: schemas.InboxOut},
)
def inbox(query: InboxQuery):
    who = principal()
    with reading() as session:
        rows = core_inbox.inbox(session, who, query.since, query.limit)
        head = core_inbox.inbox_head(session, who.org_id)
    at = now()
    items = [_item(d, directive, issuer, at) for d, directive, issuer in rows]
    return ok(schemas.InboxOut(items=items, head=head))


class InboxPageQuery(PageQuery):
    state: Literal[*core_inbox.INBOX_FILTERS] | None = Field(
        default=None, description="a delivery state; `open`: something is still owed; `overdue`: its deadline passed"
    )
    sort: Literal[*core_inbox.INBOX_SORTS] = Field(
        default="newest", description="`newest`/`oldest` by sequence number; `due`/`-due` by the deadline now owed"
    )


@bp.get(
    "/inbox/items",
    summary="The platform's inbox for people: filtered by state or overdue, sorted by deadline or arrival",
    responses={200: schemas.InboxPage},
)
def inbox_items(query: InboxPageQuery):
    at = now()
    with reading() as session:
        page = core_inbox.inbox_page(
            session, principal(), at, state=query.state, sort=query.sort, page=query.page, per_page=query.per_page
        )
    items = [_item(d, directive, issuer, at) for d, directive, issuer in page.items]
    return ok_page(schemas.InboxPage, items, page)


def _item(d: Delivery, directive: Directive, issuer: Organisation, at: datetime) -> schemas.InboxItem:
    return schemas.InboxItem(
        **directive_payload.payload(directive, issuer),
        seq=d.seq,
        state=d.state,
        delivery_id=d.id,
        due_at=d.due_at,
        overdue=core_inbox.is_overdue(d, at),
    )


@bp.post(
    "/inbox/<int:directive_id>/receipt",
    summary="The platform's system has received it (idempotent)",
    responses={200: schemas.ChangeOut, **LIMITED},
)
@limited("updates")
def receipt(path: InboxPath):
    at = now()
    with writing() as session:
        change = receipts.receipt(session, principal(), at, directive_id=path.directive_id)
    return _answer(change)


@bp.post(
    "/inbox/<int:directive_id>/acknowledge",
    summary="A person or the platform's token confirms it was read",
    responses={200: schemas.ChangeOut, **LIMITED},
)
@limited("updates")
def acknowledge(path: InboxPath):
    with writing() as session:
        change = deliveries.acknowledge(session, principal(), now(), path.directive_id)
    return _answer(change)


@bp.post(
    "/inbox/<int:directive_id>/status",
    summary="Move forward: in_progress, implemented (with a report) or declined (with a reason)",
    responses={200: schemas.ChangeOut, **LIMITED},
)
@limited("updates")
def status(path: InboxPath, body: StatusBody):
    with writing() as session:
        change = deliveries.set_status(session, principal(), now(), path.directive_id, body.state, body.report)
    return _answer(change)


@bp.post(
    "/inbox/<int:directive_id>/questions",
    summary="Ask the issuer to clarify (the same text again within minutes answers the question already asked)",
    responses={201: schemas.QuestionOut, **LIMITED},
)
@limited("questions")
def ask(path: InboxPath, body: QuestionBody):
    with writing() as session:
        asked = questions.ask(session, principal(), now(), path.directive_id, body.text)
        out = schemas.QuestionOut.model_validate(asked.question)
    if asked.fresh:
        sockets.push_question(asked.issuer_province, asked.notice)
    return ok(out, 201)
