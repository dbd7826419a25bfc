"""``flask --app app backup``: a consistent copy with a report of the log's head in it, and clear refusals."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import sqlalchemy as sa

from hub import backup, clock, create_app
from hub.core import checkpoints
from hub.core.access import SYSTEM
from hub.db import make_engine, write_session
from hub.models import OrgKind, Role
from tests import factories as f
from tests.test_cli import run


def _filled(app) -> None:
    engine = app.extensions["hub"].engine
    now = clock.now()
    officer = f.user(engine, now, f.org(engine, now, OrgKind.REGULATOR), Role.OFFICER)
    f.org(engine, now, OrgKind.PLATFORM, "HNI")
    f.published(engine, now, officer)
    with write_session(engine) as s:
        checkpoints.take(s, SYSTEM, app.extensions["hub"].signer, now)


def test_a_sqlite_backup_holds_the_log_up_to_the_head_its_report_names(app, tmp_path):
    _filled(app)
    target = tmp_path / "out" / "hub.bak"
    result = run(app, "backup", "--to", str(target))
    assert result.exit_code == 0, result.output
    report = json.loads(Path(str(target) + ".json").read_text())
    copy = sqlite3.connect(target)
    head = copy.execute("SELECT last_id, last_hash FROM loghead").fetchone()
    events = copy.execute("SELECT count(*) FROM event").fetchone()[0]
    copy.close()
    assert (report["head_id"], report["head_hash"]) == head and events == head[0]
    assert f"log head: row {head[0]}, hash {head[1]}" in result.output
    assert report["checkpoint"]["last_id"] == head[0] - 1 and "latest signed checkpoint: #1" in result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not list(target.parent.glob(".*partial"))


def test_the_attachment_files_are_copied_beside_the_backup(app, tmp_path):
    _filled(app)
    blobs = app.extensions["hub"].blobs
    stored = [blobs.put(content) for content in (b"%PDF-1.4 evidence", b"\x89PNG screenshot")]
    (blobs.root / stored[0][:2] / ".part-unfinished").write_bytes(b"half a file")  # being written: not named yet
    target = tmp_path / "hub.bak"
    result = run(app, "backup", "--to", str(target))
    assert result.exit_code == 0, result.output
    copied = Path(f"{target}.attachments")
    for digest in stored:  # the same layout: restoring is copying the folder back as instance/attachments
        assert (copied / digest[:2] / digest).read_bytes() == blobs.path(digest).read_bytes()
    assert not list(copied.rglob(".part-*"))
    report = json.loads(Path(f"{target}.json").read_text())
    assert report["attachments"] == {"path": str(copied), "files": 2, "bytes": 32}
    assert f"attachments: 2 files (32 bytes) copied to {copied}" in result.output


def test_a_backup_never_overwrites_a_file(app, tmp_path):
    target = tmp_path / "kept.bak"
    target.write_text("an earlier backup")
    result = run(app, "backup", "--to", str(target))
    assert result.exit_code == 1 and "exists already; give another --to" in result.output
    assert target.read_text() == "an earlier backup"


def test_without_pg_dump_a_postgresql_backup_says_what_to_install(pg_database, tmp_path, monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda _name: None)
    settings = {"instance_path": str(tmp_path / "i"), "database_url": pg_database, "scheduler_enabled": False}
    app = create_app(settings, environ=False)
    result = run(app, "backup", "--to", str(tmp_path / "pg.dump"))
    app.extensions["hub"].engine.dispose()
    assert result.exit_code == 1 and "pg_dump not found" in result.output and "postgresql-client" in result.output
    assert not (tmp_path / "pg.dump").exists()


def test_a_postgresql_backup_reports_the_head_of_the_database_it_dumped(pg_engine, pg_database, tmp_path):
    settings = {"instance_path": str(tmp_path / "i"), "database_url": pg_database, "scheduler_enabled": False}
    app = create_app(settings, environ=False)
    _filled(app)
    report = backup.take(app.extensions["hub"].engine, tmp_path / "pg.dump", clock.now())
    app.extensions["hub"].engine.dispose()
    engine = make_engine(pg_database)
    with engine.connect() as conn:
        live = conn.execute(sa.text("SELECT last_id, last_hash FROM loghead")).one()
    engine.dispose()
    assert (report.head_id, report.head_hash) == tuple(live)
    assert report.size > 0 and len(report.sha256) == 64
