"""The follow-through log: append-only Event rows, each carrying the hash of the row before it, and its reading
within the reader's scope.

Every writer locks the single :class:`LogHead` row for the rest of its transaction, so the chain never forks (on
SQLite the ``BEGIN IMMEDIATE`` write lock already serialises writers). ``verify`` recomputes the chain and names
the first row that was altered, inserted or removed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import paging, search
from hub.core.access import Principal, directive_scope, require_reader
from hub.core.limits import MAX_INT
from hub.models import Directive, Event, LogHead, Organisation

GENESIS = "0" * 64


@dataclass
class EventDraft:
    """An event not yet written: what happened, who did it, to what."""

    kind: str
    actor: str
    at: datetime
    org_id: int | None = None
    province: str | None = None
    directive_id: int | None = None
    delivery_id: int | None = None
    details: dict[str, Any] | None = None


def canonical(data: Any) -> str:
    """The one serialisation that is hashed and signed: sorted keys, no spaces, UTF-8 text, ISO 8601 times."""
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str).decode()


_PLAIN = (str, int, float, bool, type(None))


def _normalise(details: dict[str, Any] | None) -> dict[str, Any]:
    # What is hashed must be exactly what the JSON column gives back: flat details of plain values already are;
    # anything else (times, nested values, non-string keys) takes a round trip through JSON.
    if not details:
        return {}
    if all(type(k) is str and type(v) in _PLAIN for k, v in details.items()):
        return details
    return orjson.loads(canonical(details))


def row_hash(prev_hash: str, row: dict[str, Any]) -> str:
    """The hash of one event row, given the hash of the row before it."""
    body = canonical(
        {
            "id": row["id"],
            "at": row["at"].isoformat(),
            "kind": row["kind"],
            "actor": row["actor"],
            "org_id": row["org_id"],
            "province": row["province"],
            "directive_id": row["directive_id"],
            "delivery_id": row["delivery_id"],
            "details": row["details"],
        }
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def _lock_head(session: Session) -> LogHead:
    head = session.exec(select(LogHead).where(LogHead.id == 1).with_for_update()).first()
    if head is None:
        head = LogHead(id=1, last_id=0, last_hash=GENESIS)
        session.add(head)
        session.flush()
    return head


def lock(session: Session) -> LogHead:
    """Take the log's write lock for the rest of the transaction (writers that touch many rows take it first)."""
    return _lock_head(session)


def append_many(session: Session, drafts: Iterable[EventDraft]) -> list[dict[str, Any]]:
    """Append events in order within the caller's transaction, with one bulk insert; returns the rows."""
    drafts = list(drafts)
    if not drafts:
        return []
    head = _lock_head(session)
    rows: list[dict[str, Any]] = []
    last_id, last_hash = head.last_id, head.last_hash
    for draft in drafts:
        last_id += 1
        row = {
            "id": last_id,
            "at": draft.at,
            "kind": draft.kind,
            "actor": draft.actor,
            "org_id": draft.org_id,
            "province": draft.province,
            "directive_id": draft.directive_id,
            "delivery_id": draft.delivery_id,
            "details": _normalise(draft.details),
            "prev_hash": last_hash,
        }
        row["hash"] = last_hash = row_hash(row["prev_hash"], row)
        rows.append(row)
    _insert(session, rows)
    head.last_id, head.last_hash = last_id, last_hash
    session.add(head)
    session.flush()
    return rows


_COLUMNS = (
    "id",
    "at",
    "kind",
    "actor",
    "org_id",
    "province",
    "directive_id",
    "delivery_id",
    "details",
    "prev_hash",
    "hash",
)


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    """One driver-level statement: the log is the hub's hottest insert (a reminder sweep writes a row per delivery),
    and SQLAlchemy's per-row type processing would cost more than the database does. SQLite runs an executemany in
    C; on PostgreSQL an executemany is a statement (a round trip through the pipeline) per row, so the rows go as
    one array per column into one INSERT."""
    conn = session.connection()
    sqlite = conn.dialect.name == "sqlite"
    ats: dict[datetime, Any] = {}  # a batch's rows mostly share one time: convert each time once
    # One tuple per row, in the order of _COLUMNS.
    params = [
        (
            r["id"],
            ats[r["at"]] if r["at"] in ats else ats.setdefault(r["at"], _sqlite_time(r["at"]) if sqlite else r["at"]),
            r["kind"],
            r["actor"],
            r["org_id"],
            r["province"],
            r["directive_id"],
            r["delivery_id"],
            canonical(r["details"]),
            r["prev_hash"],
            r["hash"],
        )
        for r in rows
    ]
    if sqlite:
        conn.exec_driver_sql(_SQLITE_INSERT, params)
    else:
        conn.exec_driver_sql(_PG_INSERT, tuple(list(column) for column in zip(*params, strict=True)))


def _sqlite_time(value: datetime) -> str:
    """The text format SQLAlchemy's SQLite DateTime type reads back (naive UTC, always with microseconds)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


_SQLITE_INSERT = f"INSERT INTO event ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})"  # nosec B608 # constant names, bound values
_PG_ARRAYS = ("int", "timestamptz", "text", "text", "int", "text", "int", "int", "text", "text", "text")  # as _COLUMNS
_PG_INSERT = (
    f"INSERT INTO event ({', '.join(_COLUMNS)}) "  # nosec B608 # constant names, bound values
    f"SELECT {', '.join('details::json' if c == 'details' else c for c in _COLUMNS)} "
    f"FROM unnest({', '.join(f'%s::{t}[]' for t in _PG_ARRAYS)}) AS row({', '.join(_COLUMNS)})"
)


def append(session: Session, draft: EventDraft) -> dict[str, Any]:
    """Append one event within the caller's transaction."""
    return append_many(session, [draft])[0]


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    head_hash: str
    bad_id: int | None = None
    problem: str | None = None


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Walk the whole chain; report the first row that was changed, inserted or removed."""
    prev_hash, expected_id, checked = GENESIS, 1, 0
    last_id = 0
    while True:
        rows = session.exec(select(Event).where(Event.id > last_id).order_by(Event.id).limit(batch)).all()
        if not rows:
            break
        for event in rows:
            data = event.model_dump()
            if event.id != expected_id:
                problem = "removed" if event.id > expected_id else "inserted"
                return VerifyResult(False, checked, prev_hash, expected_id, f"row {expected_id} {problem}")
            if event.prev_hash != prev_hash or row_hash(prev_hash, data) != event.hash:
                what = "altered" if event.prev_hash == prev_hash else "inserted or altered"
                return VerifyResult(False, checked, prev_hash, event.id, f"row {event.id} {what}")
            prev_hash, expected_id, last_id = event.hash, event.id + 1, event.id
            checked += 1
        session.expunge_all()
    head = session.get(LogHead, 1)
    if head is not None and (head.last_id != last_id or head.last_hash != prev_hash):
        bad = last_id + 1 if head.last_id > last_id else head.last_id + 1
        return VerifyResult(
            False, checked, prev_hash, bad, f"the chain ends at row {last_id} but the head says {head.last_id}"
        )
    return VerifyResult(True, checked, prev_hash)


def event_filters(
    *,
    kind: str | None = None,
    directive_id: int | None = None,
    directive_ids: list[int] | None = None,
    org_id: int | None = None,
    province: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[sa.ColumnElement[bool]]:
    """Conditions on :class:`Event` for the usual filters of the log pages and exports."""
    conds: list[sa.ColumnElement[bool]] = []
    if kind:
        conds.append(Event.kind == kind)
    if directive_id is not None:
        conds.append(Event.directive_id == directive_id)
    if directive_ids is not None:  # an empty list matches nothing, as a reference number that names nothing should
        conds.append(Event.directive_id.in_(directive_ids))
    if org_id is not None:
        conds.append(Event.org_id == org_id)
    if province:
        conds.append(Event.province == province)
    if since is not None:
        conds.append(Event.at >= since)
    if until is not None:
        conds.append(Event.at < until)
    return conds


def directives_named(session: Session, principal: Principal, reference: str) -> list[int]:
    """The directives in the reader's scope that a person names by what they see: the reference number
    ("5/PTTH&TTĐT", spaces around it ignored) or the list's "#12"; none when it names nothing they may read."""
    require_reader(principal)
    text = " ".join(reference.split())
    by_ref = session.exec(select(Directive.id).where(Directive.ref_no == text, directive_scope(principal))).all()
    number = text.removeprefix("#")
    if by_ref or not number.isdigit() or int(number) > MAX_INT:
        return list(by_ref)
    by_id = session.exec(select(Directive.id).where(Directive.id == int(number), directive_scope(principal))).all()
    return list(by_id)


def describe(session: Session, events: list[Event]) -> tuple[dict[int, Organisation], dict[int, Directive]]:
    """The organisations and directives a page or an export of ``events`` names (one query each)."""
    org_ids = {e.org_id for e in events if e.org_id is not None}
    directive_ids = {e.directive_id for e in events if e.directive_id is not None}
    orgs = session.exec(select(Organisation).where(Organisation.id.in_(org_ids))).all() if org_ids else []
    found = session.exec(select(Directive).where(Directive.id.in_(directive_ids))).all() if directive_ids else []
    return {o.id: o for o in orgs}, {d.id: d for d in found}


def list_events(
    session: Session,
    principal: Principal,
    *,
    page: int = 1,
    per_page: int = 100,
    q: str | None = None,
    **filters: Any,
) -> paging.Page[Event]:
    """The follow-through log, newest first, within the reader's scope; ``q`` keeps the events of the directives
    holding its words."""
    require_reader(principal)
    query = select(Event).where(*event_filters(**filters), *_about_words(session, q)).order_by(Event.id.desc())
    query = query.where(event_scope(principal))
    return paging.paginate(session, query, page, per_page)


def _about_words(session: Session, q: str | None) -> list[sa.ColumnElement[bool]]:
    found = search.matching(session, q)
    return [] if found is None else [Event.directive_id.in_(select(Directive.id).where(found))]


def event_scope(principal: Principal) -> sa.ColumnElement[bool]:
    """The central regulator reads the whole log; a province the events of its province and organisation, and the
    directive-level events (published, amended, revoked …) of the directives that reach it."""
    if principal.is_regulator:
        return sa.true()
    if principal.is_province:
        visible = sa.select(Directive.id).where(directive_scope(principal))
        return sa.or_(
            Event.province == principal.province,
            Event.org_id == principal.org_id,
            sa.and_(Event.delivery_id.is_(None), Event.directive_id.in_(visible)),
        )
    return Event.org_id == principal.org_id


def iter_events(session: Session, principal: Principal, batch: int = 2000, q: str | None = None, **filters: Any):
    """Every event in scope, oldest first, in batches (for CSV export without loading the log into memory)."""
    require_reader(principal)
    last = 0
    words = _about_words(session, q)
    while True:
        rows = session.exec(
            select(Event)
            .where(Event.id > last, event_scope(principal), *event_filters(**filters), *words)
            .order_by(Event.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id
        session.expunge_all()
