"""Replay: what follows a platform's cursor is sent at connect and on ``sync``; ``head`` comes periodically."""

from __future__ import annotations

import pytest

from hub import clock
from hub.db import read_session
from hub.models import ApiToken
from tests import factories as f
from tests.e2e import sockclient
from tests.e2e.hubproc import wait_until

pytestmark = pytest.mark.slow


def test_sync_fills_a_gap_without_reconnecting_and_head_comes_periodically(world, hub):
    platform = world.platform()
    ids = [world.publish(hub, {"platforms": [platform.org.code]})["id"] for _ in range(3)]
    head = world.delivery(platform, ids[-1]).seq
    client = sockclient.platform(hub.url, platform.token, since=head)
    assert client.wait_for("head")[0] == {"seq": head}
    assert client.events("directive") == []
    assert client.call("sync", {"since": head - 2}) == {"ok": True, "count": 2, "head": head}
    assert [(d["id"], d["seq"]) for d in client.events("directive")] == [(ids[1], head - 1), (ids[2], head)]
    assert client.wait_for("head", 3, timeout=5)[-1] == {"seq": head}  # HUB_HEAD_INTERVAL=1
    with read_session(world.engine) as session:
        assert session.get(ApiToken, platform.principal.token_id).last_used_at is not None
    client.close()
    ahead = sockclient.platform(hub.url, platform.token, since=head + 100)  # e.g. a client of a restored database
    assert ahead.wait_for("head")[0] == {"seq": head}
    ahead.close()


def test_the_in_process_test_client_replays_and_answers_for_adapter_tests(app):
    """Other adapters' tests drive the sockets in-process (threads); the replay and the receipt writer run there."""
    from hub.models import OrgKind, Role
    from hub.sockets import socketio

    engine, now = app.extensions["hub"].engine, clock.now()
    officer = f.user(engine, now, f.org(engine, now, OrgKind.REGULATOR), Role.OFFICER)
    _, token = f.machine(engine, now, f.org(engine, now, OrgKind.PLATFORM, "HNI"))
    published = f.published(engine, now, officer)
    client = socketio.test_client(app, namespace="/platform", auth={"token": token, "since": 0})
    received: list = []
    wait_until(lambda: received.extend(client.get_received("/platform")) or any(e["name"] == "head" for e in received))
    assert [e["name"] for e in received] == ["directive", "head"]
    answer = client.emit("receipt", {"directive_id": published.directive.id}, namespace="/platform", callback=True)
    assert answer == {"ok": True, "directive_id": published.directive.id, "seq": 1}
    client.disconnect(namespace="/platform")
