"""Several hub processes: one PostgreSQL database, one Redis message queue, sockets spread over both."""

from __future__ import annotations

import json
import threading

import pytest
import redis

from tests.e2e import sockclient
from tests.e2e.hubproc import wait_until
from tests.e2e.world import World, create_pg_database, drop_pg_database, need_redis

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    queue = need_redis()
    url = create_pg_database()
    world = World(tmp_path_factory.mktemp("two") / "instance", url, message_queue=queue)
    yield world
    world.close()
    drop_pg_database(url)


@pytest.fixture(scope="module")
def hubs(world):
    return tuple(world.start_hubs(2))


class ChannelListener:
    """Counts the messages that cross the Socket.IO channel on Redis, by method and event."""

    def __init__(self, url: str, channel: str) -> None:
        self.pubsub = redis.Redis.from_url(url).pubsub()
        self.pubsub.subscribe(channel)
        self.pubsub.get_message(timeout=5)  # the subscription's confirmation
        self.messages: list[dict] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()

    def _listen(self) -> None:
        while not self.stopped.is_set():
            message = self.pubsub.get_message(timeout=0.1)
            if message and message["type"] == "message":
                self.messages.append(json.loads(message["data"]))

    def emitted(self, event: str) -> list[dict]:
        return [m for m in list(self.messages) if m.get("method") == "emit" and m.get("event") == event]

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(5)
        self.pubsub.close()


def test_a_directive_published_through_one_process_reaches_a_platform_on_the_other_and_its_receipt_the_console(
    world, hubs
):
    a, b = hubs
    platforms = [world.platform() for _ in range(3)]
    listener = ChannelListener(world.message_queue, world.channel)
    on_b = [sockclient.platform(b.url, p.token, since=p.org.delivery_seq) for p in platforms]
    for client in on_b:
        client.wait_for("head")
    console_on_a = sockclient.console(a.url, world.session_cookie(world.officer))

    directive = world.publish(a, {"platforms": [p.org.code for p in platforms]})["id"]
    for client in on_b:
        (received,) = client.wait_for("directive")
        assert received["id"] == directive
        assert client.call("receipt", {"directive_id": directive})["ok"]

    def delivered() -> int:
        counts = [p["counts"] for p in console_on_a.events("progress") if p["directive_id"] == directive]
        return counts[-1]["delivered"] if counts else 0

    wait_until(lambda: delivered() == 3, message="the receipts taken by B on the console of A")
    assert len(listener.emitted("directive")) == 1  # one message through Redis for the whole audience
    listener.close()
    for client in (*on_b, console_on_a):
        client.close()


def test_a_token_revoked_through_one_process_cuts_its_socket_on_the_other(world, hubs):
    a, b = hubs
    platform = world.platform()
    client = sockclient.platform(b.url, platform.token)
    client.wait_for("head")
    world.revoke_token(a, platform)
    assert client.disconnected.wait(10)


def test_the_messages_through_redis_for_one_publish_do_not_grow_with_its_audience(world, hubs):
    a, _ = hubs
    crossings: list[list[tuple[str, str]]] = []
    for audience in ([world.platform("HPG") for _ in range(2)], [world.platform("HPG") for _ in range(400)]):
        listener = ChannelListener(world.message_queue, world.channel)
        directive = world.publish(a, {"platforms": [p.org.code for p in audience]})["id"]
        wait_until(lambda heard=listener: heard.emitted("directive"), message="the directive through Redis")
        wait_until(
            lambda heard=listener, d=directive: _progress_crossed(heard, d), message="its progress through Redis"
        )
        listener.close()
        mine = [m for m in listener.messages if _concerns(m, directive)]  # not stragglers of earlier tests
        crossings.append(sorted((m.get("method"), str(m.get("event"))) for m in mine))
    assert crossings[0] == crossings[1]  # the same few messages for 2 platforms and for 400
    assert crossings[1].count(("emit", "directive")) == 1


def _concerns(message: dict, directive_id: int) -> bool:
    data = message.get("data") or []
    first = data[0] if data else None
    if isinstance(first, dict):
        return directive_id in (first.get("id"), first.get("directive_id"))
    return isinstance(first, list) and directive_id in first


def _progress_crossed(listener: ChannelListener, directive_id: int) -> bool:
    return any(m.get("event") == "hub:progress" and [directive_id] in (m.get("data") or []) for m in listener.messages)
