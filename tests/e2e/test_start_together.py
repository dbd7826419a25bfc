"""Hub processes started together on an empty database both come up, and exactly one of them migrates it.

Each process says what its migration did (``database migrated: applied …`` or ``… already at the newest
migration``): the lock (PostgreSQL's advisory lock, SQLite's write lock) makes the second one wait for the first and
then find the schema at head. A ``flask --app app init-db`` started at the same moment as a hub is held the same way.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request

import pytest

from hub.db import make_engine
from tests.e2e.hubproc import ROOT, HubProcess
from tests.e2e.world import create_pg_database, drop_pg_database
from tests.test_upgrades import revisions

pytestmark = pytest.mark.slow
START = 120  # seconds: two hubs importing at once on a busy 2-core machine
MIGRATED = "database migrated: applied " + ", ".join(revisions())
AT_HEAD = "database schema already at the newest migration"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    url = create_pg_database()
    yield url
    drop_pg_database(url)


def _versions(url: str) -> list[str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    engine.dispose()
    return found


def test_two_hubs_started_together_on_an_empty_database_both_serve_after_one_migration_run(empty_url, tmp_path):
    hubs = [HubProcess(tmp_path / "instance", empty_url) for _ in range(2)]
    try:
        for hub in hubs:
            hub.launch()
        for hub in hubs:
            hub.wait_ready(START)
        logs = [hub.log_path.read_text() for hub in hubs]
        keys = {_signing_key(hub) for hub in hubs}
    finally:
        for hub in hubs:
            hub.stop()
    assert sorted(MIGRATED in log for log in logs) == [False, True], logs
    assert sorted(AT_HEAD in log for log in logs) == [False, True], logs
    assert _versions(empty_url) == [revisions()[-1]]
    assert len(keys) == 1, "both hubs sign with the one key of their shared instance folder"


def _signing_key(hub: HubProcess) -> bytes:
    with urllib.request.urlopen(f"{hub.url}/api/v1/signing-key", timeout=10) as resp:
        return resp.read()


def test_init_db_and_a_hub_started_together_migrate_once(empty_url, tmp_path):
    env = {**os.environ, "HUB_INSTANCE": str(tmp_path / "instance"), "DATABASE_URL": empty_url}
    command = [sys.executable, "-m", "flask", "--app", "app", "init-db"]
    hub = HubProcess(tmp_path / "instance", empty_url)
    try:
        init_db = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        hub.start(START)
        said = init_db.communicate(timeout=60)[0].decode()
        logs = [said, hub.log_path.read_text()]
    finally:
        hub.stop()
    assert init_db.returncode == 0, said
    assert sorted(MIGRATED in log for log in logs) == [False, True], logs
    assert _versions(empty_url) == [revisions()[-1]]
