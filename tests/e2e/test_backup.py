"""A backup taken during a publish storm restores into a fresh database whose log verifies and ends at the head the
backup's report named (SQLite and PostgreSQL), following the restore steps of ``docs/operations.md``."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import socketio

from hub.db import make_engine
from tests.conftest import need_service
from tests.e2e.hubproc import ROOT, wait_until
from tests.e2e.world import World, create_pg_database, drop_pg_database

pytestmark = pytest.mark.slow
PLATFORMS = 8
PUBLISHES = 10  # before the backup starts; the storm goes on until it is done


class Acknowledger:
    """A platform's system: receipts every directive it is sent, and acknowledges every other one."""

    def __init__(self, url: str, token: str) -> None:
        self.sio = socketio.Client(reconnection=False)
        self.seen: list[int] = []
        self.sio.on("directive", self._on_directive, namespace="/platform")
        auth = {"token": token, "since": 0}
        self.sio.connect(url, namespaces=["/platform"], auth=auth, transports=["websocket"], wait_timeout=10)

    def _on_directive(self, data: dict) -> None:
        self.seen.append(data["id"])
        self.sio.emit("receipt", {"directive_id": data["id"]}, namespace="/platform")
        if data["id"] % 2:
            self.sio.emit("acknowledge", {"directive_id": data["id"]}, namespace="/platform")

    def close(self) -> None:
        self.sio.disconnect()


def flask(world: World, url: str, *args: str) -> subprocess.CompletedProcess:
    """``flask --app app ARGS`` as an operator types it, on the database ``url``, in the world's instance folder."""
    env = {**os.environ, "HUB_INSTANCE": str(world.instance), "DATABASE_URL": url, "HUB_SCHEDULER": "0"}
    command = [sys.executable, "-m", "flask", "--app", "app", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, tmp_path):
    if request.param == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        need_service("pg_dump", "PostgreSQL's client tools are missing (bash scripts/setup.sh --test installs them)")
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}" if request.param == "sqlite" else create_pg_database()
    world = World(tmp_path / "instance", url)
    yield world
    world.close()
    if request.param == "postgresql":
        drop_pg_database(url)


def _head(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        last = conn.exec_driver_sql("SELECT last_id FROM loghead").scalar_one()
    engine.dispose()
    return last


def restore(world: World, backup: Path, tmp_path: Path) -> str:
    """The documented restore: SQLite, copy the file into place; PostgreSQL, pg_restore into a new database."""
    if world.database_url.startswith("sqlite"):
        target = tmp_path / "restored.sqlite3"
        shutil.copy(backup, target)
        return f"sqlite:///{target}"
    url = create_pg_database()
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    done = subprocess.run(["pg_restore", "--no-owner", f"--dbname={dsn}", str(backup)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return url


def test_a_backup_taken_during_a_publish_storm_restores_to_a_log_that_verifies_up_to_the_reported_head(world, tmp_path):
    hub = world.hub()
    platforms = [world.platform() for _ in range(PLATFORMS)]
    clients = [Acknowledger(hub.url, p.token) for p in platforms]
    assert flask(world, world.database_url, "checkpoint").returncode == 0
    before = _head(world.database_url)
    published: list[int] = []
    done = threading.Event()

    def publish_until_done() -> None:
        while not done.is_set():
            published.append(world.publish(hub)["id"])

    storm = threading.Thread(target=publish_until_done)
    storm.start()
    wait_until(lambda: len(published) >= PUBLISHES, 60, message="the storm under way")
    target = tmp_path / "backups" / "during-the-storm.bak"
    try:
        taken = flask(world, world.database_url, "backup", "--to", str(target))
    finally:
        done.set()
        storm.join(60)
    n = len(published)
    wait_until(lambda: all(len(c.seen) == n for c in clients), 60, message="every directive received")
    for client in clients:
        client.close()
    assert taken.returncode == 0, taken.stderr
    report = json.loads(Path(str(target) + ".json").read_text())
    assert f"log head: row {report['head_id']}, hash {report['head_hash']}" in taken.stdout
    assert report["checkpoint"] is not None and f"#{report['checkpoint']['id']}" in taken.stdout
    assert before < report["head_id"] < _head(world.database_url), "taken while the storm was writing"

    restored = restore(world, target, tmp_path)
    try:
        verified = flask(world, restored, "verify-log", "--against", str(world.instance / "checkpoints.jsonl"))
    finally:
        if restored.startswith("postgresql"):
            drop_pg_database(restored)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    chain = re.search(r"ok: (\d+) events, head ([0-9a-f]{64})", verified.stdout)
    assert (int(chain[1]), chain[2]) == (report["head_id"], report["head_hash"])
    assert "deliveries agree with their events" in verified.stdout
