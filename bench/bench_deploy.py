"""Fan-out through the deployment of ``deploy/``: N platform clients connect through nginx to three hub processes
(PostgreSQL, Redis), against one hub process on the same PostgreSQL without nginx or Redis, in the same run.

    .venv/bin/python bench/bench_deploy.py                     # N = 1,000 and 5,000; 10 publishes each
    .venv/bin/python bench/bench_deploy.py --sizes 2000 --publishes 20

Each client speaks Engine.IO/Socket.IO over a websocket (bench/loadgen.py) and answers every directive with a
receipt. The servers (hubs and nginx) share core 0 and the clients run on core 1, as in bench/bench_fanout.py: on a
2-core machine the three processes share one core, so the comparison shows what the proxy, the message queue and
the spreading cost, not what more cores would gain. Needs PostgreSQL and Redis (tests/conftest.py's addresses) and
nginx. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_fanout import free_port, measure, pct, raise_nofile
from bench.targets import HubTarget
from tests.conftest import REDIS_URL
from tests.e2e.deployment import HUBS, Deployment
from tests.e2e.world import create_pg_database, drop_pg_database

ROOT = Path(__file__).resolve().parent.parent


class PgHubTarget(HubTarget):
    """One hub process on PostgreSQL (the baseline); deliveries counted through SQLAlchemy."""

    name = "1 hub"

    def recorded(self, directive_id: int) -> int:
        import sqlalchemy as sa

        from hub.db import make_engine

        if self._db is None:
            self._db = make_engine(self.database_url, pool_size=2)
        with self._db.connect() as conn:
            sql = "SELECT count(*) FROM delivery WHERE directive_id = :d AND state != 'pending'"
            return conn.execute(sa.text(sql), {"d": directive_id}).scalar_one()

    def stop(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None
        super(HubTarget, self).stop()


class DeployTarget(PgHubTarget):
    """nginx and three hub processes started from deploy/ (tests/e2e/deployment.py); the clients talk to nginx."""

    name = "3 hubs"

    def __init__(self, instance: Path, cpu: int | None, database_url: str) -> None:
        super().__init__(ROOT, instance, 0, cpu, database_url)
        self.deployment = Deployment(instance.parent / "deployment", database_url, REDIS_URL, cpu=cpu)
        self.deployment.instance = instance
        self.deployment.env["HUB_INSTANCE"] = str(instance)
        self.port = self.deployment.port

    @property
    def pid(self) -> int:
        return self.deployment.procs[HUBS[0]].pid  # CPU and memory columns: one of the three

    def start(self, timeout: float = 240) -> None:
        self.deployment.start((*HUBS, "nginx"), timeout)

    def stop(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None
        self.deployment.stop()


async def run_size(n: int, args: argparse.Namespace, workdir: Path) -> list:
    results = []
    for kind in ("1 hub", "3 hubs"):
        url = create_pg_database()
        instance = workdir / f"{kind.replace(' ', '-')}-{n}" / "instance"
        if kind == "1 hub":
            target = PgHubTarget(ROOT, instance, free_port(), args.server_cpu, url)
        else:
            target = DeployTarget(instance, args.server_cpu, url)
        instance.parent.mkdir(parents=True, exist_ok=True)
        try:
            print(f"[N={n}] {kind}: preparing and starting ...", file=sys.stderr, flush=True)
            target.prepare(n)
            target.start()
            results.append(await measure(target, n, args.publishes, args.timeout, receipts=True))
            print(f"[N={n}] {kind}: {results[-1]}", file=sys.stderr, flush=True)
        except Exception as exc:  # one broken set-up must not cost the other measurement
            args.errors += 1
            print(f"[N={n}] {kind} FAILED: {exc!r} (logs in {instance.parent})", file=sys.stderr, flush=True)
        finally:
            target.stop()
            drop_pg_database(url)
    return results


def print_table(results: list) -> None:
    header = (
        f"{'N':>6} {'server':7} {'conn':>6} {'failed':>6} {'connect s':>9} {'publish call ms':>15} "
        f"{'fan-out p50/p99 ms':>19} {'receipts durable p50/p99 ms':>28} {'lost':>5} {'late':>5} {'dup':>4}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        durable = f"{pct(r.durable_ms, 50):.0f} / {pct(r.durable_ms, 99):.0f}" if r.durable_ms else "-"
        print(
            f"{r.n:>6} {r.target:7} {r.connected:>6} {r.failed:>6} {r.connect_s:>9.1f} {pct(r.publish_ms, 50):>15.0f} "
            f"{pct(r.fanout_ms, 50):>9.0f} / {pct(r.fanout_ms, 99):<7.0f} {durable:>28} "
            f"{r.lost:>5} {r.unrecorded:>5} {r.duplicates:>4}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000", help="comma-separated client counts")
    parser.add_argument("--publishes", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for one publish's fan-out")
    args = parser.parse_args()
    raise_nofile()
    cpus = sorted(os.sched_getaffinity(0))
    args.server_cpu = cpus[0] if len(cpus) > 1 else None
    if len(cpus) > 1:
        os.sched_setaffinity(0, {cpus[1]})
    workdir = Path(tempfile.mkdtemp(prefix="bench-deploy-"))
    args.errors = 0
    results = []
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            results += asyncio.run(run_size(n, args, workdir))
    finally:
        if args.errors:
            print(f"logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(
        "\nfan-out: publish call (through nginx for 3 hubs) -> last client received; receipts durable: publish call "
        "-> every delivery marked delivered in PostgreSQL;\n"
        f"{args.publishes} publishes per N; servers on CPU {args.server_cpu}, clients on CPU "
        f"{cpus[1] if len(cpus) > 1 else '-'}"
    )
    print_table(results)


if __name__ == "__main__":
    main()
