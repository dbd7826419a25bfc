"""Nothing is lost: real hub processes, real Socket.IO clients over real sockets, one SQLite database."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from hub.db import read_session
from hub.models import Delivery
from tests.e2e import sockclient
from tests.e2e.world import World

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("delivery")
    world = World(base / "instance", f"sqlite:///{base / 'hub.sqlite3'}")
    yield world
    world.close()


@pytest.fixture(scope="module")
def hub(world):
    return world.hub(HUB_REPLAY_PAGE="2")  # a replay in many short steps, so live publications fall in between


def inbox(world: World, platform) -> list[tuple[int, int]]:
    """(seq, directive id) of every delivery of the platform, in order."""
    with read_session(world.engine) as session:
        rows = session.exec(
            select(Delivery.seq, Delivery.directive_id)
            .where(Delivery.platform_id == platform.org.id)
            .order_by(Delivery.seq)
        ).all()
    return [tuple(r) for r in rows]


def directive_ids(client: sockclient.Recorder) -> list[int]:
    return [d["id"] for d in client.events("directive")]


def test_a_platform_offline_during_several_publishes_receives_all_of_them_in_order_once(world, hub):
    platform = world.platform()
    client = sockclient.platform(hub.url, platform.token)
    (head,) = client.wait_for("head")
    client.close()
    published = [world.publish(hub, {"platforms": [platform.org.code]}, title=f"Offline {n}")["id"] for n in range(5)]

    back = sockclient.platform(hub.url, platform.token, since=head["seq"])
    back.wait_for("head")
    received = back.events("directive")
    assert [d["id"] for d in received] == published
    assert [d["seq"] for d in received] == list(range(head["seq"] + 1, head["seq"] + 6))
    assert back.events("head")[-1] == {"seq": head["seq"] + 5}
    answers = [back.call("receipt", {"seq": d["seq"]}) for d in received]
    assert answers == [{"ok": True, "directive_id": d["id"], "seq": d["seq"]} for d in received]
    assert directive_ids(back) == published
    back.close()


def test_the_hub_killed_between_a_publish_and_the_reconnect_loses_nothing(world, hub):
    platform = world.platform()
    client = sockclient.platform(hub.url, platform.token)
    (head,) = client.wait_for("head")
    client.close()
    before = [world.publish(hub, {"platforms": [platform.org.code]})["id"] for _ in range(2)]
    hub.kill()
    while_dead = [p.directive.id for p in world.publish_quietly(1, {"platforms": [platform.org.code]})]
    hub.start()

    back = sockclient.platform(hub.url, platform.token, since=head["seq"])
    back.wait_for("head")
    assert directive_ids(back) == before + while_dead
    back.close()


def test_two_platforms_never_see_each_others_directives_and_a_province_audience_reaches_exactly_its_platforms(
    world, hub
):
    hanoi_a, hanoi_b, saigon = world.platform("HNI"), world.platform("HNI"), world.platform("HCM")
    clients = {p: sockclient.platform(hub.url, p.token, since=p.org.delivery_seq) for p in (hanoi_a, hanoi_b, saigon)}
    for client in clients.values():
        client.wait_for("head")
    only_a = world.publish(hub, {"platforms": [hanoi_a.org.code]})["id"]
    only_saigon = world.publish(hub, {"platforms": [saigon.org.code]})["id"]
    hanoi = world.publish(hub, {"provinces": ["HNI"]})["id"]
    codes = [p.org.code for p in clients]
    marker = world.publish(hub, {"platforms": codes}, title="marker")["id"]
    for client in clients.values():
        wait_marker = lambda c=client: marker in directive_ids(c)  # noqa: E731
        sockclient.wait_until(wait_marker, message="the marker directive")

    assert directive_ids(clients[hanoi_a]) == [only_a, hanoi, marker]
    assert directive_ids(clients[hanoi_b]) == [hanoi, marker]
    assert directive_ids(clients[saigon]) == [only_saigon, marker]
    for platform, client in clients.items():
        assert [i for _, i in inbox(world, platform)][-len(directive_ids(client)) :] == directive_ids(client)
        client.close()


def test_a_directive_published_while_the_replay_runs_arrives_after_it_with_no_gap_and_no_reorder(world, hub):
    platform = world.platform()
    audience = {"platforms": [platform.org.code]}
    world.publish_quietly(150, audience)
    live: list[int] = []
    stop = threading.Event()

    def publish_live() -> None:
        while not stop.is_set() and len(live) < 40:
            live.append(world.publish(hub, audience, title=f"Live {len(live)}")["id"])

    publisher = threading.Thread(target=publish_live)
    publisher.start()
    sockclient.wait_until(lambda: live, message="the first live publication")
    client = sockclient.platform(hub.url, platform.token, since=0)
    client.wait_for("head")
    published_by_head = len(live)
    sockclient.wait_until(lambda: len(live) >= published_by_head + 2, message="publications after the replay")
    stop.set()
    publisher.join(30)

    expected = [i for _, i in inbox(world, platform)]
    sockclient.wait_until(lambda: len(client.events("directive")) >= len(expected), message="every directive")
    assert directive_ids(client) == expected
    replayed = [d["id"] for d in client.events("directive") if "seq" in d]
    assert [d["seq"] for d in client.events("directive") if "seq" in d] == list(range(1, len(replayed) + 1))
    assert directive_ids(client)[: len(replayed)] == replayed  # the replay first, then the live stream
    assert set(live) & set(replayed) and set(live) - set(replayed)  # the live stream ran across the replay
    client.close()


def test_a_long_directive_goes_through_the_servers_small_read_buffer_and_arrives_whole(world, hub):
    platform = world.platform()
    client = sockclient.platform(hub.url, platform.token)
    client.wait_for("head")  # after the replay of what is in force
    before = len(client.events("directive"))
    body = "Đề nghị rà soát, gỡ bỏ thông tin sai lệch. " * 1100  # 48,400 characters, about 60 KB of UTF-8
    sent = world.publish(hub, {"platforms": [platform.org.code]}, title="Long", body=body)
    received = client.wait_for("directive", before + 1)[-1]
    assert received["id"] == sent["id"] and received["body"] == body.strip()
    assert client.call("receipt", {"directive_id": sent["id"]})["ok"] is True
    client.close()
