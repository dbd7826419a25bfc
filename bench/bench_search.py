"""Word search over 100,000 directives, on SQLite (FTS5) and PostgreSQL (GIN over tsvector).

    .venv/bin/python bench/bench_search.py [--directives 100000] [--rounds 20] [--no-postgres | --no-sqlite]

Bulk-inserts the directives (Vietnamese titles and bodies drawn from a fixed vocabulary, each row's folded
``search_text`` computed as the hub does, the word index kept by the database as on every write), then times the
directive list of the console, ``progress.list_directives`` (one page of 20, newest first, with the total), for a
few typical queries; and, for comparison, the same words found by a plain scan (``search_text LIKE '%bao so 15%'``,
which is what the hub would do without the index). Prints a table: median and slowest of ``--rounds`` runs, in ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scratch import pg_database
from hub.core import progress, search
from hub.core.access import Principal
from hub.db import make_engine, migrate, read_session
from hub.models import Directive, Organisation, OrgKind, Role

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
VOCABULARY = [
    "tin",
    "giả",
    "gỡ",
    "bỏ",
    "bài",
    "viết",
    "sai",
    "sự",
    "thật",
    "mạng",
    "xã",
    "hội",
    "đính",
    "chính",
    "cảnh",
    "báo",
    "dịch",
    "bệnh",
    "vắc",
    "xin",
    "an",
    "toàn",
    "thông",
    "tin",
    "trẻ",
    "em",
    "quảng",
    "cáo",
    "cờ",
    "bạc",
    "lừa",
    "đảo",
    "đầu",
    "tư",
    "tiền",
    "ảo",
    "Hà",
    "Nội",
    "Huế",
    "Đà",
    "Nẵng",
    "Cần",
    "Thơ",
    "Hải",
    "Phòng",
    "người",
    "dân",
    "cơ",
    "quan",
    "báo",
    "chí",
    "phát",
    "thanh",
    "truyền",
    "hình",
    "điện",
    "tử",
    "tổng",
    "hợp",
    "nội",
    "dung",
    "tiêu",
    "cực",
    "tích",
    "cực",
    "định",
    "hướng",
    "tuyên",
    "truyền",
    "chính",
    "sách",
    "pháp",
    "luật",
    "xử",
    "lý",
    "vi",
    "phạm",
]
READER = Principal(org_id=1, org_kind=OrgKind.REGULATOR, role=Role.MANAGER, label="bench")
QUERIES = (
    ("3 words, rare together", "bao so 15"),
    ("same, typed with diacritics", "Bão số 15"),
    ("2 common words", "tin gia"),
    ("1 very common word", "thong"),
    ("reference number", "12345/REG"),
    ("no directive has them", "khong co tu nay"),
)


def directive_rows(count: int, rng: random.Random) -> list[dict]:
    rows = []
    for n in range(1, count + 1):
        title = " ".join(rng.choices(VOCABULARY, k=rng.randint(6, 10)))
        if n % 20 == 0:
            title = f"Cảnh báo bão số {n // 20 % 40} {title}"
        body = " ".join(rng.choices(VOCABULARY, k=rng.randint(40, 80)))
        ref_no = f"{n}/REG"
        rows.append(
            {
                "seq": n,
                "ref_no": ref_no,
                "kind": "directive",
                "title": title[:300],
                "body": body,
                "priority": "routine",
                "issuer_id": 1,
                "audience": {"all": True},
                "audience_size": 0,
                "status": "published",
                "published_at": T0,
                "ack_due_at": T0 + timedelta(hours=4),
                "implement_due_at": T0 + timedelta(days=1),
                "exercise": False,
                "search_text": search.fold(f"{ref_no} {title} {body}"),
                "created_at": T0,
                "updated_at": T0,
            }
        )
    return rows


def populate(engine: sa.Engine, count: int) -> float:
    """Insert the regulator and the directives; the seconds it took (the word index maintained as it goes)."""
    rows = directive_rows(count, random.Random(15))
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            Organisation.__table__.insert(),
            [{"kind": "regulator", "code": "REG", "name": "Regulator", "domains": [], "created_at": T0}],
        )
        for i in range(0, len(rows), 10_000):
            conn.execute(Directive.__table__.insert(), rows[i : i + 10_000])
    elapsed = time.perf_counter() - start
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return elapsed


def timed(rounds: int, action) -> tuple[float, float, int]:
    """Median and slowest milliseconds of ``rounds`` runs, and what the action returned (the number of matches)."""
    times, result = [], 0
    for _ in range(rounds):
        start = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), result


def by_index(engine: sa.Engine, q: str) -> int:
    with read_session(engine) as session:
        return progress.list_directives(session, READER, q=q, per_page=20).total


def by_scan(engine: sa.Engine, q: str) -> int:
    like = f"%{search.fold(q)}%"
    with engine.connect() as conn:
        conn.execute(
            sa.select(Directive.id).where(Directive.search_text.like(like)).order_by(Directive.id.desc()).limit(20)
        ).all()
        return conn.scalar(sa.select(sa.func.count()).where(Directive.search_text.like(like)))


def run(name: str, url: str, count: int, rounds: int) -> list[str]:
    engine = make_engine(url)
    migrate(engine)
    filled = populate(engine, count)
    lines = [f"| {name} | insert {count:,} directives, index kept | - | {filled * 1000:,.0f} (once) | - |"]
    for label, q in QUERIES:
        median, slowest, total = timed(rounds, lambda q=q: by_index(engine, q))
        lines.append(f"| {name} | {label}: `{q}` | {total:,} | {median:.1f} | {slowest:.1f} |")
    median, slowest, total = timed(max(3, rounds // 4), lambda: by_scan(engine, "bao so 15"))
    lines.append(
        f"| {name} | without the index: `LIKE '%bao so 15%'` scan | {total:,} | {median:.1f} | {slowest:.1f} |"
    )
    engine.dispose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--directives", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    lines = [
        "| database | query (page of 20 + total) | matches | median ms | slowest ms |",
        "| --- | --- | --- | --- | --- |",
    ]
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            lines += run("SQLite (FTS5)", f"sqlite:///{tmp}/bench.sqlite3", args.directives, args.rounds)
    if not args.no_postgres:
        with pg_database("bench_search") as url:
            lines += run("PostgreSQL (GIN)", url, args.directives, args.rounds)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
