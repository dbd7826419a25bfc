"""Do webhooks that never answer cost publishing anything? N platform clients on one hub, first with no webhooks,
then with W of the platforms also holding a webhook to a receiver that accepts connections and never answers.

    .venv/bin/python bench/bench_webhooks.py                       # N = 5,000, W = 1,000, 20 publishes
    .venv/bin/python bench/bench_webhooks.py --quick               # N = 300, W = 100, 5 publishes
    .venv/bin/python bench/bench_webhooks.py --rounds 2            # none, webhooks, none, webhooks: see the noise

Both runs have the scheduler on (sweep and webhook dispatcher), so the only difference is the webhooks. Each
publish is measured as in bench/bench_fanout.py (publish call, fan-out to the last socket client, every receipt
recorded); the webhook run also reports how many POSTs the hub started (all of them hang until its timeout).
The hub runs on core 0, the clients and the silent receiver on core 1. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_fanout import free_port, measure, pct, raise_nofile
from bench.targets import HubTarget, _now

ROOT = Path(__file__).resolve().parent.parent


class SilentReceiver:
    """A TCP listener that takes connections and never reads or answers: the worst webhook receiver."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8192)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/never"

    def close(self) -> None:
        self.sock.close()


class WebhookHub(HubTarget):
    """The hub with its scheduler on, on a copy of one prepared instance (N platforms with tokens) and, when
    ``webhooks`` > 0, that many of its platforms holding a webhook."""

    def __init__(self, *args, base: HubTarget, webhooks: int, receiver_url: str, **kw) -> None:
        super().__init__(*args, **kw)
        self.base, self.webhooks, self.receiver_url = base, webhooks, receiver_url
        self.name = f"W={webhooks}"

    def prepare(self, n: int) -> None:
        shutil.copytree(self.base.instance, self.instance)
        self.auths, self.officer_token = self.base.auths, self.base.officer_token
        if not self.webhooks:
            return
        from hub.config import load_settings
        from hub.core import webhooks
        from hub.core.access import SYSTEM
        from hub.db import make_engine, write_session
        from hub.models import Organisation, OrgKind

        settings = load_settings(
            {"instance_path": str(self.instance), "database_url": self.database_url}, environ=False
        )
        policy = webhooks.UrlPolicy((), settings.secret_key)
        engine = make_engine(self.database_url)
        with write_session(engine) as s:
            rows = s.exec(Organisation.__table__.select().where(Organisation.kind == OrgKind.PLATFORM)).all()
            for row in rows[: self.webhooks]:
                webhooks.register(
                    s,
                    SYSTEM,
                    _now(),
                    policy,
                    url=self.receiver_url,
                    platform_id=row.id,
                    allow_internal=True,
                    allow_http=True,
                )
        engine.dispose()

    def env(self) -> dict[str, str]:
        env = super().env()
        env.update(HUB_SCHEDULER="1", HUB_REPORT_REQUEST_CRON="off")
        return env


async def run(n: int, webhooks: int, args, base: HubTarget, receiver: SilentReceiver, label: str):
    target = WebhookHub(
        ROOT,
        args.workdir / f"hub-{label}",
        free_port(),
        args.server_cpu,
        base=base,
        webhooks=webhooks,
        receiver_url=receiver.url,
    )
    print(f"[{label}] N={n}, W={webhooks} ...", file=sys.stderr, flush=True)
    target.prepare(n)
    target.start()
    try:
        result = await measure(target, n, args.publishes, args.timeout, receipts=True)
        result.target = target.name
        await asyncio.sleep(args.settle)
    finally:
        target.stop()
    with sqlite3.connect(target.db_path) as db:
        owed = db.execute("SELECT count(*) FROM webhookmessage").fetchone()[0]
        tried = db.execute("SELECT count(*) FROM webhookmessage WHERE last_error IS NOT NULL").fetchone()[0]
    shutil.rmtree(target.instance, ignore_errors=True)
    print(f"[{label}] {result}", file=sys.stderr, flush=True)
    return result, owed, tried


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--platforms", type=int, default=5000)
    parser.add_argument("--webhooks", type=int, default=1000)
    parser.add_argument("--publishes", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1, help="alternate the two runs this many times")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--settle", type=float, default=3.0, help="seconds after the last publish, webhooks working")
    parser.add_argument("--quick", action="store_true", help="N=300, W=100, 5 publishes")
    args = parser.parse_args()
    if args.quick:
        args.platforms, args.webhooks, args.publishes = 300, 100, 5
    raise_nofile()
    cpus = sorted(os.sched_getaffinity(0))
    args.server_cpu = cpus[0] if len(cpus) > 1 else None
    if len(cpus) > 1:
        os.sched_setaffinity(0, {cpus[1]})
    args.workdir = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    receiver = SilentReceiver()
    rows = []
    try:
        base = HubTarget(ROOT, args.workdir / "base", 0, None)
        print(f"preparing {args.platforms} platforms ...", file=sys.stderr, flush=True)
        base.prepare(args.platforms)
        for k in range(args.rounds):
            for w in (0, args.webhooks):
                rows.append(asyncio.run(run(args.platforms, w, args, base, receiver, f"{k}-{w}")))
    finally:
        receiver.close()
        shutil.rmtree(args.workdir, ignore_errors=True)
    print(
        f"\nN={args.platforms} socket clients, {args.publishes} publishes to all; W platforms also hold a webhook to a "
        "receiver that never answers (the hub's default 10 s timeout, 16 at once).\n"
        "publish call: the HTTP call (p50); fan-out: publish call -> last socket client (p50 / p99); durable: every "
        "receipt recorded (p50 / p99); outbox rows: owed to the webhooks / tried and failed by the end"
    )
    header = (
        f"{'run':>8} {'conn':>6} {'publish ms':>10} {'CPU ms':>7} {'fan-out p50/p99 ms':>19} "
        f"{'durable p50/p99 ms':>19} {'lost':>5} {'outbox rows':>12} {'tried':>6}"
    )
    print(header)
    print("-" * len(header))
    for r, owed, tried in rows:
        print(
            f"{r.target:>8} {r.connected:>6} {pct(r.publish_ms, 50):>10.0f} {pct(r.cpu_ms, 50):>7.0f} "
            f"{pct(r.fanout_ms, 50):>9.0f} / {pct(r.fanout_ms, 99):<7.0f} "
            f"{pct(r.durable_ms, 50):>9.0f} / {pct(r.durable_ms, 99):<7.0f} {r.lost:>5} {owed:>12} {tried:>6}"
        )


if __name__ == "__main__":
    main()
