"""Acknowledgements under load: N platforms acknowledge one directive at once over their sockets.

    .venv/bin/python bench/bench_ack.py                              # N = 2,000 and 5,000; SQLite and PostgreSQL
    .venv/bin/python bench/bench_ack.py --sizes 200 --databases sqlite --rounds 2   # a smoke test

For each database and N it starts the hub (``python app.py`` with N platforms and their tokens), connects N cheap
clients (bench/loadgen.py), then, each round: publishes one directive to all of them; every client answers it with a
``receipt`` as it arrives; once every receipt is answered, every client sends ``acknowledge`` at once. It measures,
per client, the time from sending each event to its answer (answers come only after the commit), and events
recorded per second (N / first sent -> last answered). The first round warms up and is not counted. The server runs
on core 0 and this process on core 1. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_fanout import free_port, pct, raise_nofile, wait_for
from bench.loadgen import NAMESPACE, Client, Swarm
from bench.scratch import create_pg_database, drop_pg_database
from bench.targets import HubTarget

ROOT = Path(__file__).resolve().parent.parent


class TimedClient(Client):
    """A client that answers each new directive with a receipt and times every event it sends to its answer."""

    counts: ClassVar[Counter] = Counter()  # answers so far, by event, over all clients (cheap to poll)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.pending: dict[int, tuple[str, float]] = {}
        self.answered: list[tuple[str, float, float, bool]] = []  # (event, sent at, answered at, ok)

    def emit(self, event: str, data: dict) -> None:
        self._ack_id += 1
        self.pending[self._ack_id] = (event, time.monotonic())
        self.send(f"42{NAMESPACE},{self._ack_id}{json.dumps([event, data])}")

    def _on_packet(self, data: bytes, at: float) -> None:
        prefix = b"43" + NAMESPACE.encode() + b","
        if not data.startswith(prefix):
            super()._on_packet(data, at)
            return
        start = data.index(b"[")
        event, sent = self.pending.pop(int(data[len(prefix) : start]))
        answer = json.loads(data[start:])
        self.answered.append((event, sent, at, bool(answer and answer[0].get("ok"))))
        self.counts[event] += 1

    def _on_event(self, data: bytes, at: float) -> None:
        before = set(self.seen)
        super()._on_event(data, at)
        for directive_id in self.seen - before:
            self.emit("receipt", {"directive_id": directive_id})


class TimedSwarm(Swarm):
    client_class = TimedClient


@dataclass
class Result:
    database: str
    n: int
    connected: int = 0
    waits: dict[str, list[float]] = field(default_factory=lambda: {"receipt": [], "acknowledge": []})
    rates: dict[str, list[float]] = field(default_factory=lambda: {"receipt": [], "acknowledge": []})
    cpu: dict[str, list[float]] = field(default_factory=lambda: {"receipt": [], "acknowledge": []})
    errors: int = 0
    unanswered: int = 0
    unrecorded: int = 0


def server_cpu(pid: int) -> float:
    """Seconds of CPU the server process has used so far (user + system): unlike the waits, it hardly changes when
    other work shares the machine, so two versions of the hub compare fairly on a busy machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def answers(swarm: Swarm, event: str) -> list[tuple[str, float, float, bool]]:
    return [a for c in swarm.clients for a in c.answered if a[0] == event]


async def one_round(swarm: Swarm, target: HubTarget, engine, result: Result, timeout: float, counted: bool) -> None:
    """Publish, wait for every receipt's answer, then every client acknowledges at once; note the waits."""
    loop = asyncio.get_running_loop()
    for client in swarm.clients:
        client.answered.clear()
    TimedClient.counts.clear()
    cpu = {"receipt": server_cpu(target.pid)}
    directive_id = await loop.run_in_executor(None, target.publish)
    n = len(swarm.clients)
    await wait_for(lambda: TimedClient.counts["receipt"] >= n, timeout, interval=0.05)
    cpu["receipt"] = server_cpu(target.pid) - cpu["receipt"]
    await asyncio.sleep(0.5)  # a quiet moment: the acknowledgements start on their own
    cpu["acknowledge"] = server_cpu(target.pid)
    for client in swarm.clients:
        client.emit("acknowledge", {"directive_id": directive_id})
    await wait_for(lambda: TimedClient.counts["acknowledge"] >= n, timeout, interval=0.05)
    cpu["acknowledge"] = server_cpu(target.pid) - cpu["acknowledge"]
    if not counted:
        return
    for event in ("receipt", "acknowledge"):
        result.cpu[event].append(cpu[event])
        got = answers(swarm, event)
        result.unanswered += n - len(got)
        result.errors += sum(1 for *_, ok in got if not ok)
        result.waits[event] += [at - sent for _, sent, at, _ in got]
        if got:
            span = max(at for _, _, at, _ in got) - min(sent for _, sent, _, _ in got)
            result.rates[event].append(len(got) / max(1e-6, span))
    with engine.connect() as conn:
        acknowledged = conn.execute(
            sa.text("SELECT count(*) FROM delivery WHERE directive_id = :d AND acknowledged_at IS NOT NULL"),
            {"d": directive_id},
        ).scalar()
    result.unrecorded += n - acknowledged


async def measure(target: HubTarget, result: Result, rounds: int, timeout: float) -> None:
    from hub.db import make_engine

    engine = make_engine(target.database_url)
    swarm = TimedSwarm("127.0.0.1", target.port, target.auths, receipts=False)
    await swarm.connect()
    result.connected = len(swarm.clients)
    await asyncio.sleep(1.0)  # the post-connect replays and heads settle
    try:
        for k in range(rounds + 1):  # the first pays for caches and pools: not counted
            await one_round(swarm, target, engine, result, timeout, counted=k > 0)
    finally:
        await swarm.close()
        engine.dispose()


def run_one(database: str, n: int, args: argparse.Namespace, workdir: Path) -> Result:
    url = create_pg_database("bench_ack") if database == "postgresql" else ""
    target = HubTarget(ROOT, workdir / f"hub-{database}-{n}", free_port(), args.server_cpu, database_url=url)
    result = Result(database, n)
    try:
        target.log_path.parent.mkdir(parents=True, exist_ok=True)
        print(f"[{database} N={n}] preparing ...", file=sys.stderr, flush=True)
        target.prepare(n)
        target.start()
        asyncio.run(measure(target, result, args.rounds, args.timeout))
    finally:
        target.stop()
        if url:
            drop_pg_database(url)
    print(f"[{database} N={n}] {result.connected} connected", file=sys.stderr, flush=True)
    return result


def print_table(results: list[Result]) -> None:
    print("| database | N | receipt p50 / p99 / max ms | receipts/s | server CPU ms | acknowledge p50 / p99 / max ms "
          "| acks/s | server CPU ms | errors | unanswered | unrecorded |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        cells = [r.database, f"{r.n:,}"]
        for event in ("receipt", "acknowledge"):
            w = [x * 1000 for x in r.waits[event]]
            cells.append(f"{pct(w, 50):.0f} / {pct(w, 99):.0f} / {max(w, default=float('nan')):.0f}")
            cells.append(f"{sorted(r.rates[event])[len(r.rates[event]) // 2]:,.0f}" if r.rates[event] else "-")
            cells.append(f"{sorted(r.cpu[event])[len(r.cpu[event]) // 2] * 1000:,.0f}" if r.cpu[event] else "-")
        cells += [str(r.errors), str(r.unanswered), str(r.unrecorded)]
        print("| " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,5000", help="comma-separated platform counts")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=3, help="counted rounds (one more warms up)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for one round's answers")
    args = parser.parse_args()
    raise_nofile()
    cpus = sorted(os.sched_getaffinity(0))
    args.server_cpu = cpus[0] if len(cpus) > 1 else None
    if len(cpus) > 1:
        os.sched_setaffinity(0, {cpus[1]})
    workdir = Path(tempfile.mkdtemp(prefix="bench-ack-"))
    results = []
    try:
        for database in args.databases.split(","):
            for n in (int(s) for s in args.sizes.split(",")):
                results.append(run_one(database, n, args, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"\nwait: event sent -> its answer (after the commit), per client, {args.rounds} rounds; "
        "per second: answered events / (first sent -> last answered); server CPU: the hub process's CPU time from "
        "the publish (receipts) or the first acknowledgement sent (acknowledgements) to the last answer, median of the "
        "rounds; unrecorded: acknowledgements not in the "
        f"database after their answers; server on CPU {args.server_cpu}, clients on CPU "
        f"{cpus[1] if len(cpus) > 1 else '-'}"
    )
    print_table(results)


if __name__ == "__main__":
    main()
