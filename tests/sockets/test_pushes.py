"""What the hub pushes after a change reaches exactly the rooms it is meant for: revocations, reminders,
answers, escalations."""

from __future__ import annotations

import pytest

from hub import clock
from tests import factories as f
from tests.e2e import sockclient
from tests.e2e.hubproc import wait_until
from tests.e2e.world import api

pytestmark = pytest.mark.slow


def test_a_revoked_directive_is_announced_to_the_platforms_that_had_it(world, hub):
    platform = world.platform()
    directive = world.publish(hub, {"platforms": [platform.org.code]})
    client = sockclient.platform(hub.url, platform.token, since=platform.org.delivery_seq)
    client.wait_for("directive")
    api(hub, "POST", f"/api/v1/directives/{directive['id']}/revoke", world.officer_token, {"reason": "Issued in error"})
    assert client.wait_for("revoked") == [
        {"directive_id": directive["id"], "ref_no": directive["ref_no"], "reason": "Issued in error"}
    ]
    client.close()


def test_reminders_answers_and_escalations_reach_exactly_their_rooms_in_process(app):
    from hub.models import OrgKind, Role
    from hub.sockets import push_answer, push_escalation, push_reminder, socketio

    engine, now = app.extensions["hub"].engine, clock.now()
    hanoi, saigon = f.org(engine, now, OrgKind.PLATFORM, "HNI"), f.org(engine, now, OrgKind.PLATFORM, "HCM")
    platforms = {}
    for org in (hanoi, saigon):
        _, token = f.machine(engine, now, org)
        platforms[org.id] = socketio.test_client(app, namespace="/platform", auth={"token": token})
    consoles = {}
    for org in (f.org(engine, now, OrgKind.REGULATOR), f.org(engine, now, OrgKind.PROVINCE, "HNI")):
        manager = f.user(engine, now, org, Role.MANAGER)
        flask_client = app.test_client()
        with flask_client.session_transaction() as session:
            session.update(f.signed_in(engine, now, manager.user_id))
        consoles[org.kind] = socketio.test_client(app, namespace="/console", flask_test_client=flask_client)
    assert all(c.is_connected("/console") for c in consoles.values())

    def names(client, namespace):
        return [(e["name"], e["args"][0]) for e in client.get_received(namespace) if e["name"] != "head"]

    for client in platforms.values():
        wait_until(lambda c=client: c.is_connected("/platform"))
    with app.app_context():
        push_reminder(hanoi.id, {"directive_id": 7, "phase": "acknowledge"})
        push_answer(saigon.id, {"directive_id": 7, "question_id": 1, "answer": "Yes"})
        push_escalation("HCM", {"directive_id": 7, "platform_id": saigon.id, "phase": "acknowledge"})
    assert names(platforms[hanoi.id], "/platform")[-1:] == [("reminder", {"directive_id": 7, "phase": "acknowledge"})]
    assert names(platforms[saigon.id], "/platform")[-1:] == [
        ("answer", {"directive_id": 7, "question_id": 1, "answer": "Yes"})
    ]
    # Progress counts may refresh on either console at any moment; the escalation goes to HCM's rooms only.
    assert [n for n, _ in names(consoles[OrgKind.REGULATOR], "/console") if n != "progress"] == ["escalation"]
    assert [n for n, _ in names(consoles[OrgKind.PROVINCE], "/console") if n != "progress"] == []
    for client in platforms.values():
        client.disconnect(namespace="/platform")
    for client in consoles.values():
        client.disconnect(namespace="/console")
