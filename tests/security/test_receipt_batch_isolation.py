"""One platform cannot make other platforms' receipts fail: a receipt naming an id beyond the 32-bit columns is
refused at the edge (socket and API), and a row the database refuses inside a shared batch fails alone."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest
from sqlmodel import select

from hub.core.receipts import ReceiptIn
from hub.db import read_session
from hub.models import Delivery, DeliveryState
from tests.e2e import sockclient
from tests.security.conftest import tracebacks
from tests.security.writers import platforms_with_a_directive, submit_together, writer

BIG = 2**31


def states(engine, directive_id: int) -> dict[int, str]:
    with read_session(engine) as session:
        rows = session.exec(select(Delivery).where(Delivery.directive_id == directive_id)).all()
    return {d.platform_id: d.state for d in rows}


@pytest.mark.slow
def test_an_id_beyond_the_column_is_refused_at_the_socket_and_every_other_receipt_is_recorded(world, hub):
    platforms = [world.platform() for _ in range(10)]
    attacker = world.platform()
    directive = world.publish(hub, {"platforms": [p.org.code for p in platforms]})["id"]
    clients = [sockclient.platform(hub.url, p.token) for p in (*platforms, attacker)]
    for client in clients:
        client.wait_for("head")
    logged = tracebacks(hub)
    bad = [{"directive_id": BIG}, {"seq": BIG}, {"directive_id": 2**63}, {"seq": 2**40}]
    answers: dict[int, list] = {}

    def send(i: int) -> None:
        calls = bad if clients[i] is clients[-1] else [{"directive_id": directive}]
        answers[i] = [clients[i].call("receipt", data) for data in calls]

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for i in range(len(platforms)):
        assert answers[i] == [{"ok": True, "directive_id": directive, "seq": answers[i][0]["seq"]}]
    assert [a["error"] for a in answers[len(platforms)]] == ["invalid_input"] * len(bad)
    assert clients[-1].connected
    assert set(states(world.engine, directive).values()) == {DeliveryState.DELIVERED}
    assert tracebacks(hub) == logged
    for client in clients:
        client.close()


def _post(hub, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        hub.url + path,
        data=json.dumps(body or {}).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.slow
def test_the_api_refuses_the_same_ids_and_text_with_a_json_error(world, hub):
    platform = world.platform()
    directive = world.publish(hub, {"platforms": [platform.org.code]})["id"]
    for fact in ("receipt", "acknowledge", "status"):
        status, body = _post(hub, f"/api/v1/inbox/{BIG}/{fact}", platform.token, {"state": "in_progress"})
        assert status == 422 and body["error"] and body["message"], (fact, body)
    for report in ("a\x00b", "x\ud800y"):
        status, body = _post(
            hub, f"/api/v1/inbox/{directive}/status", platform.token, {"state": "in_progress", "report": report}
        )
        assert status == 422 and body["error"] == "invalid_input", body
    assert states(world.engine, directive) == {platform.org.id: DeliveryState.PENDING}


def test_a_row_the_database_refuses_fails_alone_and_the_rest_of_its_batch_is_recorded(engine):
    principals, directive = platforms_with_a_directive(engine, 10)
    group, announced = writer(engine)
    good = [ReceiptIn(p.org_id, p.label, directive_id=directive.id) for p in principals]
    # Past the edge, as if a check were missing: 2**63 fits no integer column; 2**31 fits none on PostgreSQL.
    poison = [ReceiptIn(principals[0].org_id, "x", directive_id=2**63), ReceiptIn(principals[1].org_id, "x", seq=BIG)]
    outcomes = submit_together(group, [*good[:5], *poison, *good[5:]])
    recorded = outcomes[:5] + outcomes[7:]
    assert all(o is not None and o.directive_id == directive.id and o.changed for o in recorded), recorded
    assert outcomes[5] is None  # "unavailable" for the refused row alone
    assert outcomes[6] is None or outcomes[6].directive_id is None  # SQLite stores 64 bits: simply not found
    assert set(states(engine, directive.id).values()) == {DeliveryState.DELIVERED}
    assert announced and {i for ids in announced for i in ids} == {directive.id}
