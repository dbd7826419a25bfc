"""Deadlines enforce themselves in running hubs: the scheduler (sweep every second) reminds a platform over its
socket, and with two hub processes only the one holding the scheduler lease sweeps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from hub import clock
from hub.db import read_session
from hub.models import Delivery, Event, SchedulerLock
from tests import factories as f
from tests.e2e import sockclient
from tests.e2e.hubproc import wait_until
from tests.e2e.world import World, need_redis

pytestmark = pytest.mark.slow
SCHEDULED = {"HUB_SCHEDULER": "1", "HUB_SWEEP_INTERVAL": "1", "HUB_REPORT_REQUEST_CRON": "off"}


def overdue_soon(world: World, platform, seconds: float = 2.0):
    """A directive to one platform whose acknowledgement deadline passes in a moment."""
    now = clock.now()
    return f.published(
        world.engine,
        now,
        world.officer,
        {"platforms": [platform.org.code]},
        ack_due_at=now + timedelta(seconds=seconds),
        remind_interval_minutes=5,
    ).directive


def reminded(world: World, directive_id: int) -> list[Event]:
    with read_session(world.engine) as session:
        return session.exec(
            select(Event).where(Event.kind == "reminded", Event.directive_id == directive_id).order_by(Event.id)
        ).all()


def test_a_platform_gets_its_reminder_over_the_socket_when_the_deadline_passes(tmp_path):
    world = World(tmp_path / "instance", f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    try:
        hub = world.hub(**SCHEDULED)
        platform = world.platform()
        client = sockclient.platform(hub.url, platform.token)
        client.wait_for("head")
        directive = overdue_soon(world, platform)
        (reminder,) = client.wait_for("reminder", timeout=20)
        assert reminder["directive_id"] == directive.id and reminder["ref_no"] == directive.ref_no
        assert (reminder["phase"], reminder["reminders_sent"]) == ("acknowledge", 1)
        assert reminder["due_at"] == directive.ack_due_at.isoformat()
        (event,) = reminded(world, directive.id)
        with read_session(world.engine) as session:
            delivery = session.exec(select(Delivery).where(Delivery.directive_id == directive.id)).one()
        assert delivery.next_reminder_at == directive.ack_due_at + timedelta(minutes=5)
        assert event.delivery_id == delivery.id
        client.close()
    finally:
        world.close()


def test_with_two_hubs_one_holds_the_lease_and_the_other_takes_over_when_it_dies(tmp_path):
    world = World(tmp_path / "instance", f"sqlite:///{tmp_path / 'hub.sqlite3'}", message_queue=need_redis())
    try:
        first = world.hub(**SCHEDULED)
        second = world.hub(**SCHEDULED)
        platform = world.platform()
        client = sockclient.platform(second.url, platform.token)
        client.wait_for("head")

        def holder() -> str | None:
            with read_session(world.engine) as session:
                lock = session.get(SchedulerLock, "scheduler")
                return lock.holder if lock else None

        leader = wait_until(holder, timeout=10, message="a scheduler lease holder")
        directives = [overdue_soon(world, platform, 1.0) for _ in range(3)]
        client.wait_for("reminder", count=3, timeout=20)
        (first if leader.split(":")[1] == str(first.proc.pid) else second).kill()
        survivor = second if first.proc.poll() is not None else first
        late = overdue_soon(world, platform, 1.0)
        if survivor is first:  # the client was on the killed hub
            client.close()
            client = sockclient.platform(survivor.url, platform.token, since=10_000)
        wait_until(lambda: reminded(world, late.id), timeout=40, message="the survivor's reminder")
        assert str(survivor.proc.pid) in holder()
        for d in [*directives, late]:
            assert len(reminded(world, d.id)) == 1
        client.close()
    finally:
        world.close()
