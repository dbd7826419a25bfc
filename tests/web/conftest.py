"""A small world of organisations, people and directives for the HTTP tests, built once per session into a SQLite
file and copied for each test, so every test starts from the same state without paying for it again.

The world: the central regulator (admin, officer, manager); the departments of Hanoi (officer, manager) and Ho Chi
Minh City (officer); platforms P1 and P2 in Hanoi and P3 in Ho Chi Minh City (an editor and a machine token each
for P1 and P3). Directives: ``central`` (regulator, to all), ``hni`` (Hanoi, to Hanoi), ``hcm`` (HCMC, to HCMC),
``draft`` (regulator, unpublished). P1 has implemented ``central`` and asked a question on it; P3 has done the same
with ``hcm``. P1 and P3 each submitted a ratio report for January 2026. The regulator keeps ``central`` as a
template, and P3 has a webhook.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from hub.core import deliveries, directive_templates, directives, questions, ratio_reports, tokens, webhooks
from hub.core.access import SYSTEM, Principal
from hub.core.ratio_reports import RatioReportInput
from hub.db import make_engine, read_session, write_session
from hub.extensions import limiter
from hub.models import Delivery, Event, OrgKind, PlatformKind, Role
from tests import factories as f
from tests.conftest import T0, _truncate_pg


class BufferedClient(FlaskClient):
    """Reads every response to its end (and so closes it), as a real client does, before the next test."""

    def open(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


REPORT = {"period_start": "2026-01-01", "period_end": "2026-01-31", "items_published": 200, "negative_items": 10}


@dataclass
class World:
    """Ids and bearer tokens of the world; ``client`` is bound to a fresh copy of it."""

    ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    client: Any = None
    app: Any = None
    reset: Any = None  # restores the database as built (for runs of several scenarios in one test)

    def headers(self, who: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}

    def call(self, who: str | None, method: str, url: str, json: Any = None, **kw):
        return self.client.open(url, method=method, headers=self.headers(who), json=json, **kw)

    def event_count(self) -> int:
        with read_session(self.app.extensions["hub"].engine) as s:
            return len(s.exec(select(Event.id)).all())


def _personal(engine, who: Principal, label: str) -> str:
    with write_session(engine) as s:
        _, secret = tokens.issue_token(s, SYSTEM, T0, label=label, user_id=who.user_id)
    return secret


def build_world(engine) -> World:
    w = World()
    reg = f.org(engine, T0, OrgKind.REGULATOR, code="REG")
    hni = f.org(engine, T0, OrgKind.PROVINCE, "HNI", code="SO-HNI")
    hcm = f.org(engine, T0, OrgKind.PROVINCE, "HCM", code="SO-HCM")
    p1 = f.org(engine, T0, OrgKind.PLATFORM, "HNI", code="P1")
    p2 = f.org(engine, T0, OrgKind.PLATFORM, "HNI", code="P2", platform_kind=PlatformKind.SOCIAL_NETWORK)
    p3 = f.org(engine, T0, OrgKind.PLATFORM, "HCM", code="P3")
    for name, org in {"reg": reg, "hni": hni, "hcm": hcm, "p1": p1, "p2": p2, "p3": p3}.items():
        w.ids[f"org_{name}"] = org.id
    people = {
        "admin": (reg, Role.ADMIN),
        "reg_officer": (reg, Role.OFFICER),
        "reg_manager": (reg, Role.MANAGER),
        "hni_officer": (hni, Role.OFFICER),
        "hni_manager": (hni, Role.MANAGER),
        "hcm_officer": (hcm, Role.OFFICER),
        "p1_editor": (p1, Role.EDITOR),
        "p3_editor": (p3, Role.EDITOR),
    }
    principals = {}
    for name, (org, role) in people.items():
        principals[name] = f.user(engine, T0, org, role)
        w.ids[f"user_{name}"] = principals[name].user_id
        w.tokens[name] = _personal(engine, principals[name], name)
    for name, org in {"p1_machine": p1, "p3_machine": p3}.items():
        machine, w.tokens[name] = f.machine(engine, T0, org)
        principals[name] = machine
        w.ids[f"token_{name}"] = machine.token_id
    central = f.published(engine, T0, principals["reg_officer"], {"all": True}, title="Central")
    local = f.published(engine, T0, principals["hni_officer"], {"provinces": ["HNI"]}, title="Hanoi")
    far = f.published(engine, T0, principals["hcm_officer"], {"provinces": ["HCM"]}, title="HCMC")
    with write_session(engine) as s:
        draft = directives.create(s, principals["reg_officer"], T0, f.draft(title="Draft"))
        deliveries.set_status(s, principals["p1_machine"], T0, central.directive.id, "implemented", "done")
        question = questions.ask(s, principals["p1_machine"], T0, central.directive.id, "what exactly?").question
        q3 = questions.ask(s, principals["p3_machine"], T0, far.directive.id, "and here?").question
        deliveries.set_status(s, principals["p3_machine"], T0, far.directive.id, "implemented", "done too")
        for name in ("p1_machine", "p3_machine"):
            filed = ratio_reports.submit(s, principals[name], T0, RatioReportInput(**REPORT), threshold=0.15)
            w.ids[f"report_{name[:2]}"] = filed.id
    w.ids.update(central=central.directive.id, hni=local.directive.id, hcm=far.directive.id, draft=draft.id)
    w.ids.update(question_p1=question.id, question_p3=q3.id)
    with write_session(engine) as s:
        kept = directive_templates.save_template(s, principals["reg_officer"], T0, central.directive.id, "Central")
    w.ids["template"] = kept.id
    with write_session(engine) as s:
        policy = webhooks.UrlPolicy(hub_hosts=(), master_key="world-key")
        hook, _secret = webhooks.register(
            s,
            principals["admin"],
            T0,
            policy,
            url="http://127.0.0.1:9/hook",
            platform_id=p3.id,
            allow_internal=True,
            allow_http=True,
        )
    w.ids["webhook"] = hook.id
    with read_session(engine) as s:
        for name, directive_id, platform_id in (
            ("delivery_p1_central", central.directive.id, p1.id),
            ("delivery_p3_central", central.directive.id, p3.id),
            ("delivery_p3_hcm", far.directive.id, p3.id),
        ):
            w.ids[name] = s.exec(
                select(Delivery.id).where(Delivery.directive_id == directive_id, Delivery.platform_id == platform_id)
            ).one()
    return w


def _fast_dir(tmp_path_factory, name: str) -> Path:
    """A folder in memory when the machine has one: these tests commit often, and fsync is not what they test."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return Path(tempfile.mkdtemp(prefix=f"hub-{name}-", dir=shm))
    return tmp_path_factory.mktemp(name)


@pytest.fixture(scope="session")
def world_template(tmp_path_factory, sqlite_template):
    folder = _fast_dir(tmp_path_factory, "world")
    path = folder / "world.sqlite3"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    world = build_world(engine)
    engine.dispose()
    yield path, world
    if str(folder).startswith("/dev/shm"):
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def world_app(tmp_path_factory, world_template):
    """One app for all world tests; each test gets the database file restored under it."""
    from hub import create_app

    template, _ = world_template
    folder = _fast_dir(tmp_path_factory, "world-app")
    path = folder / "hub.sqlite3"
    shutil.copy(template, path)
    app = create_app(
        {
            "instance_path": str(folder / "instance"),
            "database_url": f"sqlite:///{path}",
            "scheduler_enabled": False,
            "TESTING": True,
        },
        environ=False,
    )
    app.test_client_class = BufferedClient
    yield app, path
    app.extensions["hub"].engine.dispose()
    if str(folder).startswith("/dev/shm"):
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def world(world_template, world_app):
    """The world as built, restored for this test, with a client on it."""
    template, built = world_template
    app, path = world_app

    def reset() -> None:
        app.extensions["hub"].engine.dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copy(template, path)
        limiter.reset()  # rate-limit counts start afresh with the restored world, as the database does

    reset()
    yield World(ids=dict(built.ids), tokens=dict(built.tokens), client=app.test_client(), app=app, reset=reset)
    app.extensions["hub"].engine.dispose()


@pytest.fixture(scope="module")
def pg_world(pg_database, tmp_path_factory):
    """The world built on this run's PostgreSQL database, once per module, with an app on it."""
    from hub import create_app

    engine = make_engine(pg_database)
    _truncate_pg(engine)
    world = build_world(engine)
    engine.dispose()
    app = create_app(
        {
            "instance_path": str(tmp_path_factory.mktemp("pg-instance")),
            "database_url": pg_database,
            "scheduler_enabled": False,
            "TESTING": True,
        },
        environ=False,
    )
    world.app, world.client = app, app.test_client()
    yield world
    app.extensions["hub"].engine.dispose()
