"""Server time of each main page, on SQLite, with the demo data plus generated load.

    .venv/bin/python bench/bench_pages.py [--repeat 5] [--platforms 5000] [--directives 200]

Stage 1: demo data (50 platforms) + 200 published directives with mixed audiences, most deliveries acknowledged
and many implemented. Stage 2: platforms raised to 5,000 and 20 more directives to all of them (directive pages
then carry 5,000 rows, which must be paginated). Prints the median and worst server time per page (the Flask test
client, so no network), in milliseconds.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub import clock, create_app, demo
from hub.core import directives
from hub.core.access import Principal
from hub.core.directive_input import DirectiveInput
from hub.db import migrate, read_session, write_session
from hub.models import Delivery, Directive, Organisation, OrgKind, Role, User
from hub.provinces import PROVINCES

CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def officer_principal(engine) -> Principal:
    with read_session(engine) as s:
        user = s.exec(sa.select(User).where(User.login == "officer")).scalar_one()
        return Principal(org_id=user.org_id, org_kind=OrgKind.REGULATOR, role=Role.OFFICER, user_id=user.id)


def publish_many(app, count: int, start: int, audiences: list[dict]) -> list[int]:
    hub = app.extensions["hub"]
    officer = officer_principal(hub.engine)
    now = clock.now()
    ids = []
    for n in range(count):
        at = now - timedelta(days=20) + timedelta(minutes=97 * n)
        data = DirectiveInput(
            title=f"Chỉ đạo số {start + n}",
            body="Đề nghị các đơn vị **thực hiện** ngay.",
            kind=random.choice(["directive", "orientation", "reminder"]),
            priority=random.choice(["routine", "urgent", "flash"]),
            audience=audiences[n % len(audiences)],
            exercise=n % 25 == 0,
        )
        with write_session(hub.engine) as s:
            d = directives.create(s, officer, at, data)
            ids.append(directives.publish(s, officer, at, d.id, hub.signer).directive.id)
    return ids


def answer_most(engine, directive_ids: list[int]) -> None:
    """Most deliveries acknowledged within hours, a third implemented (bulk SQL: this is load, not behaviour)."""
    with write_session(engine) as s:
        table = Delivery.__table__
        created = table.c.created_at
        s.execute(
            table.update()
            .where(table.c.directive_id.in_(directive_ids), table.c.id % 10 < 7)
            .values(state="acknowledged", delivered_at=created, acknowledged_at=created, due_at=None)
        )
        s.execute(
            table.update()
            .where(table.c.directive_id.in_(directive_ids), table.c.id % 10 < 3)
            .values(state="implemented", implemented_at=created, report="Đã thực hiện.")
        )


def add_platforms(engine, total: int) -> None:
    with read_session(engine) as s:
        have = s.scalar(sa.select(sa.func.count()).where(Organisation.kind == OrgKind.PLATFORM))
    provinces = list(PROVINCES)
    now = clock.now()
    rows = [
        {
            "kind": "platform",
            "code": f"P-GEN{i:05d}",
            "name": f"Trang tin {i:05d}",
            "province": provinces[i % len(provinces)],
            "platform_kind": "social_network" if i % 4 == 0 else "news_site",
            "domains": [],
            "delivery_seq": 0,
            "active": True,
            "created_at": now,
        }
        for i in range(have, total)
    ]
    with write_session(engine) as s:
        s.connection().execute(Organisation.__table__.insert(), rows)


def sign_in(app, login: str):
    client = app.test_client()
    client.set_cookie("lang", "vi")
    token = CSRF_RE.search(client.get("/login").text).group(1)
    response = client.post("/login", data={"login": login, "password": demo.DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 302, login
    return client


def pages(app, big_directive: int) -> list[tuple[str, str]]:
    engine = app.extensions["hub"].engine
    with read_session(engine) as s:
        editor_org = s.exec(sa.select(User.org_id).where(User.login == "editor.tin01")).scalar_one()
        inbox_directive = s.scalar(
            sa.select(sa.func.max(Delivery.directive_id)).where(Delivery.platform_id == editor_org)
        )
    d = big_directive
    return [
        ("officer", "/console"),
        ("officer", "/console/new"),
        ("officer", "/console/audience-count?all=1"),
        ("officer", f"/console/directives/{d}"),
        ("officer", f"/console/directives/{d}/table?state=acknowledged&sort=-acknowledged_at"),
        ("officer", f"/console/directives/{d}?q=Trang&page=3"),
        ("officer", "/console/escalations"),
        ("officer.hni", "/console"),
        ("officer.hni", f"/console/directives/{d}"),
        ("editor.tin01", "/inbox"),
        ("editor.tin01", f"/inbox/{inbox_directive}"),
        ("editor.tin01", "/inbox/ratio"),
        ("manager", "/dashboard"),
        ("manager", "/dashboard/log"),
        ("manager", f"/dashboard/log?directive={d}&kind=published"),
        ("manager", f"/dashboard/directives/{d}/report"),
        ("manager.hni", "/dashboard"),
        ("admin", "/admin/organisations"),
        ("admin", "/admin/users"),
    ]


def measure(app, plan: list[tuple[str, str]], repeat: int) -> dict[str, tuple[float, float]]:
    clients = {}
    out = {}
    for login, path in plan:
        client = clients.get(login) or clients.setdefault(login, sign_in(app, login))
        client.get(path)  # warm the caches (templates, statements)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        out[f"{login:12} {path}"] = (statistics.median(times), max(times))
    return out


def stats_line(engine) -> str:
    with read_session(engine) as s:
        platforms = s.scalar(sa.select(sa.func.count()).where(Organisation.kind == OrgKind.PLATFORM))
        directives_n = s.scalar(sa.select(sa.func.count()).select_from(Directive))
        deliveries = s.scalar(sa.select(sa.func.count()).select_from(Delivery))
    return f"{platforms} platforms, {directives_n} directives, {deliveries} deliveries"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--platforms", type=int, default=5000)
    parser.add_argument("--directives", type=int, default=200)
    args = parser.parse_args()
    random.seed(664)
    instance = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    app = create_app({"instance_path": str(instance), "scheduler_enabled": False}, environ=False)
    engine = app.extensions["hub"].engine
    migrate(engine)
    demo.seed(engine, app.extensions["hub"].signer, clock.now())
    mixed = [
        {"all": True},
        {"provinces": ["HNI", "HCM"]},
        {"platform_kinds": ["social_network"]},
        {"provinces": ["DNG"]},
    ]
    t0 = time.perf_counter()
    first = publish_many(app, args.directives, 1, mixed)
    answer_most(engine, first)
    print(f"stage 1 built in {time.perf_counter() - t0:.1f} s: {stats_line(engine)}", flush=True)
    small = measure(app, pages(app, first[-4]), args.repeat)

    t0 = time.perf_counter()
    add_platforms(engine, args.platforms)
    second = publish_many(app, 20, args.directives + 1, [{"all": True}])
    answer_most(engine, second)
    print(f"stage 2 built in {time.perf_counter() - t0:.1f} s: {stats_line(engine)}", flush=True)
    large = measure(app, pages(app, second[-1]), args.repeat)

    print()
    print(f"{'page (signed in as, path)':78} {'stage 1 p50/max ms':>20} {'stage 2 p50/max ms':>20}")
    for (key, (m1, x1)), (m2, x2) in zip(small.items(), large.values(), strict=True):
        print(f"{key[:78]:78} {m1:>11.1f} / {x1:>6.1f} {m2:>11.1f} / {x2:>6.1f}")
    print(f"\n(median and worst of {args.repeat} requests each, after one warm-up; SQLite at {instance})")


if __name__ == "__main__":
    main()
