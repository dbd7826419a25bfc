"""What the client keeps on disk, in its state folder, so that a restart or a network cut loses nothing.

- ``cursor.json``: the sequence number of the last directive handed over, written atomically.
- ``hub-public-key.pem``: the hub's signing key, pinned at first use.
- ``outbox.sqlite3``: acknowledgements and status reports not yet confirmed by the hub.
- ``rejected.jsonl``: directives whose signature did not verify (kept for the operator to inspect).
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CURSOR = "cursor.json"
PUBLIC_KEY = "hub-public-key.pem"
OUTBOX = "outbox.sqlite3"
REJECTED = "rejected.jsonl"


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that a crash leaves either the old or the new content, never a mix."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class StateDir:
    """The client's state folder: cursor, pinned key and rejected directives."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)

    @property
    def cursor(self) -> int:
        """The sequence number of the last directive handed over (0 before the first)."""
        try:
            return int(json.loads((self.path / CURSOR).read_text(encoding="utf-8"))["seq"])
        except FileNotFoundError:
            return 0

    def save_cursor(self, seq: int) -> None:
        write_atomically(self.path / CURSOR, json.dumps({"seq": seq}) + "\n")

    def public_key(self) -> str | None:
        """The pinned public key of the hub, if one was pinned."""
        try:
            return (self.path / PUBLIC_KEY).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def pin_public_key(self, pem: str) -> None:
        write_atomically(self.path / PUBLIC_KEY, pem)

    def record_rejected(self, payload: Any, reason: str) -> None:
        """Keep a directive that failed verification, with the reason, for the operator."""
        line = json.dumps({"at": time.time(), "reason": reason, "payload": payload}, ensure_ascii=False)
        with open(self.path / REJECTED, "a", encoding="utf-8") as f:
            f.write(line + "\n")
            f.flush()
            os.fsync(f.fileno())

    def rejected(self) -> list[dict[str, Any]]:
        """The directives rejected so far, oldest first."""
        try:
            lines = (self.path / REJECTED).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in lines if line.strip()]


@dataclass(frozen=True)
class Request:
    """One queued request to the hub: a socket event name and its payload."""

    id: int
    event: str
    payload: dict[str, Any]


class Outbox:
    """Requests (``acknowledge``, ``status``) kept on disk until the hub answers them definitively.

    A SQLite file in FULL synchronous mode: once :meth:`add` returns, the request survives a crash or a power cut.
    Several processes (``listen`` and an ``ack`` command) may share it.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = str(path)
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS request ("
                " id INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL, payload TEXT NOT NULL,"
                " queued_at REAL NOT NULL)"
            )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # A connection per call: the outbox is used from several threads and processes, rarely and briefly.
        db = sqlite3.connect(self._path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            yield db
        finally:
            db.close()

    def add(self, event: str, payload: dict[str, Any]) -> Request:
        """Queue a request durably and return it."""
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO request (event, payload, queued_at) VALUES (?, ?, ?)",
                (event, json.dumps(payload, ensure_ascii=False), time.time()),
            )
            return Request(cur.lastrowid, event, payload)

    def pending(self) -> list[Request]:
        """The requests not yet settled, oldest first (the order they are sent in)."""
        with self._connect() as db:
            rows = db.execute("SELECT id, event, payload FROM request ORDER BY id").fetchall()
        return [Request(row[0], row[1], json.loads(row[2])) for row in rows]

    def remove(self, request_id: int) -> None:
        """Forget a request the hub has settled (confirmed or refused)."""
        with self._connect() as db:
            db.execute("DELETE FROM request WHERE id = ?", (request_id,))
