"""Webhooks from real hub processes (scheduler on): a receiver that fails, then a hub killed between attempts and
restarted, loses nothing and gets each delivery exactly once, in order; and a publish reaches a webhook in seconds."""

from __future__ import annotations

import pytest
from sqlmodel import select

from hub.db import read_session
from hub.models import Delivery, DeliveryState
from tests.e2e.hubproc import wait_until
from tests.e2e.world import World, api
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.slow
SENDING = {
    "HUB_SCHEDULER": "1",
    "HUB_SWEEP_INTERVAL": "1",
    "HUB_REPORT_REQUEST_CRON": "off",
    "HUB_WEBHOOK_INTERVAL": "0.3",
    "HUB_WEBHOOK_FIRST_RETRY": "0.3",
    "HUB_WEBHOOK_TIMEOUT": "2",  # a killed sender's lease runs out after 2 x timeout + 10 s
}


def test_a_restart_between_attempts_loses_nothing_and_sends_nothing_twice(tmp_path):
    world = World(tmp_path / "instance", f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    receiver = Receiver(fail_first=10**6).start()
    try:
        hub = world.hub(**SENDING)
        platform = world.platform()
        body = {"url": receiver.url, "platform_id": platform.org.id, "allow_internal": True, "allow_http": True}
        hook = api(hub, "POST", "/api/v1/webhooks", world.admin_token, body)
        assert hook["secret"].startswith("whsec_")
        world.publish(hub, {"platforms": [platform.org.code]}, title="One")
        world.publish_quietly(2, {"platforms": [platform.org.code]})
        wait_until(lambda: len(receiver.requests) >= 3, 20, 0.05, "three failed attempts")
        hub.kill()  # between attempts: its lease and its retry time stay in the database
        failed = len(receiver.requests)
        assert {r.data["seq"] for r in receiver.requests} == {1}  # order: nothing after the failing first one
        world.publish_quietly(2, {"platforms": [platform.org.code]})
        receiver.fail_first = 0
        hub.start()
        wait_until(lambda: len(receiver.accepted()) >= 5, 40, 0.05, "five accepted posts after the restart")
        shown = api(hub, "GET", f"/api/v1/webhooks/{hook['id']}", world.admin_token)
    finally:
        world.close()
        receiver.stop()
    assert [r.data["seq"] for r in receiver.accepted()] == [1, 2, 3, 4, 5]
    assert len(receiver.requests) == failed + 5
    assert shown["pending"] == 0 and shown["last_status"] == 204 and shown["failing_since"] is None
    with read_session(world.engine) as session:
        states = session.exec(select(Delivery.state).where(Delivery.platform_id == platform.org.id)).all()
    assert set(states) == {DeliveryState.DELIVERED}
