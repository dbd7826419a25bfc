"""Publish one directive to N platforms, everything it writes included (directive, N deliveries, sequence numbers,
log event), on SQLite and PostgreSQL. Prints a table of the median and worst time over several publishes.

    .venv/bin/python -m bench.bench_publish [--sizes 1000,10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bench.scratch import pg_database
from hub.core import directives, organisations, users
from hub.core.access import SYSTEM
from hub.core.directive_input import DirectiveInput
from hub.core.signing import Signer
from hub.db import make_engine, migrate, write_session
from hub.models import Organisation, OrgKind, Role


def measure(engine: sa.Engine, sizes: list[int], repeat: int) -> dict[int, list[float]]:
    now = datetime.now(UTC)
    signer = Signer.generate()
    with write_session(engine) as s:
        reg = organisations.create_organisation(s, SYSTEM, now, kind=OrgKind.REGULATOR, code="REG", name="Regulator")
        user = users.create_user(
            s,
            SYSTEM,
            now,
            org_id=reg.id,
            role=Role.OFFICER,
            login="officer",
            display_name="Officer",
            password="benchmark-password",
        )
        officer = users.principal_for_user(s, user)
    results: dict[int, list[float]] = {}
    have = 0
    for size in sizes:
        add_platforms_upto(engine, have, size, now)
        have = size
        times = []
        for _ in range(repeat):
            with write_session(engine) as s:
                draft = directives.create(
                    s, officer, now, DirectiveInput(title="Bench", body="x" * 2000, audience={"all": True})
                )
            start = time.perf_counter()
            with write_session(engine) as s:
                published = directives.publish(s, officer, now, draft.id, signer)
            times.append((time.perf_counter() - start) * 1000)
            assert len(published.platform_ids) == size
        results[size] = times
    return results


def add_platforms_upto(engine: sa.Engine, have: int, size: int, now: datetime) -> None:
    rows = [
        {
            "kind": "platform",
            "code": f"B-{i}",
            "name": f"Platform {i}",
            "province": "HNI",
            "platform_kind": "news_site",
            "domains": [],
            "delivery_seq": 0,
            "active": True,
            "created_at": now,
        }
        for i in range(have, size)
    ]
    if rows:
        with engine.begin() as conn:
            conn.execute(Organisation.__table__.insert(), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    table = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        migrate(engine)
        table.append(("SQLite (WAL, synchronous=FULL)", measure(engine, sizes, args.repeat)))
        engine.dispose()
    if not args.no_pg:
        with pg_database("hub_bench") as url:
            engine = make_engine(url)
            migrate(engine)
            table.append(("PostgreSQL", measure(engine, sizes, args.repeat)))
            engine.dispose()
    print(f"\nPublish one directive to N platforms (directive + N deliveries + log), ms over {args.repeat} publishes")
    print(f"| database | {' | '.join(f'N = {n:,} median / max' for n in sizes)} |")
    print(f"| --- | {' | '.join('---' for _ in sizes)} |")
    for label, results in table:
        cells = [f"{statistics.median(results[n]):.0f} / {max(results[n]):.0f}" for n in sizes]
        print(f"| {label} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
