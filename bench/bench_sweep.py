"""How long the deadline sweep takes over 100,000 open, overdue deliveries, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_sweep.py [--deliveries 100000] [--platforms 1000] [--no-postgres]

The rows are bulk-inserted (1,000 platforms x 100 published directives whose acknowledgement deadline has passed).
Then three sweeps run: one that reminds every delivery (an update and a log event each), one at the same moment
that finds nothing more to do, and one later that escalates every delivery. Prints a table.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scratch import pg_database
from hub.core import sweep
from hub.core.signing import Signer
from hub.db import make_engine, migrate
from hub.models import Delivery, Directive, Organisation

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def populate(engine: sa.Engine, deliveries: int, platforms: int) -> None:
    """Bulk-insert a regulator, the platforms, the directives and one open overdue delivery per pair."""
    per_platform = deliveries // platforms
    with engine.begin() as conn:
        conn.execute(
            Organisation.__table__.insert(),
            [{"kind": "regulator", "code": "REG", "name": "Regulator", "domains": [], "created_at": T0}],
        )
        conn.execute(
            Organisation.__table__.insert(),
            [
                {
                    "kind": "platform",
                    "code": f"P{i}",
                    "name": f"Platform {i}",
                    "province": "HNI" if i % 2 else "HCM",
                    "platform_kind": "news_site",
                    "domains": [],
                    "delivery_seq": per_platform,
                    "created_at": T0,
                }
                for i in range(platforms)
            ],
        )
        conn.execute(
            Directive.__table__.insert(),
            [
                {
                    "seq": n + 1,
                    "ref_no": f"{n + 1}/REG",
                    "kind": "directive",
                    "title": f"Directive {n + 1}",
                    "body": "Do the thing.",
                    "priority": "urgent",
                    "issuer_id": 1,
                    "audience": {"all": True},
                    "audience_size": platforms,
                    "status": "published",
                    "published_at": T0,
                    "ack_due_at": T0 + timedelta(hours=1),
                    "implement_due_at": T0 + timedelta(days=1),
                    "remind_interval_minutes": 60,
                    "remind_limit": 3,
                    "escalate_after_minutes": 240,
                    "exercise": False,
                    "created_at": T0,
                    "updated_at": T0,
                }
                for n in range(per_platform)
            ],
        )
        rows = [
            {
                "directive_id": d + 1,
                "platform_id": p + 2,
                "seq": d + 1,
                "state": "pending" if (p + d) % 2 else "delivered",
                "created_at": T0,
                "due_at": T0 + timedelta(hours=1),
                "next_reminder_at": T0 + timedelta(hours=1),
                "reminders_sent": 0,
            }
            for d in range(per_platform)
            for p in range(platforms)
        ]
        for i in range(0, len(rows), 10_000):
            conn.execute(Delivery.__table__.insert(), rows[i : i + 10_000])
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")  # as autovacuum would have done by the time these are overdue


def timed(engine: sa.Engine, now: datetime, signer: Signer) -> tuple[float, sweep.SweepReport]:
    start = time.perf_counter()
    report = sweep.sweep(engine, now, signer)
    return time.perf_counter() - start, report


def run(name: str, url: str, deliveries: int, platforms: int) -> list[str]:
    engine = make_engine(url)
    migrate(engine)
    start = time.perf_counter()
    populate(engine, deliveries, platforms)
    filled = time.perf_counter() - start
    signer = Signer.generate()
    remind_s, reminded = timed(engine, T0 + timedelta(hours=1, minutes=5), signer)
    idle_s, idle = timed(engine, T0 + timedelta(hours=1, minutes=5), signer)
    escalate_s, escalated = timed(engine, T0 + timedelta(hours=5, minutes=5), signer)
    engine.dispose()
    return [
        f"| {name} | {deliveries:,} | {filled:.1f} | {reminded.reminded:,} in {remind_s:.1f} s "
        f"({reminded.batches} batches) | {idle.reminded + idle.escalated} in {idle_s:.2f} s "
        f"| {escalated.escalated:,} escalated + {escalated.reminded:,} reminded in {escalate_s:.1f} s |"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deliveries", type=int, default=100_000)
    parser.add_argument("--platforms", type=int, default=1000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    lines = [
        "| database | open overdue deliveries | bulk insert (s) | reminder sweep | sweep again, nothing due "
        "| sweep 4 h later |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        lines += run("SQLite (WAL)", f"sqlite:///{tmp}/bench.sqlite3", args.deliveries, args.platforms)
    if not args.no_postgres:
        with pg_database("bench_sweep") as url:
            lines += run("PostgreSQL 15", url, args.deliveries, args.platforms)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
