"""The pages' small site (a regulator, Hanoi and Da Nang departments, three platforms, a user per role), built
once and copied for each test, and a hub on it with CSRF on."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hub import clock, create_app
from hub.db import make_engine, read_session
from hub.models import OrgKind, PlatformKind, Role, User
from tests import factories as f


@pytest.fixture(scope="session")
def site_template(tmp_path_factory, sqlite_template) -> tuple[Path, dict]:
    """A regulator, Hanoi and Da Nang departments, two platforms in Hanoi and one in Da Nang, and a user per role,
    built once and copied for each test."""
    path = tmp_path_factory.mktemp("web-site") / "hub.sqlite3"
    shutil.copy(sqlite_template, path)
    engine, now = make_engine(f"sqlite:///{path}"), clock.now()
    regulator = f.org(engine, now, OrgKind.REGULATOR)
    hni = f.org(engine, now, OrgKind.PROVINCE, "HNI")
    f.org(engine, now, OrgKind.PROVINCE, "DNG")
    p1 = f.org(engine, now, OrgKind.PLATFORM, "HNI", code="P-HN1")
    p2 = f.org(engine, now, OrgKind.PLATFORM, "HNI", code="P-HN2", platform_kind=PlatformKind.SOCIAL_NETWORK)
    p3 = f.org(engine, now, OrgKind.PLATFORM, "DNG", code="P-DN1")
    people = {
        "admin": f.user(engine, now, regulator, Role.ADMIN),
        "officer": f.user(engine, now, regulator, Role.OFFICER),
        "manager": f.user(engine, now, regulator, Role.MANAGER),
        "officer_hni": f.user(engine, now, hni, Role.OFFICER),
        "editor1": f.user(engine, now, p1, Role.EDITOR),
        "editor3": f.user(engine, now, p3, Role.EDITOR),
    }
    with read_session(engine) as s:
        logins = {key: s.get(User, p.user_id).login for key, p in people.items()}
    engine.dispose()
    return path, {"people": people, "logins": logins, "platforms": (p1, p2, p3)}


@pytest.fixture
def app(tmp_path, site_template):
    """A hub on its own copy of the site's database, CSRF on, scheduler off."""
    path = tmp_path / "hub.sqlite3"
    shutil.copy(site_template[0], path)
    app = create_app(
        {
            "instance_path": str(tmp_path / "instance"),
            "database_url": f"sqlite:///{path}",
            "scheduler_enabled": False,
            "TESTING": True,
        },
        environ=False,
    )
    yield app
    app.extensions["hub"].engine.dispose()


@pytest.fixture
def site(app, site_template) -> dict:
    return {**site_template[1], "engine": app.extensions["hub"].engine, "now": clock.now()}
