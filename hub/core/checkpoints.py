"""Signed checkpoints of the log's head, so that tampering shows without trusting the database.

A checkpoint states "row ``last_id`` of the log has hash ``head_hash``", signed with the hub's Ed25519 key. It is
kept as a :class:`LogCheckpoint` row, recorded as a ``checkpoint`` event in the log itself, and exported as one JSON
line to a file the operator ships off the machine. Someone who can write the database can recompute every hash or
delete the newest rows and move the head back, but cannot change the lines already shipped nor sign new ones:
:func:`audit` compares the present log with those lines and names the first one it no longer extends.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import log
from hub.core.access import Principal
from hub.core.errors import Forbidden
from hub.core.signing import Signer, fingerprint, verify_bytes
from hub.models import Event, LogCheckpoint, Role

KIND = "checkpoint"
STATEMENT = "directive-hub log checkpoint"
CHUNK = 1000


def signed_bytes(last_id: int, head_hash: str, at: str) -> bytes:
    """The bytes a checkpoint's signature covers: what it states, canonically encoded."""
    return log.canonical({"statement": STATEMENT, "last_id": last_id, "head": head_hash, "at": at}).encode()


def latest(session: Session) -> LogCheckpoint | None:
    """The newest checkpoint recorded in the database (what consoles and printed reports show); not scoped: it
    reveals a row number and a hash, nothing of any organisation."""
    return session.exec(select(LogCheckpoint).order_by(LogCheckpoint.id.desc()).limit(1)).first()


def take(
    session: Session, principal: Principal, signer: Signer, now: datetime, every: timedelta | None = None
) -> LogCheckpoint | None:
    """Sign the log's head and record it (admins and the system only); None when the head has not moved (or, with
    ``every``, one is not yet due). The head covered is the one before the checkpoint's own event, so "moved" means
    more than that event."""
    if principal.is_platform or principal.role != Role.ADMIN:
        raise Forbidden("admin_only_checkpoint")
    head = log.lock(session)
    last = latest(session)
    if head.last_id == 0 or (last is not None and head.last_id <= last.last_id + 1):
        return None
    if every is not None and last is not None and now - last.at < every:
        return None
    at = now.replace(microsecond=0)
    signature = signer.sign_bytes(signed_bytes(head.last_id, head.last_hash, at.isoformat()))
    checkpoint = LogCheckpoint(
        last_id=head.last_id,
        head_hash=head.last_hash,
        at=at,
        signature=signature,
        key_id=fingerprint(signer.public_pem()),
    )
    session.add(checkpoint)
    session.flush()
    details = {"checkpoint_id": checkpoint.id, "last_id": checkpoint.last_id, "head": checkpoint.head_hash}
    log.append(session, log.EventDraft(KIND, principal.label, now, details={**details, "key_id": checkpoint.key_id}))
    return checkpoint


def as_record(checkpoint: LogCheckpoint) -> dict[str, Any]:
    """A checkpoint as plain values: one line of the exported file, the console push and the API answer."""
    return {
        "checkpoint": checkpoint.id,
        "last_id": checkpoint.last_id,
        "head": checkpoint.head_hash,
        "at": checkpoint.at.isoformat(),
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
    }


def to_line(checkpoint: LogCheckpoint) -> str:
    """One line of the checkpoint file (JSON, no newline inside)."""
    return log.canonical(as_record(checkpoint))


@dataclass(frozen=True)
class Exported:
    """A checkpoint as read back from the exported file."""

    line: int
    last_id: int
    head: str
    at: str
    key_id: str
    signature: str


def parse_line(number: int, text: str) -> Exported:
    """Read one line of the checkpoint file; ValueError says what is wrong with it."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise ValueError("not JSON") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    values = {name: data.get(name) for name in ("last_id", "head", "at", "key_id", "signature")}
    if type(values["last_id"]) is not int or values["last_id"] < 1:
        raise ValueError("last_id is not a positive integer")
    for name in ("head", "at", "key_id", "signature"):
        if not isinstance(values[name], str) or not values[name]:
            raise ValueError(f"{name} is missing")
    return Exported(line=number, **values)


@dataclass
class Audit:
    """What comparing the log with the exported checkpoints found: how many held, and the first that did not."""

    checked: int = 0
    failed: Exported | None = None
    line: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _lines(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    for number, text in enumerate(lines, 1):
        if text.strip():
            yield number, text.strip()


def _signature_problem(entry: Exported, public_pem: str, key_id: str) -> str | None:
    if entry.key_id != key_id:
        return f"signed with another key ({entry.key_id}, not {key_id})"
    if not verify_bytes(public_pem, signed_bytes(entry.last_id, entry.head, entry.at), entry.signature):
        return "the signature does not verify: forged or altered line"
    return None


def _row_problem(entry: Exported, hashes: dict[int, str], log_end: int) -> str | None:
    if entry.last_id > log_end:
        return f"rows removed after it: the log ends at row {log_end}, before its row {entry.last_id} (head moved back)"
    if entry.last_id not in hashes:
        return f"row {entry.last_id} is missing"
    if hashes[entry.last_id] != entry.head:
        return f"history rewritten: row {entry.last_id} no longer has the head hash it had"
    return None


def audit(session: Session, lines: Iterable[str], public_pem: str) -> Audit:
    """Check that the present log extends every exported checkpoint, in file order, in chunks of rows."""
    result, key_id = Audit(), fingerprint(public_pem)
    log_end = session.scalar(sa.select(sa.func.coalesce(sa.func.max(Event.id), 0)))
    pending: list[Exported] = []
    for number, text in _lines(lines):
        try:
            pending.append(parse_line(number, text))
        except ValueError as exc:
            return _fail(result, None, number, f"unreadable line: {exc}")
        if len(pending) == CHUNK:
            if not _check(session, pending, public_pem, key_id, log_end, result):
                return result
            pending = []
    if pending:
        _check(session, pending, public_pem, key_id, log_end, result)
    return result


def _check(
    session: Session, entries: list[Exported], public_pem: str, key_id: str, log_end: int, result: Audit
) -> bool:
    ids = {e.last_id for e in entries}
    hashes = dict(session.exec(select(Event.id, Event.hash).where(Event.id.in_(ids))).all())
    for entry in entries:
        problem = _signature_problem(entry, public_pem, key_id) or _row_problem(entry, hashes, log_end)
        if problem:
            _fail(result, entry, entry.line, problem)
            return False
        result.checked += 1
    return True


def _fail(result: Audit, entry: Exported | None, line: int, problem: str) -> Audit:
    result.failed, result.line, result.problem = entry, line, problem
    return result
