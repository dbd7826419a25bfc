"""The deployment of ``deploy/`` as a whole: nginx in front of three hub processes, PostgreSQL, Redis and two
scheduler processes, all started from the files in ``deploy/`` (``tests/e2e/deployment.py``).

It shows: platforms connected through nginx spread over the three processes and all receive a publish exactly once;
when one hub process is killed (SIGKILL), its platforms reconnect through nginx to the others and miss nothing; when
the scheduler holding the lease is killed, the other one takes over within the lease and every scheduled directive
is published exactly once.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import socketio
import sqlalchemy as sa

from hub import clock
from hub.core import directives
from hub.db import write_session
from tests import factories as f
from tests.conftest import need_service
from tests.e2e.deployment import HUBS, SCHEDULERS, Deployment, established
from tests.e2e.hubproc import wait_until
from tests.e2e.world import World, create_pg_database, drop_pg_database, need_redis

pytestmark = pytest.mark.slow
PLATFORMS = 24
NS = "/platform"
LEASE_TTL = 5  # seconds: the scheduler's lease with HUB_SWEEP_INTERVAL=1 (three intervals, at least 5 s)


class Platform:
    """A platform's system on a websocket through nginx: receipts what it gets, reconnects from its cursor."""

    def __init__(self, url: str, token: str) -> None:
        self.token = token
        self.cursor = 0
        self.received: Counter[int] = Counter()
        self.disconnects = 0
        self.lock = threading.Lock()
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
        self.sio.on("directive", self._on_directive, namespace=NS)
        self.sio.on("disconnect", self._on_disconnect, namespace=NS)
        self.sio.connect(url, namespaces=[NS], auth=self._auth, transports=["websocket"], wait_timeout=20)

    def _auth(self) -> dict:
        return {"token": self.token, "since": self.cursor}

    def _on_directive(self, data: dict) -> None:
        with self.lock:
            self.received[data["id"]] += 1
        self.sio.emit("receipt", {"directive_id": data["id"]}, namespace=NS, callback=self._on_receipt)

    def _on_receipt(self, answer: dict) -> None:
        if answer.get("ok"):
            with self.lock:
                self.cursor = max(self.cursor, answer["seq"])

    def _on_disconnect(self, *_) -> None:
        self.disconnects += 1

    def count(self, directive_id: int) -> int:
        with self.lock:
            return self.received[directive_id]

    @property
    def connected(self) -> bool:
        return self.sio.connected and NS in self.sio.namespaces


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        need_service("nginx", "not installed (bash scripts/setup.sh --test installs Debian's nginx)")
    queue = need_redis()
    url = create_pg_database()
    folder = tmp_path_factory.mktemp("deployment")
    world = World(folder / "instance", url, message_queue=queue)
    deployment = Deployment(folder, url, queue, {"HUB_SWEEP_INTERVAL": "1"})
    platforms: list[Platform] = []
    try:
        deployment.start()
        tokens = [world.platform().token for _ in range(PLATFORMS)]
        baseline = {name: established(port) for name, port in deployment.ports.items()}
        platforms = [Platform(deployment.url, token) for token in tokens]
        yield SimpleNamespace(world=world, deployment=deployment, platforms=platforms, baseline=baseline)
    finally:
        for platform in platforms:
            platform.sio.disconnect()
        deployment.stop()
        world.close()
        drop_pg_database(url)


def _publish(deployed) -> int:
    return deployed.world.publish(SimpleNamespace(url=deployed.deployment.url))["id"]


def _all_received(platforms: list[Platform], ids: list[int], timeout: float = 30) -> None:
    wait_until(lambda: all(p.count(i) for p in platforms for i in ids), timeout, message=f"every platform has {ids}")


def test_platforms_spread_over_the_three_processes_all_receive_a_publish_exactly_once(deployed):
    d = deployed.deployment
    held = {name: established(port) - deployed.baseline[name] for name, port in d.ports.items()}
    assert all(n >= 2 for n in held.values()), f"websockets held by each hub process: {held}"
    directive = _publish(deployed)
    _all_received(deployed.platforms, [directive])
    time.sleep(1)  # a duplicate would arrive within this
    assert [p.count(directive) for p in deployed.platforms] == [1] * PLATFORMS


def test_a_killed_hub_process_loses_its_platforms_to_the_others_through_nginx_and_they_miss_nothing(deployed):
    d = deployed.deployment
    victim = max(HUBS, key=lambda name: established(d.ports[name]))
    before = [p.disconnects for p in deployed.platforms]
    d.kill(victim)
    during = _publish(deployed)  # while its platforms are reconnecting
    moved = wait_until(
        lambda: [p for p, n in zip(deployed.platforms, before, strict=True) if p.disconnects > n],
        10,
        message="the killed process's platforms to notice",
    )
    wait_until(lambda: all(p.connected for p in deployed.platforms), 30, message="every platform reconnected")
    after = _publish(deployed)
    _all_received(deployed.platforms, [during, after])
    assert 1 <= len(moved) < PLATFORMS
    assert established(d.ports[victim]) == 0
    wait_until(lambda: _unreceipted(deployed.world, [during, after]) == 0, 20, message="every receipt recorded")


def _unreceipted(world: World, ids: list[int]) -> int:
    sql = "SELECT count(*) FROM delivery WHERE directive_id IN (:a, :b) AND delivered_at IS NULL"
    with world.engine.connect() as conn:
        return conn.execute(sa.text(sql), {"a": ids[0], "b": ids[1]}).scalar_one()


def _lease_holder(world: World) -> tuple[str, float] | None:
    with world.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT holder, expires_at FROM schedulerlock WHERE name = 'scheduler'")).first()
    return (row[0], row[1].timestamp()) if row else None


def test_killing_the_scheduler_leader_hands_over_within_the_lease_and_nothing_is_published_twice(deployed):
    world, d = deployed.world, deployed.deployment
    holder = wait_until(lambda: _lease_holder(world), 30, message="a scheduler to hold the lease")[0]
    leader = next(name for name in SCHEDULERS if f":{d.procs[name].pid}:" in holder)
    start = clock.now()
    with write_session(world.engine) as s:
        due = [
            directives.create(
                s,
                world.officer,
                start,
                f.draft(title=f"Scheduled {n}", publish_at=start + timedelta(seconds=2 + 2 * n)),
            ).id
            for n in range(6)
        ]
    _all_received(deployed.platforms, due[:1], timeout=20)
    d.kill(leader)
    killed_at = time.monotonic()
    took_over = wait_until(
        lambda: (h := _lease_holder(world)) and h[0] != holder and time.monotonic(), 30, message="a new lease holder"
    )
    assert took_over - killed_at <= LEASE_TTL + 2, "the other scheduler took over within the lease (and a sweep)"
    _all_received(deployed.platforms, due, timeout=40)
    time.sleep(1)
    with world.engine.connect() as conn:
        published = conn.execute(
            sa.text(
                "SELECT directive_id, count(*) FROM event WHERE kind = 'published' AND directive_id IN :ids "
                "GROUP BY directive_id"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": due},
        ).all()
    assert dict(published) == {i: 1 for i in due}
    assert all(p.count(i) == 1 for p in deployed.platforms for i in due)
