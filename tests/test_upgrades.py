"""Upgrades never lose data, on SQLite and PostgreSQL.

For every earlier migration (the revisions are walked from the script directory, so a migration added later is
covered without editing this file), a database is built at that revision and filled with a used hub's data
(``tests/upgrade_data.py``), then upgraded to head as ``flask --app app init-db`` does: every row is still there
with the same values, ``verify-log --against`` the checkpoint file passes, and the hub goes on working (a publish and
an acknowledgement, and the log still verifies). Downgrading step by step keeps the rows of the tables that remain,
and upgrading again gives every row back and a log that verifies.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory

from hub import clock, create_app
from hub.core import deliveries, directives
from hub.db import alembic_config, migrate, write_session
from hub.models import DeliveryState
from tests import factories as f
from tests import upgrade_data as data
from tests.e2e.world import create_pg_database, drop_pg_database


def revisions() -> list[str]:
    """Every migration, oldest first."""
    script = ScriptDirectory.from_config(alembic_config(None))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


EARLIER = revisions()[:-1]


class Hub:
    """A hub app on one database, with an instance folder (its signing key) shared by every database of a dialect."""

    def __init__(self, url: str, instance: Path) -> None:
        settings = {"instance_path": str(instance), "database_url": url, "scheduler_enabled": False}
        self.app = create_app(settings, environ=False)
        self.engine = self.app.extensions["hub"].engine
        self.signer = self.app.extensions["hub"].signer

    def verify_log(self, checkpoint_file: Path) -> str:
        result = self.app.test_cli_runner().invoke(args=["verify-log", "--against", str(checkpoint_file)])
        assert result.exit_code == 0, result.output
        return result.output

    def at(self, revision: str) -> None:
        command.upgrade(alembic_config(self.engine.execution_options(write=True)), revision)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def source(request, tmp_path_factory):
    """Per dialect: a database at head filled with data, its rows, its checkpoint file and a maker of new databases."""
    folder = tmp_path_factory.mktemp(request.param)
    made: list[str] = []

    def new_database() -> str:
        sqlite = f"sqlite:///{folder / f'db{len(made)}.sqlite3'}"
        url = sqlite if request.param == "sqlite" else create_pg_database()
        made.append(url)
        return url

    hub = Hub(new_database(), folder / "instance")
    migrate(hub.engine)
    checkpoint_file = folder / "checkpoints.jsonl"
    filled = data.fill(hub.engine, hub.signer, checkpoint_file)
    rows = data.dump(hub.engine)
    hub.engine.dispose()
    yield {"rows": rows, "checkpoints": checkpoint_file, "new": new_database, "folder": folder, "filled": filled}
    for url in made:
        if url.startswith("postgresql"):
            drop_pg_database(url)


def test_the_data_covers_every_delivery_state_and_every_kind_of_row(source):
    rows = source["rows"]
    assert {r["state"] for r in rows["delivery"]} == {s.value for s in DeliveryState}
    for table in ("event", "usersession", "logcheckpoint", "loginthrottle", "ratioreport", "question", "apitoken"):
        assert rows[table], table
    assert any(e["kind"] == "checkpoint" for e in rows["event"])


@pytest.mark.parametrize("revision", EARLIER)
def test_upgrading_a_filled_database_from_an_earlier_migration_keeps_every_row(source, revision):
    hub = Hub(source["new"](), source["folder"] / "instance")
    hub.at(revision)
    data.load(hub.engine, source["rows"])
    old_columns = data.columns_of(hub.engine)
    before = data.restricted(source["rows"], old_columns)
    assert sum(len(r) for r in before.values()) > 50

    applied = migrate(hub.engine)

    assert applied == revisions()[revisions().index(revision) + 1 :]
    assert data.restricted(data.dump(hub.engine), old_columns) == before
    output = hub.verify_log(source["checkpoints"])
    assert f"ok: {len(source['rows']['event'])} events" in output
    _still_works(hub, source["filled"])
    hub.verify_log(source["checkpoints"])
    hub.engine.dispose()


def _still_works(hub: Hub, filled: data.Filled) -> None:
    """A publish and an acknowledgement on the upgraded database (new ids, the chain goes on)."""
    now = clock.now()
    with write_session(hub.engine) as s:
        new = directives.create(s, filled.officer, now, f.draft(title="after the upgrade"))
        published = directives.publish(s, filled.officer, now, new.id, hub.signer)
    assert len(published.platform_ids) == len(filled.platforms)
    with write_session(hub.engine) as s:
        change = deliveries.acknowledge(s, filled.platforms[0], now, new.id)
    assert change.delivery.state == DeliveryState.ACKNOWLEDGED


def test_downgrading_step_by_step_keeps_the_remaining_rows_and_upgrading_again_restores_them(source):
    hub = Hub(source["new"](), source["folder"] / "instance")
    migrate(hub.engine)
    data.load(hub.engine, source["rows"])
    cfg = alembic_config(hub.engine.execution_options(write=True))
    path = revisions()
    reached = path[-1]
    for target in reversed(path[:-1]):
        try:
            command.downgrade(cfg, target)
        except NotImplementedError:  # a migration without a way back ends the path here
            break
        reached = target
        columns = data.columns_of(hub.engine)
        assert data.restricted(data.dump(hub.engine), columns) == data.restricted(source["rows"], columns), target
    assert reached == path[0], "every migration so far has a downgrade"
    kept = data.columns_of(hub.engine)

    migrate(hub.engine)

    assert data.restricted(data.dump(hub.engine), kept) == data.restricted(source["rows"], kept)
    hub.verify_log(source["checkpoints"])
    hub.engine.dispose()
