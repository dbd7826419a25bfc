"""The socket protocol (docs/protocol.md) against a real hub process, with real Socket.IO clients."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import select

from hub import clock
from hub.core import tokens
from hub.core.access import SYSTEM
from hub.db import read_session, write_session
from hub.models import ApiToken, Delivery, DeliveryState, Event
from tests import factories as f
from tests.e2e import sockclient
from tests.e2e.hubproc import wait_until
from tests.e2e.world import World, api

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("sockets")
    world = World(base / "instance", f"sqlite:///{base / 'hub.sqlite3'}")
    yield world
    world.close()


@pytest.fixture(scope="module")
def hub(world):
    return world.hub(HUB_HEAD_INTERVAL="1")


def refusal(hub, **kwargs) -> str:
    client = sockclient.Recorder("/platform", ())
    assert not client.try_connect(hub.url, **kwargs)
    return client.refused["message"]


def delivery(world: World, platform, directive_id: int) -> Delivery:
    with read_session(world.engine) as session:
        return session.exec(
            select(Delivery).where(Delivery.platform_id == platform.org.id, Delivery.directive_id == directive_id)
        ).one()


def event_count(world: World) -> int:
    with read_session(world.engine) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Event))


def test_a_missing_wrong_or_foreign_credential_is_refused_at_connect_with_a_reason(world, hub):
    assert refusal(hub).startswith("unauthenticated: ")
    assert refusal(hub, auth={"token": "dh_not-a-token"}) == "unauthenticated: unknown or revoked token"
    assert refusal(hub, auth={"token": world.officer_token}).startswith("unauthenticated: ")
    assert refusal(hub, cookie=world.session_cookie(world.officer)).startswith("unauthenticated: ")
    platform = world.platform()
    assert refusal(hub, auth={"token": platform.token, "since": "yesterday"}).startswith("invalid_input: ")


def test_an_editor_signed_in_in_a_browser_connects_to_its_own_platform(world, hub):
    platform = world.platform()
    mine = world.publish(hub, {"platforms": [platform.org.code]})["id"]
    world.publish(hub, {"platforms": [world.platform().org.code]})
    editor = world.editor(platform)
    client = sockclient.Recorder("/platform", sockclient.PLATFORM_EVENTS).connect(
        hub.url, cookie=world.session_cookie(editor)
    )
    client.wait_for("head")
    assert [d["id"] for d in client.events("directive")] == [mine]
    assert client.call("acknowledge", {"directive_id": mine}) == {"ok": True, "state": "acknowledged", "changed": True}
    assert delivery(world, platform, mine).acknowledged_by == editor.label
    client.close()


def test_revoking_a_token_cuts_its_live_socket_and_it_is_refused_afterwards(world, hub):
    platform = world.platform()
    _, other_token = f.machine(world.engine, clock.now(), platform.org)
    doomed = sockclient.platform(hub.url, platform.token)
    spared = sockclient.platform(hub.url, other_token)
    doomed.wait_for("head")
    world.revoke_token(hub, platform)
    assert doomed.disconnected.wait(10)
    assert refusal(hub, auth={"token": platform.token}) == "unauthenticated: unknown or revoked token"
    assert spared.connected and spared.call("sync", {"since": 0})["ok"]
    spared.close()


def test_a_token_revoked_without_a_push_from_the_command_line_is_cut_off_at_the_next_head(world, hub):
    platform = world.platform()
    client = sockclient.platform(hub.url, platform.token)
    client.wait_for("head")
    with write_session(world.engine) as session:
        tokens.revoke_token(session, SYSTEM, clock.now(), platform.principal.token_id)
    assert client.disconnected.wait(10)  # HUB_HEAD_INTERVAL=1


BAD_EVENTS = [
    ("receipt", "not an object", "invalid_input"),
    ("receipt", {}, "invalid_input"),
    ("receipt", {"directive_id": "1"}, "invalid_input"),
    ("receipt", {"directive_id": True}, "invalid_input"),
    ("receipt", {"seq": -3}, "invalid_input"),
    ("receipt", {"directive_id": 10**30}, "invalid_input"),
    ("receipt", {"directive_id": 1, "seq": 1}, "invalid_input"),
    ("receipt", {"directive_id": 999_999}, "not_found"),
    ("acknowledge", ["a", "list"], "invalid_input"),
    ("acknowledge", {"directive_id": 999_999}, "not_found"),
    ("acknowledge", {"directive_id": 1, "extra": "field"}, "invalid_input"),
    ("status", {"directive_id": "{mine}", "state": "delivered"}, "invalid_input"),
    ("status", {"directive_id": "{mine}", "state": "teleported"}, "invalid_input"),
    ("status", {"directive_id": "{mine}", "state": "implemented"}, "invalid_input"),
    ("status", {"directive_id": "{mine}", "state": "in_progress", "report": "x" * 30_000}, "invalid_input"),
    ("status", {"directive_id": "{mine}", "state": "declined", "report": 42}, "invalid_input"),
    ("status", {"directive_id": "{mine}", "state": "in_progress", "report": "y" * 200_000}, "invalid_input"),
    ("status", {"directive_id": "{done}", "state": "in_progress"}, "invalid_transition"),
    ("question", {"directive_id": "{mine}", "text": ""}, "invalid_input"),
    ("question", {"directive_id": "{theirs}", "text": "Why?"}, "not_found"),
    ("sync", {"since": -1}, "invalid_input"),
    ("sync", None, "invalid_input"),
    ("delete_everything", {"directive_id": "{mine}"}, "invalid_input"),
]


def test_every_kind_of_bad_event_gets_an_error_answer_the_socket_survives_and_nothing_changes(world, hub):
    platform, stranger = world.platform(), world.platform()
    ids = {
        "mine": world.publish(hub, {"platforms": [platform.org.code]})["id"],
        "done": world.publish(hub, {"platforms": [platform.org.code]})["id"],
        "theirs": world.publish(hub, {"platforms": [stranger.org.code]})["id"],
    }
    client = sockclient.platform(hub.url, platform.token)
    client.wait_for("head")
    done = client.call("status", {"directive_id": ids["done"], "state": "implemented", "report": "Removed."})
    assert done["ok"]
    for name in ("receipt", "acknowledge"):
        answer = client.call(name, {"directive_id": ids["theirs"]})
        assert answer["ok"] is False and answer["error"] == "not_found", (name, answer)
    before = event_count(world)
    for name, data, code in BAD_EVENTS:
        if isinstance(data, dict):
            data = {k: ids[v[1:-1]] if isinstance(v, str) and v[1:-1] in ids else v for k, v in data.items()}
        answer = client.call(name, data)
        assert answer["ok"] is False and answer["error"] == code and answer["message"], (name, data, answer)
        assert client.connected
    assert client.call("acknowledge", {"directive_id": ids["mine"]})["ok"]
    assert event_count(world) == before + 2  # only the last, good call: delivered (implied) and acknowledged
    assert delivery(world, stranger, ids["theirs"]).state == DeliveryState.PENDING
    client.close()


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
    row = delivery(world, platform, mine)
    assert row.state == DeliveryState.IMPLEMENTED and row.report == "Took the items down."
    client.close()


def test_sync_fills_a_gap_without_reconnecting_and_head_comes_periodically(world, hub):
    platform = world.platform()
    ids = [world.publish(hub, {"platforms": [platform.org.code]})["id"] for _ in range(3)]
    head = delivery(world, platform, ids[-1]).seq
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
    assert delivery(world, hanoi, directive).delivered_at is not None
    assert delivery(world, saigon, directive).delivered_at is not None

    def counts(console):
        found = [p["counts"] for p in console.events("progress") if p["directive_id"] == directive]
        return found[-1] if found and found[-1]["delivered"] == found[-1]["total"] else None

    assert wait_until(lambda: counts(central))["total"] == 2
    assert wait_until(lambda: counts(province))["total"] == 1
    for client in (*clients, central, province):
        client.close()


def test_the_console_refuses_platform_users_and_strangers(world, hub):
    editor = world.editor(world.platform())
    for cookie in (world.session_cookie(editor), None):
        console = sockclient.Recorder("/console", sockclient.CONSOLE_EVENTS)
        assert not console.try_connect(hub.url, cookie=cookie)
        assert console.refused["message"].startswith("unauthenticated: ")


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
