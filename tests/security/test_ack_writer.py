"""Acknowledgements and status reports go through the group-commit writer: each is answered only after its commit,
a socket's events are applied in the order sent, the consoles hear of the progress, and a row that fails (a broken
rule, or one the database refuses) fails alone."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlmodel import select

from hub.core.deliveries import ChangeIn
from hub.db import read_session
from hub.models import Delivery, DeliveryState, Event
from tests.e2e import sockclient
from tests.e2e.hubproc import wait_until
from tests.security.writers import platforms_with_a_directive, submit_together, writer


def row(engine, platform_id: int, directive_id: int) -> Delivery:
    with read_session(engine) as session:
        return session.exec(
            select(Delivery).where(Delivery.platform_id == platform_id, Delivery.directive_id == directive_id)
        ).one()


def log_kinds(engine, platform_id: int, directive_id: int) -> list[str]:
    with read_session(engine) as session:
        query = sa.select(Event.kind, Event.details).where(
            Event.org_id == platform_id, Event.directive_id == directive_id
        )
        return [f"{kind}:{details.get('state', '')}" for kind, details in session.execute(query.order_by(Event.id))]


@pytest.mark.slow
def test_many_sockets_acknowledging_at_once_each_find_their_row_committed_when_answered(world, hub):
    platforms = [world.platform() for _ in range(20)]
    directive = world.publish(hub, {"platforms": [p.org.code for p in platforms]})["id"]
    console = sockclient.console(hub.url, world.session_cookie(world.officer))
    clients = [sockclient.platform(hub.url, p.token) for p in platforms]
    for client in clients:
        client.wait_for("head")
    seen: dict[int, tuple] = {}

    def acknowledge(i: int) -> None:
        answer = clients[i].call("acknowledge", {"directive_id": directive})
        seen[i] = (answer, row(world.engine, platforms[i].org.id, directive))  # read the moment the answer is in

    threads = [threading.Thread(target=acknowledge, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for i, platform in enumerate(platforms):
        answer, delivery = seen[i]
        assert answer == {"ok": True, "state": "acknowledged", "changed": True}
        assert delivery.state == DeliveryState.ACKNOWLEDGED and delivery.acknowledged_by == platform.principal.label

    def acknowledged() -> int:
        counts = [p["counts"] for p in console.events("progress") if p["directive_id"] == directive]
        return counts and counts[-1]["acknowledged"] == len(platforms)

    assert wait_until(acknowledged)
    for client in (*clients, console):
        client.close()


@pytest.mark.slow
def test_a_sockets_events_sent_without_waiting_are_applied_and_answered_in_order(world, hub):
    platform = world.platform()
    directive = world.publish(hub, {"platforms": [platform.org.code]})["id"]
    client = sockclient.platform(hub.url, platform.token)
    client.wait_for("head")
    answers: list = []
    done = threading.Event()
    events = [
        ("receipt", {"directive_id": directive}),
        ("acknowledge", {"directive_id": directive}),
        ("status", {"directive_id": directive, "state": "in_progress", "report": "Reviewing."}),
        ("status", {"directive_id": directive, "state": "implemented", "report": "Removed the items."}),
        ("acknowledge", {"directive_id": directive}),
    ]

    def answered(answer) -> None:
        answers.append(answer)
        if len(answers) == len(events):
            done.set()

    for name, data in events:  # all sent at once: none waits for the answer to the one before
        client.sio.emit(name, data, namespace="/platform", callback=answered)
    assert done.wait(30)
    assert answers == [
        {"ok": True, "directive_id": directive, "seq": answers[0]["seq"]},
        {"ok": True, "state": "acknowledged", "changed": True},
        {"ok": True, "state": "in_progress", "changed": True},
        {"ok": True, "state": "implemented", "changed": True},
        {"ok": True, "state": "implemented", "changed": False},
    ]
    assert log_kinds(world.engine, platform.org.id, directive) == [
        "delivered:",
        "acknowledged:acknowledged",
        "status_changed:in_progress",
        "status_changed:implemented",
    ]
    assert row(world.engine, platform.org.id, directive).report == "Removed the items."
    client.close()


def test_a_broken_rule_or_a_row_the_database_refuses_fails_alone_in_its_batch(engine):
    principals, directive = platforms_with_a_directive(engine, 8)
    group, announced = writer(engine)
    good = [ChangeIn(p, directive.id, "acknowledged") for p in principals[:6]]
    broken_rule = ChangeIn(principals[6], directive.id, "implemented")  # no report of what was done
    # Past the edge, as if a check were missing: 2**63 fits no integer column; NUL fits no PostgreSQL text.
    refused = ChangeIn(principals[7], 2**63, "acknowledged")
    nul = ChangeIn(principals[6], directive.id, "in_progress", "a\x00b")
    items = [*good[:3], broken_rule, refused, *good[3:], ChangeIn(principals[7], directive.id, "in_progress")]
    outcomes = submit_together(group, items)
    for outcome in outcomes[:3] + outcomes[5:8]:
        assert outcome is not None and outcome.error is None and outcome.state == "acknowledged", outcome
    assert outcomes[3].error is not None and outcomes[3].error.kind == "invalid_input"
    assert outcomes[4] is None  # "unavailable" for the refused row alone
    assert outcomes[8].state == "in_progress" and outcomes[8].changed
    for p in principals[:6]:
        assert row(engine, p.org_id, directive.id).state == DeliveryState.ACKNOWLEDGED
    assert row(engine, principals[6].org_id, directive.id).state == DeliveryState.PENDING
    assert {i for ids in announced for i in ids} == {directive.id}
    if engine.dialect.name == "postgresql":
        outcomes = submit_together(group, [nul, ChangeIn(principals[0], directive.id, "in_progress")])
        assert outcomes[0] is None and outcomes[1].state == "in_progress"
        assert row(engine, principals[6].org_id, directive.id).state == DeliveryState.PENDING
