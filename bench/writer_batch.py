"""What the group-commit writer's two batch calls cost in-process: N receipts, then N acknowledgements, in batches
of 1,000 (as ``hub/sockets/writer.py`` writes them), with no sockets in the way.

    .venv/bin/python bench/writer_batch.py                               # 2,000 platforms, SQLite and PostgreSQL
    .venv/bin/python bench/writer_batch.py --platforms 5000 --repeat 5

Each repeat seeds a fresh database (a temporary SQLite file; a scratch PostgreSQL database) with N platforms and one
directive to all of them, records a receipt from each (``receipts.record_receipts``), then an acknowledgement from
each (``acknowledgements.apply_batch``). Prints the median milliseconds of each over the repeats; asserts nothing.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import sqlalchemy as sa  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.receipt_writer import platform_ids, seed  # noqa: E402
from bench.scratch import pg_database  # noqa: E402
from hub import clock  # noqa: E402
from hub.core import acknowledgements, receipts  # noqa: E402
from hub.core.access import Principal  # noqa: E402
from hub.core.deliveries import ChangeIn  # noqa: E402
from hub.core.receipts import ReceiptIn  # noqa: E402
from hub.db import make_engine, migrate, write_session  # noqa: E402
from hub.models import DeliveryState, Organisation, OrgKind, Role  # noqa: E402

BATCH = 1000


def batches(engine, call, items: list) -> float:
    """Milliseconds to apply ``items`` through ``call`` in write transactions of BATCH each."""
    started = time.perf_counter()
    for start in range(0, len(items), BATCH):
        with write_session(engine) as session:
            call(session, clock.now(), items[start : start + BATCH])
    return (time.perf_counter() - started) * 1000


def one_run(url: str, platforms: int) -> tuple[float, float]:
    engine = make_engine(url)
    migrate(engine)
    directive_id = seed(engine, platforms)
    ids = platform_ids(engine)
    with engine.connect() as conn:
        codes = dict(conn.execute(sa.select(Organisation.id, Organisation.code)).all())
    labels = {i: f"token {codes[i]}" for i in ids}
    principals = [
        Principal(org_id=i, org_kind=OrgKind.PLATFORM, role=Role.EDITOR, province="HNI", token_id=i, label=labels[i])
        for i in ids
    ]
    took_receipts = batches(engine, receipts.record_receipts, [ReceiptIn(i, labels[i], directive_id) for i in ids])
    acks = [ChangeIn(p, directive_id, DeliveryState.ACKNOWLEDGED) for p in principals]
    took_acks = batches(engine, acknowledgements.apply_batch, acks)
    engine.dispose()
    return took_receipts, took_acks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--platforms", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    print(f"| database | N | receipts ms | acknowledgements ms |  (median of {args.repeat}, batches of {BATCH})")
    print("| --- | --- | --- | --- |")
    for database in args.databases.split(","):
        runs = []
        for _ in range(args.repeat):
            if database == "sqlite":
                runs.append(one_run(f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3", args.platforms))
                continue
            with pg_database("bench_writer") as url:
                runs.append(one_run(url, args.platforms))
        took = [statistics.median(r[k] for r in runs) for k in (0, 1)]
        print(f"| {database} | {args.platforms:,} | {took[0]:.0f} | {took[1]:.0f} |")


if __name__ == "__main__":
    main()
