"""Receipts, acknowledgements and status reports: recorded, answered after their commit, progress sent to the
consoles that may see it."""

from __future__ import annotations

import pytest

from hub.models import DeliveryState
from tests.e2e import sockclient
from tests.e2e.hubproc import wait_until

pytestmark = pytest.mark.slow


def test_acknowledge_status_and_question_answer_after_their_commit(world, hub):
    platform = world.platform()
    mine = world.publish(hub, {"platforms": [platform.org.code]})["id"]
    client = sockclient.platform(hub.url, platform.token)
    client.wait_for("directive")
    assert client.call("acknowledge", {"directive_id": mine}) == {"ok": True, "state": "acknowledged", "changed": True}
    assert client.call("acknowledge", {"directive_id": mine}) == {"ok": True, "state": "acknowledged", "changed": False}
    report = {"directive_id": mine, "state": "implemented", "report": "Took the items down."}
    assert client.call("status", report) == {"ok": True, "state": "implemented", "changed": True}
    asked = client.call("question", {"directive_id": mine, "text": "Does this cover reposts?"})
    assert asked["ok"] and isinstance(asked["question_id"], int)
    row = world.delivery(platform, mine)
    assert row.state == DeliveryState.IMPLEMENTED and row.report == "Took the items down."
    client.close()


def test_receipts_are_recorded_and_consoles_see_progress_within_their_scope(world, hub):
    hanoi, saigon = world.platform("HNI"), world.platform("HCM")
    central = sockclient.console(hub.url, world.session_cookie(world.officer))
    province = sockclient.console(hub.url, world.session_cookie(world.hanoi_manager))
    directive = world.publish(hub, {"platforms": [hanoi.org.code, saigon.org.code]})["id"]
    for console in (central, province):
        wait_until(lambda c=console: any(p["directive_id"] == directive for p in c.events("published")))
    clients = [sockclient.platform(hub.url, p.token, since=p.org.delivery_seq) for p in (hanoi, saigon)]
    for client in clients:
        (received,) = client.wait_for("directive")
        answer = client.call("receipt", {"directive_id": received["id"]})
        assert answer == {"ok": True, "directive_id": directive, "seq": answer["seq"]}
    assert world.delivery(hanoi, directive).delivered_at is not None
    assert world.delivery(saigon, directive).delivered_at is not None

    def counts(console):
        found = [p["counts"] for p in console.events("progress") if p["directive_id"] == directive]
        return found[-1] if found and found[-1]["delivered"] == found[-1]["total"] else None

    assert wait_until(lambda: counts(central))["total"] == 2
    assert wait_until(lambda: counts(province))["total"] == 1
    for client in (*clients, central, province):
        client.close()
