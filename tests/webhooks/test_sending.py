"""Webhooks sent to a real local HTTP receiver: signed, in order, retried, never twice; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import timedelta

import pytest
from sqlmodel import select

from hub import ROOT
from hub.core import directives, reminders, webhook_outbox, webhooks
from hub.core.access import SYSTEM
from hub.core.errors import Forbidden
from hub.core.webhook_urls import RefusedAddress
from hub.db import make_engine, read_session, write_session
from hub.models import Delivery, DeliveryState, Event, OrgKind, Role, Webhook
from hub.webhooks.dispatcher import DispatchConfig, Dispatcher
from tests import factories as f
from tests.conftest import T0
from tests.e2e.hubproc import wait_until
from tests.webhooks.receiver import Receiver

MASTER = "test-master-key"
FAST = webhook_outbox.RetryPolicy(first_wait=timedelta(milliseconds=20), longest_wait=timedelta(milliseconds=50))
POLICY = webhooks.UrlPolicy(hub_hosts=("hub.example",), master_key=MASTER)


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def world(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    admin = f.user(engine, T0, regulator, Role.ADMIN)
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    platform = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    editor = f.user(engine, T0, platform, Role.EDITOR)
    return engine, admin, officer, platform, editor


def register(engine, admin, platform, url):
    with write_session(engine) as s:
        hook, secret = webhooks.register(
            s, admin, T0, POLICY, url=url, platform_id=platform.id, allow_internal=True, allow_http=True
        )
    return hook, secret


def dispatcher(engine, retry=FAST, **kw) -> Dispatcher:
    return Dispatcher(
        engine, DispatchConfig(MASTER, ("hub.example",), timeout=kw.pop("timeout", 5.0), retry=retry, **kw)
    )


def drain(d: Dispatcher, receiver: Receiver, count: int, timeout: float = 20.0):
    def done():
        d.tick()
        return len(receiver.accepted()) >= count and d.idle()

    wait_until(done, timeout, 0.02, f"{count} accepted webhook posts")


def publish_n(engine, officer, n):
    return [
        f.published(engine, T0 + timedelta(minutes=i), officer, {"provinces": ["HNI"]}, title=f"D{i}") for i in range(n)
    ]


def documented_verify():
    """The Python verification snippet of docs/webhooks.md, run as written."""
    text = (ROOT / "docs" / "webhooks.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "docs/webhooks.md", "exec"), namespace)
    return namespace["verify"]


def test_posts_are_signed_as_documented_and_record_delivered(world, receiver):
    engine, admin, officer, platform, _ = world
    hook, secret = register(engine, admin, platform, receiver.url)
    published = publish_n(engine, officer, 1)[0]
    d = dispatcher(engine)
    drain(d, receiver, 1)
    got = receiver.accepted()[0]
    verify = documented_verify()
    assert verify(secret, got.headers["Hub-Signature"], got.body)
    assert not verify(secret, got.headers["Hub-Signature"], got.body + b" ")
    assert not verify("whsec_wrong", got.headers["Hub-Signature"], got.body)
    assert got.data["type"] == "directive" and got.data["seq"] == 1
    assert got.data["directive"]["signature"] == published.directive.signature
    with read_session(engine) as s:
        delivery = s.exec(select(Delivery).where(Delivery.directive_id == published.directive.id)).one()
        assert delivery.state == DeliveryState.DELIVERED
        actors = s.exec(select(Event.actor).where(Event.kind == "delivered")).all()
    assert actors == [f"webhook #{hook.id}"]
    d.close()


def test_order_is_the_platforms_sequence_with_revocations_in_place(world, receiver):
    engine, admin, officer, platform, _ = world
    register(engine, admin, platform, receiver.url)
    first, *_ = publish_n(engine, officer, 4)
    with write_session(engine) as s:
        directives.revoke(s, officer, T0 + timedelta(hours=1), first.directive.id, "withdrawn")
    publish_n(engine, officer, 1)
    d = dispatcher(engine)
    drain(d, receiver, 6)
    kinds = [(r.data["type"], r.data["seq"]) for r in receiver.accepted()]
    assert kinds == [
        ("directive", 1),
        ("directive", 2),
        ("directive", 3),
        ("directive", 4),
        ("revoked", 1),
        ("directive", 5),
    ]
    d.close()


def test_a_receiver_failing_five_times_gets_each_delivery_exactly_once(world):
    engine, admin, officer, platform, _ = world
    receiver = Receiver(fail_first=5).start()
    try:
        register(engine, admin, platform, receiver.url)
        publish_n(engine, officer, 3)
        d = dispatcher(engine)
        drain(d, receiver, 3)
        time.sleep(0.2)
        d.tick()
        accepted = [r.data["seq"] for r in receiver.accepted()]
        assert accepted == [1, 2, 3]
        assert [r.status for r in receiver.requests[:6]] == [500] * 5 + [204]
        assert all(r.data["seq"] == 1 for r in receiver.requests[:6])
        with read_session(engine) as s:
            hook = s.exec(select(Webhook)).one()
        assert hook.active and hook.failing_since is None and hook.last_status == 204
        d.close()
    finally:
        receiver.stop()


def test_two_dispatchers_never_send_the_same_row_twice(world, db_url, receiver):
    engine, admin, officer, platform, _ = world
    register(engine, admin, platform, receiver.url)
    others = [f.org(engine, T0, OrgKind.PLATFORM, "HNI") for _ in range(5)]
    for other in others:
        register(engine, admin, other, receiver.url)
    publish_n(engine, officer, 8)
    engines = [make_engine(db_url), make_engine(db_url)]
    pair = [dispatcher(e, concurrency=4) for e in engines]
    stop = threading.Event()

    def run(d):
        while not stop.is_set():
            try:
                d.tick()
            except Exception:  # SQLite's write lock under two writers: the next tick tries again
                pass
            time.sleep(0.005)

    threads = [threading.Thread(target=run, args=(d,)) for d in pair]
    for t in threads:
        t.start()
    try:
        wait_until(lambda: len(receiver.accepted()) >= 48, 30, 0.05, "48 posts")
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join()
        for d in pair:
            d.close()
        for e in engines:
            e.dispose()
    keys = [(r.data["platform"], r.data["seq"]) for r in receiver.accepted()]
    assert len(keys) == 48 and len(set(keys)) == 48


def test_a_long_failure_disables_the_webhook_and_says_so(world):
    engine, admin, officer, platform, _ = world
    receiver = Receiver(fail_first=10**6).start()
    try:
        register(engine, admin, platform, receiver.url)
        publish_n(engine, officer, 1)
        policy = webhook_outbox.RetryPolicy(
            first_wait=timedelta(milliseconds=10),
            longest_wait=timedelta(milliseconds=10),
            disable_after=timedelta(milliseconds=200),
        )
        d = dispatcher(engine, retry=policy)

        def disabled():
            d.tick()
            with read_session(engine) as s:
                return not s.exec(select(Webhook)).one().active and d.idle()

        wait_until(disabled, 10, 0.02, "the webhook disabled")
        count = len(receiver.requests)
        d.tick()
        time.sleep(0.1)
        assert len(receiver.requests) == count  # disabled: nothing more is sent
        with read_session(engine) as s:
            event = s.exec(select(Event).where(Event.kind == "webhook_disabled")).one()
            hook = s.exec(select(Webhook)).one()
        assert event.org_id == platform.id and hook.disabled_reason
        with write_session(engine) as s:
            webhooks.send_again(s, admin, T0, hook.id)
        receiver.fail_first = 0
        receiver.requests.clear()
        drain(d, receiver, 1)
        d.close()
    finally:
        receiver.stop()


def test_internal_addresses_and_plain_http_need_the_regulator_admins_allowance(world):
    engine, _admin, _, platform, editor = world
    for url in (
        "http://127.0.0.1:9/x",
        "https://127.0.0.1/x",
        "https://10.1.2.3/x",
        "https://169.254.169.254/",
        "https://[::1]/x",
        "https://localhost/x",
        "https://hub.example/x",
        "https://[::ffff:10.0.0.1]/",
    ):
        with write_session(engine) as s, pytest.raises(RefusedAddress):
            webhooks.register(s, editor, T0, POLICY, url=url)
    rebinding = webhooks.UrlPolicy(
        ("hub.example",), MASTER, resolve=lambda host, port: ["93.184.216.34", "192.168.1.5"]
    )
    with write_session(engine) as s, pytest.raises(RefusedAddress):
        webhooks.register(s, editor, T0, rebinding, url="https://cms.example.vn/hook")
    with write_session(engine) as s, pytest.raises(Forbidden):
        webhooks.register(s, editor, T0, POLICY, url="https://127.0.0.1/x", allow_internal=True)
    with write_session(engine) as s:
        hook, _ = webhooks.register(
            s,
            SYSTEM,
            T0,
            POLICY,
            url="http://127.0.0.1:9/x",
            platform_id=platform.id,
            allow_internal=True,
            allow_http=True,
        )
    assert hook.allow_internal


def test_the_send_time_check_refuses_a_name_that_now_resolves_inward(world, receiver):
    engine, _admin, officer, _platform, editor = world
    public = webhooks.UrlPolicy(("hub.example",), MASTER, resolve=lambda host, port: ["93.184.216.34"])
    port = receiver.server.server_address[1]
    with write_session(engine) as s:
        webhooks.register(s, editor, T0, public, url=f"https://localtest.me:{port}/hook")
    publish_n(engine, officer, 1)
    d = dispatcher(engine)
    from hub.webhooks import sender

    original = sender.resolve
    sender.resolve = lambda host, port: ["127.0.0.1"]  # the name's answer changed after registration
    try:

        def tried():
            d.tick()
            with read_session(engine) as s:
                return s.exec(select(Webhook)).one().last_error

        error = wait_until(tried, 10, 0.02, "an attempt")
    finally:
        sender.resolve = original
        d.close()
    assert "internal address" in error and receiver.requests == []


def test_reminders_and_amendments_follow_the_directive(world, receiver):
    engine, admin, officer, platform, _ = world
    register(engine, admin, platform, receiver.url)
    (first,) = publish_n(engine, officer, 1)
    with write_session(engine) as s:
        delivery = s.exec(select(Delivery).where(Delivery.directive_id == first.directive.id)).one()
        reminders.remind(s, officer, T0 + timedelta(hours=1), delivery.id)
    with write_session(engine) as s:
        amended = directives.amend(
            s, officer, T0 + timedelta(hours=2), first.directive.id, f.draft(title="D0 bis"), f.SIGNER
        )
    d = dispatcher(engine)
    drain(d, receiver, 3)
    d.close()
    got = [r.data for r in receiver.accepted()]
    assert [g["type"] for g in got] == ["directive", "reminder", "directive"]
    assert got[1]["directive_id"] == first.directive.id and got[1]["manual"] and got[1]["phase"] == "acknowledge"
    assert got[2]["seq"] == 2 and got[2]["directive"]["supersedes_id"] == first.directive.id
    assert got[2]["directive"]["id"] == amended.directive.id


def test_every_body_is_compact_json_with_its_members_in_the_documented_order(world, receiver):
    engine, admin, officer, platform, _ = world
    register(engine, admin, platform, receiver.url)
    first, second = publish_n(engine, officer, 2)
    with write_session(engine) as s:
        delivery = s.exec(select(Delivery).where(Delivery.directive_id == first.directive.id)).one()
        reminders.remind(s, officer, T0 + timedelta(hours=1), delivery.id)
        directives.revoke(s, officer, T0 + timedelta(hours=1), second.directive.id, "withdrawn")
    d = dispatcher(engine)
    drain(d, receiver, 4)
    d.close()
    bodies = [r.body.decode() for r in receiver.accepted()]
    for body in bodies:  # exactly what json.dumps writes, so that any JSON library reads back what was signed
        assert json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False) == body
    keys = [list(json.loads(body)) for body in bodies]
    assert keys == [
        ["type", "platform", "seq", "directive"],
        ["type", "platform", "seq", "directive"],
        ["type", "platform", "seq", "directive_id", "ref_no", "title", "phase", "due_at", "manual"],
        ["type", "platform", "seq", "directive_id", "ref_no", "reason"],
    ]
    assert json.loads(bodies[0])["platform"] == platform.code and json.loads(bodies[1])["seq"] == 2
