"""Demo data: loads ``demo_data/demo.toml`` (the central regulator, a department for each province, about fifty
platforms, users for every role, a few directives in various states) through the core's own verbs. Idempotent:
does nothing if the regulator already exists."""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from hub.core import deliveries, directives, organisations, ratio_reports, users
from hub.core.access import SYSTEM, Principal
from hub.core.directive_input import DirectiveInput
from hub.core.ratio_reports import RatioReportInput
from hub.core.signing import Signer
from hub.db import write_session
from hub.models import Organisation, OrgKind, PlatformKind, Role
from hub.provinces import PROVINCES

DATA_DIR = Path(__file__).with_name("demo_data")
DEMO = tomllib.loads((DATA_DIR / "demo.toml").read_text(encoding="utf-8"))
DEMO_PASSWORD: str = DEMO["password"]
REGULATOR_CODE: str = DEMO["regulator"]["code"]
_DIRECTIVE_FIELDS = set(DirectiveInput.model_fields)


@dataclass
class DemoLogin:
    login: str
    role: str
    organisation: str


def seed(engine: Engine, signer: Signer, now: datetime, platforms: int = 50) -> list[DemoLogin]:
    """Load the demo data (once); returns the demo logins."""
    with write_session(engine) as session:
        if session.exec(select(Organisation).where(Organisation.code == REGULATOR_CODE)).first():
            return []
    with write_session(engine) as session:
        _organisations(session, now, platforms)
        people, logins = _users(session, now)
    with write_session(engine) as session:
        published = _directives(session, now, signer, people)
    with write_session(engine) as session:
        editors = [who for login, who in people.items() if login.startswith("editor.")]
        _editors_work(session, now, published[DEMO["followthrough"]["directive"]], editors)
    return logins


def _organisations(session: Session, now: datetime, platforms: int) -> None:
    regulator = DEMO["regulator"]
    organisations.create_organisation(session, SYSTEM, now, kind=OrgKind.REGULATOR, **regulator)
    prefix = DEMO["provinces"]["name_prefix"]
    for code, (vi, _en) in PROVINCES.items():
        place = vi.removeprefix("Tỉnh ").removeprefix("Thành phố ")
        organisations.create_organisation(
            session,
            SYSTEM,
            now,
            kind=OrgKind.PROVINCE,
            code=f"SO-{code}",
            name=f"{prefix} {place}",
            province=code,
            ref_suffix=f"SVHTTDL-{code}",
        )
    for i in range(1, platforms + 1):
        organisations.create_organisation(session, SYSTEM, now, **_platform(i))


def _platform(i: int) -> dict[str, Any]:
    """Platform number ``i`` of the demo world, as ``create_organisation`` takes it."""
    spec = DEMO["platforms"]
    social = i % 3 == 0
    words = spec["social_words"] if social else spec["news_words"]
    busy = spec["busy_provinces"]
    slug = f"{'mxh' if social else 'tin'}{i:02d}"
    return {
        "kind": OrgKind.PLATFORM,
        "code": f"P-{slug.upper()}",
        "name": f"{'Mạng xã hội' if social else 'Trang'} {words[i % len(words)]} {i:02d}",
        "province": busy[(i // 2) % len(busy)] if i % 2 else list(PROVINCES)[i % len(PROVINCES)],
        "platform_kind": PlatformKind.SOCIAL_NETWORK if social else PlatformKind.NEWS_SITE,
        "licence_no": f"{100 + i}/GP-{'MXH' if social else 'TTĐT'}",
        "domains": [f"{slug}.example.vn"],
    }


def _users(session: Session, now: datetime) -> tuple[dict[str, Principal], list[DemoLogin]]:
    """The users of demo.toml and an editor for each of the first platforms; returns them by login."""
    shared_hash = users.hash_password(DEMO_PASSWORD)  # one Argon2 run for all demo users
    wanted = [(u["organisation"], u["role"], u["login"], u["name"]) for u in DEMO["users"]]
    first = session.exec(
        select(Organisation).where(Organisation.kind == OrgKind.PLATFORM).order_by(Organisation.id)
    ).all()[: DEMO["platforms"]["editors_for_first"]]
    wanted += [(org.code, "editor", f"editor.{org.code[2:].lower()}", f"Biên tập {org.code[2:]}") for org in first]
    people: dict[str, Principal] = {}
    logins: list[DemoLogin] = []
    for org_code, role, login, name in wanted:
        org = session.exec(select(Organisation).where(Organisation.code == org_code)).one()
        user = users.create_user(
            session,
            SYSTEM,
            now,
            org_id=org.id,
            role=Role(role),
            login=login,
            display_name=name,
            password=DEMO_PASSWORD,
            password_hash=shared_hash,
        )
        people[login] = users.principal_for_user(session, user)
        logins.append(DemoLogin(login, role, org.name))
    return people, logins


def _directives(
    session: Session, now: datetime, signer: Signer, people: dict[str, Principal]
) -> dict[str, directives.Published]:
    """Create, publish and revoke the directives of demo.toml in order; returns the published ones by key."""
    published = {}
    for spec in DEMO["directives"]:
        author = people[spec["author"]]
        fields = {k: v for k, v in spec.items() if k in _DIRECTIVE_FIELDS and k != "publish_at"}
        if "body_file" in spec:
            fields["body"] = (DATA_DIR / spec["body_file"]).read_text(encoding="utf-8")
        if "publish_at" in spec:
            fields["publish_at"] = now + timedelta(hours=spec["publish_at"])
        draft = directives.create(session, author, now + timedelta(hours=spec["created"]), DirectiveInput(**fields))
        if "published" in spec:
            done = directives.publish(session, author, now + timedelta(hours=spec["published"]), draft.id, signer)
            published[spec.get("key", str(draft.id))] = done
        if "revoked" in spec:
            directives.revoke(session, author, now + timedelta(hours=spec["revoked"]), draft.id, spec["revoke_reason"])
    return published


def _editors_work(session: Session, now: datetime, published: directives.Published, editors: list[Principal]) -> None:
    """What each demo editor did: the main directive acknowledged and implemented (the first few), and last
    month's content-ratio figures (some of them above the line)."""
    plan, figures = DEMO["followthrough"], DEMO["ratio_reports"]
    rng = random.Random(figures["seed"])  # nosec B311 # the same demo data on every machine; nothing secret rests on it
    directive_id = published.directive.id
    start = published.directive.published_at or now
    month = date(now.year, now.month, 1)
    period = ((month - timedelta(days=1)).replace(day=1), month - timedelta(days=1))
    for n, editor in enumerate(editors):
        at = start + timedelta(minutes=20 + 37 * n)
        if n < plan["acknowledged"]:
            deliveries.acknowledge(session, editor, at, directive_id)
        if n < plan["implemented"]:
            deliveries.set_status(session, editor, at + timedelta(hours=6), directive_id, "implemented", plan["report"])
        total = rng.randint(*figures["items_published"])
        report = RatioReportInput(
            period_start=period[0],
            period_end=period[1],
            items_published=total,
            negative_items=int(total * rng.choice(figures["ratios"])),
        )
        ratio_reports.submit(session, editor, now, report, threshold=figures["threshold"])
