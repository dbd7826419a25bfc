"""The hub killed with SIGKILL again and again during publish, receipt and acknowledgement storms loses and doubles
nothing that it answered.

Real hub processes on one PostgreSQL database; real Socket.IO clients for 30 platforms that receipt and acknowledge
every directive they see; publishers calling the JSON API. Every *answered* publish, receipt and acknowledgement is
recorded on the client side. The serving hub is killed at seeded random moments while all three storms run, and a
new hub process takes over the same database; the clients reconnect with the last sequence number they hold fully
answered and take the replay. At the end the database must hold each answered publish once, each answered receipt
and acknowledgement once (counted in the log, per delivery), every platform's sequence 1..n without a gap, every
delivery received and acknowledged by its platform, and the log must verify.

Starting a hub is mostly Python importing its libraries (seconds on a busy machine), so each replacement process is
launched a couple of lives ahead and is idle until the one serving is killed: every restart is still a new process
on the database the killed one left behind, and the test stays well under two minutes.
"""

from __future__ import annotations

import http.client
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
from collections import Counter, deque
from functools import partial
from typing import Any

import pytest
import socketio
import sqlalchemy as sa

from hub.models import Delivery, Directive, Event, Organisation
from tests.e2e.hubproc import ROOT, HubProcess, wait_until
from tests.e2e.world import Platform, World, create_pg_database, drop_pg_database

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("HUB_CRASH_SEED", "664"))
PLATFORMS = 30
# Twenty kills, each during all three storms; HUB_CRASH_KILLS=100 (and another HUB_CRASH_SEED) for a longer hunt
# than the suite can afford.
KILLS = max(20, int(os.environ.get("HUB_CRASH_KILLS", "20")))
CHECKPOINT_EVERY = 5  # kills between two checkpoints signed mid-storm
PUBLISHERS = 2
NS = "/platform"
READY_TIMEOUT = 90.0  # several hubs start at once on a machine that may be busy with other tests


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    url = create_pg_database()
    world = World(tmp_path_factory.mktemp("crash") / "instance", url)
    yield world
    world.close()
    drop_pg_database(url)


def flask_cli(world: World, *args: str) -> subprocess.CompletedProcess:
    """Run ``flask --app app ARGS`` on the world's database and instance folder, as an operator would."""
    env = {
        **os.environ,
        "HUB_INSTANCE": str(world.instance),
        "DATABASE_URL": world.database_url,
        "HUB_SEED_DEMO": "0",
        "HUB_SCHEDULER": "0",
    }
    command = [sys.executable, "-m", "flask", "--app", "app", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def verify_log(world: World) -> None:
    """Every check the log offers on its own, run through the command line after the crashes; each must exit 0:
    the chain and every delivery against its events, then the log against the checkpoints signed during the
    storms (and one more now)."""
    checkpoints = world.instance / "checkpoints.jsonl"
    for args in (("verify-log",), ("checkpoint",), ("verify-log", "--against", str(checkpoints))):
        result = flask_cli(world, *args)
        assert result.returncode == 0, f"flask {' '.join(args)}:\n{result.stdout}{result.stderr}"
    assert len(checkpoints.read_text().splitlines()) >= 1 + KILLS // CHECKPOINT_EVERY


def checkpoint(world: World) -> None:
    """Sign the log's head now, while the storms go on (as the scheduler does every few minutes)."""
    result = flask_cli(world, "checkpoint")
    assert result.returncode == 0, f"flask checkpoint:\n{result.stdout}{result.stderr}"


class HubLine:
    """The serving hub and the processes launched ahead to replace it, all on the world's database."""

    def __init__(self, world: World, ahead: int = 2) -> None:
        self.world = world
        self.current = self._launch()
        self.current.wait_ready(READY_TIMEOUT)
        self.waiting = deque(self._launch() for _ in range(ahead))
        self.kills = 0

    def _launch(self) -> HubProcess:
        proc = HubProcess(self.world.instance, self.world.database_url, channel=self.world.channel).launch()
        self.world.hubs.append(proc)
        return proc

    def kill_and_restart(self) -> None:
        """SIGKILL the serving hub, then serve from the next process (and launch one more behind it)."""
        self.current.kill()
        self.kills += 1
        self.waiting.append(self._launch())
        following = self.waiting.popleft()
        following.wait_ready(READY_TIMEOUT)
        self.current = following


class Ledger:
    """What the hub answered, as its clients saw it, and which life of the hub answered it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.life = 0
        self.published: dict[int, str] = {}
        self.answered: dict[str, set[tuple[int, int]]] = {"receipt": set(), "acknowledge": set()}
        self.errors: list[tuple[str, Any]] = []
        self.per_life: Counter[tuple[int, str]] = Counter()

    def publish(self, directive_id: int, title: str) -> None:
        with self.lock:
            self.published[directive_id] = title
            self.per_life[(self.life, "publish")] += 1

    def answer(self, event: str, platform_id: int, directive_id: int) -> None:
        with self.lock:
            self.answered[event].add((platform_id, directive_id))
            self.per_life[(self.life, event)] += 1

    def refused(self, what: str, answer: Any) -> None:
        with self.lock:
            self.errors.append((what, answer))

    def count(self, life: int, what: str) -> int:
        with self.lock:
            return self.per_life[(life, what)]


class PlatformClient:
    """One platform's system: receipts and acknowledges every directive it sees, reconnects after every crash and
    asks for the replay after the last sequence number whose receipt and acknowledgement were both answered."""

    def __init__(self, platform: Platform, hubs: HubLine, ledger: Ledger) -> None:
        self.platform, self.hubs, self.ledger = platform, hubs, ledger
        self.lock = threading.Lock()
        self.seq_of: dict[int, int] = {}
        self.done: dict[str, set[int]] = {"receipt": set(), "acknowledge": set()}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(15)

    def cursor(self) -> int:
        """The highest n such that sequence numbers 1..n are all receipted and acknowledged, answers received."""
        with self.lock:
            both = self.done["receipt"] & self.done["acknowledge"]
            held = {self.seq_of[d] for d in both if d in self.seq_of}
        n = 0
        while n + 1 in held:
            n += 1
        return n

    def finished(self) -> int:
        with self.lock:
            return len(self.done["receipt"] & self.done["acknowledge"])

    def _run(self) -> None:
        while not self.stopped.is_set():
            hub = self.hubs.current
            try:
                raw = socket.create_connection(("127.0.0.1", hub.port), timeout=5)
            except OSError:
                time.sleep(0.05)  # the hub is down or not yet serving: ask again soon
                continue
            try:
                self._session(hub.url, raw)
            finally:
                raw.close()

    def _session(self, url: str, raw: socket.socket) -> None:
        """One connection, until the hub goes away. The test owns the TCP socket: Engine.IO's client leaves its
        own unclosed when the server dies between accepting the connection and opening the session."""
        sio = socketio.Client(reconnection=False, websocket_extra_options={"socket": raw})
        gone = threading.Event()
        sent: set[tuple[str, int]] = set()  # what this connection has asked; a new one asks again
        sio.on("directive", partial(self._on_directive, sio, sent), namespace=NS)
        sio.on("disconnect", lambda *_: gone.set(), namespace=NS)
        auth = {"token": self.platform.token, "since": self.cursor()}
        try:
            sio.connect(url, namespaces=[NS], auth=auth, transports=["websocket"], wait_timeout=5)
        except socketio.exceptions.ConnectionError:
            return
        while not gone.wait(0.05) and not self.stopped.is_set():
            pass
        if sio.connected:
            sio.disconnect()

    def _on_directive(self, sio: socketio.Client, sent: set[tuple[str, int]], data: dict[str, Any]) -> None:
        directive_id = data["id"]
        with self.lock:
            if "seq" in data:
                self.seq_of[directive_id] = data["seq"]
            wanted = [e for e in ("receipt", "acknowledge") if directive_id not in self.done[e]]
            wanted = [e for e in wanted if (e, directive_id) not in sent]
            sent.update((e, directive_id) for e in wanted)
        for event in wanted:  # sent one after the other without waiting: the storm the hub is killed in
            body = {"directive_id": directive_id}
            if event == "receipt" and "seq" in data:
                body = {"seq": data["seq"]}
            try:
                sio.emit(event, body, namespace=NS, callback=partial(self._answered, event, directive_id))
            except socketio.exceptions.SocketIOError:
                return  # the hub went away: this connection's questions stay unanswered and are asked again

    def _answered(self, event: str, directive_id: int, answer: Any = None) -> None:
        if not (isinstance(answer, dict) and answer.get("ok")):
            self.ledger.refused(event, answer)
            return
        with self.lock:
            if event == "receipt":
                self.seq_of[directive_id] = answer["seq"]
            self.done[event].add(directive_id)
        self.ledger.answer(event, self.platform.org.id, directive_id)


def publish_storm(world: World, hubs: HubLine, ledger: Ledger, platforms: list[Platform], name: str, stop) -> None:
    """Publish to random handfuls of platforms until told to stop; record each publish the API answered."""
    rng, n = random.Random(f"{SEED}-{name}"), 0
    while not stop.is_set():
        n += 1
        title = f"Crash {name}-{n}"
        audience = {"platforms": [p.org.code for p in rng.sample(platforms, rng.randint(3, 12))]}
        try:
            answer = world.publish(hubs.current, audience, title=title)
        except urllib.error.HTTPError as exc:
            ledger.refused("publish", f"{exc.code} {exc.read()[:300]!r}")
            continue
        except (OSError, http.client.HTTPException):
            time.sleep(0.02)  # killed under the request, or not serving yet: unanswered, so not recorded
            continue
        ledger.publish(answer["id"], title)
        time.sleep(0.03)


def test_twenty_sigkills_during_the_storms_lose_and_double_nothing_that_was_answered(world):
    rng = random.Random(SEED)
    platforms = [world.platform(rng.choice(("HNI", "HCM", "DNG"))) for _ in range(PLATFORMS)]
    hubs, ledger, stop = HubLine(world), Ledger(), threading.Event()
    clients = [PlatformClient(p, hubs, ledger) for p in platforms]
    publishers = [
        threading.Thread(target=publish_storm, args=(world, hubs, ledger, platforms, f"p{n}", stop), daemon=True)
        for n in range(PUBLISHERS)
    ]
    for worker in (*clients, *publishers):
        worker.start()
    started = time.monotonic()
    try:
        crash_repeatedly(hubs, ledger, rng)
        stop.set()
        for publisher in publishers:
            publisher.join(30)
        settle(world, clients)
    finally:
        stop.set()
        for client in clients:
            client.stop()

    assert hubs.kills == KILLS
    assert ledger.errors == []
    check_publishes(world, ledger)
    check_sequences(world, platforms)
    check_receipts_and_acknowledgements(world, ledger)
    verify_log(world)
    answered = {event: len(keys) for event, keys in ledger.answered.items()}
    took = time.monotonic() - started
    print(f"{hubs.kills} kills in {took:.1f} s; answered {len(ledger.published)} publishes, {answered}")


def crash_repeatedly(hubs: HubLine, ledger: Ledger, rng: random.Random) -> None:
    """Kill the serving hub KILLS times, each at a random moment once all three storms run against it."""
    for life in range(KILLS):
        ledger.life = life
        wait_until(
            lambda life=life: all(ledger.count(life, what) for what in ("publish", "receipt", "acknowledge")),
            timeout=60,
            message=f"answered publishes, receipts and acknowledgements from hub life {life}",
        )
        if life % CHECKPOINT_EVERY == CHECKPOINT_EVERY - 1:
            checkpoint(hubs.world)
        time.sleep(rng.uniform(0.05, 0.6))
        hubs.kill_and_restart()
    ledger.life = KILLS


def settle(world: World, clients: list[PlatformClient]) -> None:
    """With the publishers stopped, wait until every platform has had every delivery of its inbox answered."""
    owed = Counter(p for (p,) in rows(world, sa.select(Delivery.__table__.c.platform_id)))
    wait_until(
        lambda: all(c.finished() >= owed[c.platform.org.id] for c in clients),
        timeout=60,
        message="every delivery receipted and acknowledged after the last restart",
    )


def rows(world: World, statement: sa.Executable) -> list[sa.Row]:
    with world.engine.connect() as conn:
        return conn.execute(statement).all()


def check_publishes(world: World, ledger: Ledger) -> None:
    """Each answered publish is there, once, with one `published` event; no publish is there twice."""
    d, e = Directive.__table__, Event.__table__
    stored = dict(rows(world, sa.select(d.c.id, d.c.title)))
    assert {i: stored.get(i) for i in ledger.published} == ledger.published
    doubled = [t for t, n in Counter(stored.values()).items() if n > 1]
    assert doubled == []
    published = Counter(i for (i,) in rows(world, sa.select(e.c.directive_id).where(e.c.kind == "published")))
    assert published == Counter(set(stored))


def check_sequences(world: World, platforms: list[Platform]) -> None:
    """Every platform's deliveries are numbered 1..n, n being the platform's head, without a gap or a repeat."""
    dl, org = Delivery.__table__, Organisation.__table__
    numbered: dict[int, list[int]] = {p.org.id: [] for p in platforms}
    for platform_id, seq in rows(world, sa.select(dl.c.platform_id, dl.c.seq).order_by(dl.c.platform_id, dl.c.seq)):
        numbered[platform_id].append(seq)
    heads = dict(rows(world, sa.select(org.c.id, org.c.delivery_seq).where(org.c.id.in_(numbered))))
    wrong = {p: s for p, s in numbered.items() if s != list(range(1, heads[p] + 1))}
    assert wrong == {}
    assert sum(heads.values()) > 0


def check_receipts_and_acknowledgements(world: World, ledger: Ledger) -> None:
    """Each answered receipt and acknowledgement is recorded on its delivery and logged exactly once; every delivery
    carries one event per step its row says it reached, and (after the settling) every one was acknowledged."""
    dl, e = Delivery.__table__, Event.__table__
    logged = Counter(
        (delivery_id, kind)
        for delivery_id, kind in rows(
            world, sa.select(e.c.delivery_id, e.c.kind).where(e.c.kind.in_(("delivered", "acknowledged")))
        )
    )
    columns = (dl.c.platform_id, dl.c.directive_id, dl.c.id, dl.c.delivered_at, dl.c.acknowledged_at)
    deliveries = {(p, d): (i, got, acked) for p, d, i, got, acked in rows(world, sa.select(*columns))}
    mismatched = [
        (i, kind)
        for i, got, acked in deliveries.values()
        for kind, stamp in (("delivered", got), ("acknowledged", acked))
        if logged[(i, kind)] != (1 if stamp else 0)
    ]
    assert mismatched == []
    for event, kind, stamp in (("receipt", "delivered", 1), ("acknowledge", "acknowledged", 2)):
        missing = [key for key in ledger.answered[event] if key not in deliveries or not deliveries[key][stamp]]
        assert missing == [], f"answered {event}s the database does not hold"
        assert all(logged[(deliveries[key][0], kind)] == 1 for key in ledger.answered[event])
    assert [i for i, _, acked in deliveries.values() if acked is None] == []
