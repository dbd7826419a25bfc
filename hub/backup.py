"""Backups of the hub's database, each with a report naming the log's head and latest signed checkpoint in it.

SQLite is copied with its online backup API in one step: a consistent copy while the hub keeps writing (in WAL mode
readers do not block the writer). PostgreSQL is dumped by ``pg_dump`` (custom format, for ``pg_restore``) inside a
snapshot this module exports and reads the log's head from, so the head in the report is exactly the one in the
dump, whatever was committed while it ran. A backup is written beside its final name and renamed into place when
complete, so a file with the final name is never a partial backup.

The attachments (evidence and official documents, stored by SHA-256 outside the database) are copied after the
database into ``<backup>.attachments/``: a file is on disk before the row that names it commits, so every file the
backup's rows name is there by then (files are never changed once written; later ones are copied too, harmlessly).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess  # nosec B404 # runs pg_dump, found on PATH, with a list of arguments and no shell
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

HEAD = "SELECT last_id, last_hash FROM loghead WHERE id = 1"
CHECKPOINT = "SELECT id, last_id, head_hash, at, key_id FROM logcheckpoint ORDER BY id DESC LIMIT 1"


class BackupError(Exception):
    """A backup could not be taken; the message says why and what to change."""


@dataclass
class Report:
    """What a backup holds: where it is, its size and SHA-256, the log's head and the latest signed checkpoint."""

    path: str
    database: str
    taken_at: str
    size: int
    sha256: str
    head_id: int
    head_hash: str
    checkpoint: dict[str, Any] | None
    attachments: dict[str, Any] | None = None  # where the attachment files were copied, how many, how many bytes

    def lines(self) -> list[str]:
        out = [
            f"backup written: {self.path} ({self.size} bytes, sha256 {self.sha256})",
            f"database: {self.database}, taken at {self.taken_at}",
            f"log head: row {self.head_id}, hash {self.head_hash}",
        ]
        if self.attachments is not None:
            a = self.attachments
            out.append(f"attachments: {a['files']} files ({a['bytes']} bytes) copied to {a['path']}")
        c = self.checkpoint
        if c is None:
            out.append("latest signed checkpoint: none yet")
        else:
            out.append(
                f"latest signed checkpoint: #{c['id']} at row {c['last_id']}, head {c['head_hash']}, "
                f"signed {c['at']} by key {c['key_id']}"
            )
        return out

    def write_json(self) -> Path:
        """The report beside the backup (``<backup>.json``), for comparing a restored log with it later."""
        import orjson

        target = Path(self.path + ".json")
        target.write_bytes(orjson.dumps(asdict(self), option=orjson.OPT_INDENT_2))
        return target


def default_path(instance_path: str, engine: Engine, now: datetime) -> Path:
    """``<instance>/backups/hub-<UTC time>.sqlite3`` (or ``.dump`` for PostgreSQL)."""
    suffix = "sqlite3" if engine.dialect.name == "sqlite" else "dump"
    return Path(instance_path) / "backups" / f"hub-{now:%Y%m%dT%H%M%SZ}.{suffix}"


def take(engine: Engine, to: Path, now: datetime, attachments: Path | None = None) -> Report:
    """Back the database up to ``to`` (which must not exist yet), then the ``attachments`` folder (when given) to
    ``<to>.attachments/``, and report what the backup holds."""
    to = to.resolve()
    if to.exists():
        raise BackupError(f"{to} exists already; give another --to")
    report = _take_database(engine, to, now)
    if attachments is not None:
        report.attachments = copy_attachments(attachments, Path(f"{to}.attachments"))
    return report


def copy_attachments(source: Path, target: Path) -> dict[str, Any]:
    """Copy the content-addressed files of ``source`` into ``target`` (same layout), each through a temporary name
    so that a file with its final name is whole; returns where, how many files and how many bytes."""
    files = size = 0
    for path in sorted(source.glob("??/*")) if source.is_dir() else []:
        if path.name.startswith(".part-") or not path.is_file():
            continue  # a file still being written: its row has not committed, so the backup does not name it
        final = target / path.parent.name / path.name
        if not final.exists():
            final.parent.mkdir(parents=True, exist_ok=True)
            partial = final.with_name(f".part-{final.name}")
            shutil.copyfile(path, partial)
            os.replace(partial, final)
        files, size = files + 1, size + path.stat().st_size
    return {"path": str(target), "files": files, "bytes": size}


def _take_database(engine: Engine, to: Path, now: datetime) -> Report:
    to.parent.mkdir(parents=True, exist_ok=True)
    partial = to.with_name(f".{to.name}.partial")
    try:
        dump = _sqlite_backup if engine.dialect.name == "sqlite" else _pg_dump
        state = dump(engine, partial)
        partial.chmod(0o600)  # password and token hashes: readable by the hub's user only
        os.replace(partial, to)
    finally:
        partial.unlink(missing_ok=True)
    return Report(
        str(to), engine.dialect.name, now.isoformat(timespec="seconds"), to.stat().st_size, _sha256(to), *state
    )


def _sqlite_backup(engine: Engine, target: Path) -> tuple[int, str, dict | None]:
    source = engine.url.database
    if not source or source == ":memory:":
        raise BackupError("DATABASE_URL names no SQLite file to back up")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # all pages in one step: one consistent read of the database
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        return _state(dst.execute(HEAD).fetchone(), _sqlite_checkpoint(dst))
    finally:
        dst.close()
        src.close()


def _sqlite_checkpoint(conn: sqlite3.Connection) -> tuple | None:
    try:
        return conn.execute(CHECKPOINT).fetchone()
    except sqlite3.OperationalError:  # a database from before the checkpoints' migration
        return None


def _pg_dump(engine: Engine, target: Path) -> tuple[int, str, dict | None]:
    """pg_dump in a snapshot exported by a transaction that reads the log's head in the same snapshot."""
    program = shutil.which("pg_dump")
    if program is None:
        raise BackupError(
            "pg_dump not found: install PostgreSQL's client tools of the server's version (Debian: postgresql-client)"
        )
    url = engine.url.set(drivername="postgresql")
    env = {**os.environ, "PGPASSWORD": url.password or os.environ.get("PGPASSWORD", "")}
    dsn = url.set(password=None).render_as_string(hide_password=False)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        head = conn.exec_driver_sql(HEAD).one()
        checkpoint = _pg_checkpoint(conn)
        command = [program, "--format=custom", f"--snapshot={snapshot}", f"--file={target}", f"--dbname={dsn}"]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # nosec B603 # no shell
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return _state(head, checkpoint)


def _pg_checkpoint(conn: sa.Connection) -> tuple | None:
    if not sa.inspect(conn).has_table("logcheckpoint"):
        return None
    return conn.exec_driver_sql(CHECKPOINT).first()


def _state(head, checkpoint) -> tuple[int, str, dict | None]:
    if checkpoint is None:
        return head[0], head[1], None
    at = checkpoint[3]
    at = at.isoformat() if hasattr(at, "isoformat") else str(at)
    keys = ("id", "last_id", "head_hash", "at", "key_id")
    return head[0], head[1], dict(zip(keys, (*checkpoint[:3], at, checkpoint[4]), strict=True))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
