"""Fixtures of the socket tests: one world (its SQLite database, a regulator, a provincial department) and one hub
process on it that sends ``head`` every second, shared by the package's end-to-end tests."""

from __future__ import annotations

import pytest

from tests.e2e.world import World


@pytest.fixture(scope="package")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("sockets")
    world = World(base / "instance", f"sqlite:///{base / 'hub.sqlite3'}")
    yield world
    world.close()


@pytest.fixture(scope="package")
def hub(world):
    return world.hub(HUB_HEAD_INTERVAL="1")
