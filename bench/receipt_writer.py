"""Receipts per second: the hub's group-commit writer against one transaction per receipt, on gevent.

    .venv/bin/python bench/receipt_writer.py [--platforms 5000] [--database-url URL]

Seeds N platforms and one directive addressed to all of them in a fresh database (a temporary SQLite file by
default), then N greenlets each record one receipt through ``hub.sockets.writer.GroupWriter`` (one writer, batches), and
``--baseline`` greenlets each in its own write transaction, and prints a table: time, receipts/s, handler wait p50/p99.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import sqlalchemy as sa  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub import clock  # noqa: E402
from hub.config import Settings  # noqa: E402
from hub.core import directives, organisations, receipts, users  # noqa: E402
from hub.core.access import SYSTEM  # noqa: E402
from hub.core.directive_input import DirectiveInput  # noqa: E402
from hub.core.receipts import ReceiptIn  # noqa: E402
from hub.core.signing import Signer  # noqa: E402
from hub.db import make_engine, migrate, write_session  # noqa: E402
from hub.models import Delivery, DeliveryState, Organisation, OrgKind, Role  # noqa: E402
from hub.runtime import Hub  # noqa: E402
from hub.sockets.writer import GroupWriter  # noqa: E402


def seed(engine, platforms: int) -> int:
    now = clock.now()
    with write_session(engine) as s:
        regulator = organisations.create_organisation(
            s, SYSTEM, now, kind=OrgKind.REGULATOR, code="REG", name="Regulator"
        )
        officer = users.create_user(
            s, SYSTEM, now, org_id=regulator.id, role=Role.OFFICER, login="officer", display_name="O",
            password="bench-password-1",
        )  # fmt: skip
        officer = users.principal_for_user(s, officer)
    rows = [
        {"kind": "platform", "code": f"P{i}", "name": f"Platform {i}", "province": "HNI", "platform_kind": "news_site",
         "domains": [], "created_at": now, "active": True, "delivery_seq": 0}
        for i in range(platforms)
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(Organisation.__table__.insert(), rows)
    with write_session(engine) as s:
        draft = directives.create(s, officer, now, DirectiveInput(title="t", body="b", audience={"all": True}))
        return directives.publish(s, officer, now, draft.id, Signer.generate()).directive.id


def platform_ids(engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(Organisation.id).where(Organisation.kind == OrgKind.PLATFORM)).scalars())


def reset(engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(Delivery).values(state=DeliveryState.PENDING, delivered_at=None))


def run(label: str, record, ids: list[int], directive_id: int) -> tuple:
    waits: list[float] = []

    def one(platform_id: int) -> None:
        start = time.perf_counter()
        record(ReceiptIn(platform_id, "bench", directive_id=directive_id))
        waits.append(time.perf_counter() - start)

    start = time.perf_counter()
    gevent.joinall([gevent.spawn(one, i) for i in ids])
    total = time.perf_counter() - start
    waits.sort()
    p99 = waits[int(len(waits) * 0.99) - 1]
    return label, len(ids), total, len(ids) / total, statistics.median(waits) * 1000, p99 * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--platforms", type=int, default=5000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--baseline", type=int, default=1000, help="receipts for the one-per-transaction run")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    engine = make_engine(url)
    migrate(engine)
    directive_id = seed(engine, args.platforms)
    ids = platform_ids(engine)
    hub = Hub(settings=Settings(), engine=engine, signer=Signer.generate())
    writer = GroupWriter(hub, gevent.spawn, lambda _ids: None, gevent.sleep)

    def one_transaction(receipt: ReceiptIn) -> None:
        with write_session(engine) as s:
            receipts.record_receipts(s, clock.now(), [receipt])

    results = []
    runs = (
        ("group commit (GroupWriter)", writer.submit, ids),
        ("one transaction each", one_transaction, ids[: args.baseline]),
    )
    for label, record, some in runs:
        reset(engine)
        results.append(run(label, record, some, directive_id))
    print(f"database: {engine.dialect.name}, {args.platforms} platforms, one receipt per platform, all sent at once")
    print(f"| {'writer':28} | receipts | time s | receipts/s | wait p50 ms | wait p99 ms |")
    print(f"| {'-' * 28} | -------- | ------ | ---------- | ----------- | ----------- |")
    for label, n, total, rate, p50, p99 in results:
        print(f"| {label:28} | {n:8} | {total:6.2f} | {rate:10.0f} | {p50:11.0f} | {p99:11.0f} |")


if __name__ == "__main__":
    main()
