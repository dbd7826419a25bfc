"""A hub process per database for the security tests that speak to it over real sockets."""

from __future__ import annotations

import pytest

from tests.e2e.world import World, create_pg_database, drop_pg_database


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"security-{request.param}")
    url = f"sqlite:///{base / 'hub.sqlite3'}" if request.param == "sqlite" else create_pg_database()
    world = World(base / "instance", url)
    yield world
    world.close()
    if request.param == "postgresql":
        drop_pg_database(url)


@pytest.fixture(scope="module")
def hub(world):
    return world.hub()


def tracebacks(hub) -> int:
    """How many exceptions the hub process has logged so far."""
    return hub.log_path.read_text(errors="replace").count("Traceback")
