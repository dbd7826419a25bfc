"""Fan-out benchmark: N platform clients on one hub process, against a bare Flask-SocketIO broadcast on gevent.

    .venv/bin/python bench/bench_fanout.py                 # N = 1,000, 5,000, 10,000; 20 publishes each
    .venv/bin/python bench/bench_fanout.py --sizes 2000 --publishes 30
    .venv/bin/python bench/bench_fanout.py --quick         # N = 200, 5 publishes: a smoke test under a minute
    .venv/bin/python bench/bench_fanout.py --sizes 5000 --no-hub --bare-receipts   # baseline with receipt traffic

For each N it starts the hub (``python app.py`` on a fresh SQLite instance with N platforms and their tokens),
connects N clients from this process (bench/loadgen.py), publishes to all of them and measures, then does the same
against bench/bare_server.py with the same clients. The servers run on core 0 and this process on core 1.
Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loadgen import Swarm
from bench.targets import BareTarget, HubTarget, Target

ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 2


@dataclass
class Result:
    target: str
    n: int
    connected: int = 0
    failed: int = 0
    connect_s: float = 0.0
    kb_per_conn: float = 0.0
    publish_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    fanout_ms: list[float] = field(default_factory=list)
    durable_ms: list[float] = field(default_factory=list)
    receipts_per_s: list[float] = field(default_factory=list)
    lost: int = 0
    unrecorded: int = 0
    duplicates: int = 0
    publish_errors: int = 0


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def raise_nofile() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def free_port() -> int:
    """A free port below the ephemeral range, so that no client socket can take it."""
    low = 20000
    for port in range(low + os.getpid() % 5000, 32000):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


def cpu_ms(pid: int) -> float:
    """CPU time (user + system) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def wait_for(predicate, timeout: float, interval: float = 0.005) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(interval)
    return predicate()


async def publish_once(target: Target, swarm: Swarm, result: Result, timeout: float, counted: bool) -> None:
    """One publish: wait until every client has it and, for the hub, until every receipt is recorded."""
    loop, arrivals = asyncio.get_running_loop(), swarm.arrivals
    answered_before = arrivals.receipts_answered
    cpu_before = cpu_ms(target.pid)
    t0 = time.monotonic()
    try:
        directive_id = await loop.run_in_executor(None, target.publish)
    except Exception as exc:  # a publish that fails or times out is counted, and the run goes on
        print(f"[N={result.n}] {target.name}: publish failed: {exc!r}", file=sys.stderr, flush=True)
        result.publish_errors += counted
        return
    publish_ms = (time.monotonic() - t0) * 1000
    recorded = 0

    async def poll_recorded() -> float | None:
        nonlocal recorded
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            recorded = await loop.run_in_executor(None, target.recorded, directive_id)
            if recorded >= result.connected:
                return time.monotonic()
            await asyncio.sleep(0.01)
        return None

    durable = asyncio.create_task(poll_recorded()) if target.durable else None
    await wait_for(lambda: arrivals.count.get(directive_id, 0) >= result.connected, timeout)
    done_at = await durable if durable is not None else None
    if swarm.receipts:  # the next publish starts once this one's receipts are answered, not behind them
        expected = arrivals.count.get(directive_id, 0)
        await wait_for(lambda: arrivals.receipts_answered - answered_before >= expected, timeout)
    if not counted:
        return
    received = arrivals.count.get(directive_id, 0)
    result.publish_ms.append(publish_ms)
    result.cpu_ms.append(cpu_ms(target.pid) - cpu_before)
    result.lost += result.connected - received
    if received:
        result.fanout_ms.append((arrivals.last[directive_id] - t0) * 1000)
    if durable is None:
        return
    if done_at is None:
        result.unrecorded += result.connected - recorded
    else:
        result.durable_ms.append((done_at - t0) * 1000)
        first = arrivals.first_receipt_sent.get(directive_id, t0)
        result.receipts_per_s.append(result.connected / max(1e-6, done_at - first))


async def measure(target: Target, n: int, publishes: int, timeout: float, receipts: bool) -> Result:
    """Connect n clients to a started target, publish ``publishes`` times, and measure."""
    result = Result(target.name, n)
    swarm = Swarm("127.0.0.1", target.port, target.auths, receipts=receipts)
    rss_before = rss_kb(target.pid)
    result.connect_s = await swarm.connect()
    result.connected, result.failed = len(swarm.clients), swarm.failed
    await asyncio.sleep(1.0)  # let the server settle its post-connect work (replay, head) before reading memory
    result.kb_per_conn = (rss_kb(target.pid) - rss_before) / max(1, result.connected)
    for k in range(WARM_UP + publishes):  # the first WARM_UP pay for caches and pools: not counted
        await publish_once(target, swarm, result, timeout, counted=k >= WARM_UP)
    result.duplicates = swarm.duplicates
    await swarm.close()
    return result


async def run_size(n: int, args: argparse.Namespace, workdir: Path) -> list[Result]:
    results = []
    targets: list[Target] = []
    if not args.no_hub:
        targets.append(HubTarget(ROOT, workdir / f"hub-{n}", free_port(), args.server_cpu))
    if not args.no_bare:
        targets.append(BareTarget(ROOT, free_port(), args.server_cpu, workdir / f"bare-{n}.log"))
    for target in targets:
        target.log_path.parent.mkdir(parents=True, exist_ok=True)
        print(f"[N={n}] preparing {target.name} ...", file=sys.stderr, flush=True)
        try:
            target.prepare(n)
            target.start()
            print(f"[N={n}] {target.name}: connecting {n} clients", file=sys.stderr, flush=True)
            receipts = target.durable or args.bare_receipts
            result = await measure(target, n, args.publishes, args.timeout, receipts)
            results.append(result)
            print(f"[N={n}] {target.name}: {result}", file=sys.stderr, flush=True)
        except Exception as exc:  # one broken target must not cost the other measurements
            args.errors += 1
            print(f"[N={n}] {target.name} FAILED: {exc!r} (log: {target.log_path})", file=sys.stderr, flush=True)
        finally:
            target.stop()
    return results


def print_table(results: list[Result]) -> None:
    header = (
        f"{'N':>6} {'server':6} {'conn':>6} {'failed':>6} {'connect s':>9} {'KB/conn':>7} "
        f"{'publish call ms':>15} {'CPU ms':>6} {'fan-out p50/p99 ms':>19} {'receipts durable p50/p99 ms':>28} "
        f"{'receipts/s':>10} {'lost':>5} {'late':>5} {'dup':>4} {'pub err':>7} "
        f"{'hub/bare fan-out':>16}"
    )
    print(header)
    print("-" * len(header))
    bare = {r.n: r for r in results if r.target == "bare"}
    for r in results:
        ratio = ""
        if r.target == "hub" and r.n in bare and bare[r.n].fanout_ms and r.fanout_ms:
            ratio = f"{pct(r.fanout_ms, 50) / pct(bare[r.n].fanout_ms, 50):.2f} (p50)"
        durable = f"{pct(r.durable_ms, 50):.0f} / {pct(r.durable_ms, 99):.0f}" if r.durable_ms else "-"
        rate = f"{statistics.median(r.receipts_per_s):.0f}" if r.receipts_per_s else "-"
        print(
            f"{r.n:>6} {r.target:6} {r.connected:>6} {r.failed:>6} {r.connect_s:>9.1f} {r.kb_per_conn:>7.1f} "
            f"{pct(r.publish_ms, 50):>15.0f} {pct(r.cpu_ms, 50):>6.0f} "
            f"{pct(r.fanout_ms, 50):>9.0f} / {pct(r.fanout_ms, 99):<7.0f} "
            f"{durable:>28} {rate:>10} {r.lost:>5} {r.unrecorded:>5} {r.duplicates:>4} {r.publish_errors:>7} "
            f"{ratio:>16}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000,10000", help="comma-separated client counts")
    parser.add_argument("--publishes", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for one publish's fan-out")
    parser.add_argument("--quick", action="store_true", help="N=200, 5 publishes")
    parser.add_argument("--no-hub", action="store_true", help="only the bare baseline")
    parser.add_argument("--no-bare", action="store_true", help="only the hub")
    parser.add_argument(
        "--bare-receipts",
        action="store_true",
        help="clients of the bare server answer each directive with a receipt too (answered, not recorded)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary instance folders")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.publishes = "200", 5
    sizes = [int(s) for s in args.sizes.split(",")]
    if max(sizes) > 18000:
        parser.error("at most 18,000 clients: the hard limit of open files is 20,000")
    raise_nofile()
    cpus = sorted(os.sched_getaffinity(0))
    args.server_cpu = cpus[0] if len(cpus) > 1 else None
    if len(cpus) > 1:
        os.sched_setaffinity(0, {cpus[1]})
    workdir = Path(tempfile.mkdtemp(prefix="bench-fanout-"))
    args.errors = 0
    results: list[Result] = []
    try:
        for n in sizes:
            results += asyncio.run(run_size(n, args, workdir))
    finally:
        if args.keep or args.errors:
            print(f"servers' logs and instances kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(
        "\npublish call: the HTTP call's duration (p50); CPU: the server's CPU time per publish, until every "
        "receipt is answered (p50); fan-out: publish call -> last client received; "
        "receipts durable: publish call -> every delivery row marked delivered in the database; "
        f"lost: never received; late: receipts not recorded within {args.timeout:.0f} s;\n"
        f"{args.publishes} publishes per N; server on CPU {args.server_cpu}, "
        f"clients on CPU {cpus[1] if len(cpus) > 1 else '-'}"
    )
    print_table(results)


if __name__ == "__main__":
    main()
