"""Fixtures of the security tests: a hub process per database for those that speak to it over real sockets, and
hubs built on a database the test chooses (so two of them can share it) with a client that signs in like a person:
it reads the page's CSRF token and sends it with each form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub import clock, create_app
from hub.db import read_session
from hub.models import OrgKind, Role, User
from tests import factories as f
from tests.e2e.world import World, create_pg_database, drop_pg_database


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"security-{request.param}")
    url = f"sqlite:///{base / 'hub.sqlite3'}" if request.param == "sqlite" else create_pg_database()
    world = World(base / "instance", url)
    yield world
    world.close()
    if request.param == "postgresql":
        drop_pg_database(url)


@pytest.fixture(scope="module")
def hub(world):
    return world.hub()


def tracebacks(hub) -> int:
    """How many exceptions the hub process has logged so far."""
    return hub.log_path.read_text(errors="replace").count("Traceback")


CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


class Browser:
    """A test client from one address, in English, that sends the page's CSRF token with its forms."""

    def __init__(self, app, address: str = "192.0.2.10", headers: dict[str, str] | None = None) -> None:
        self.client = app.test_client()
        self.client.environ_base["REMOTE_ADDR"] = address
        self.client.set_cookie("lang", "en")
        self.headers = headers or {}

    def token(self, path: str = "/login") -> str:
        return CSRF_RE.search(self.get(path).text).group(1)

    def get(self, path: str, **kw):
        return self.client.get(path, headers=self.headers, **kw)

    def post(self, path: str, data: dict | None = None, *, token: str | None = None, form_page: str | None = None):
        data = {**(data or {}), "csrf_token": token if token is not None else self.token(form_page or path)}
        response = self.client.post(path, data=data, headers=self.headers)
        if response.status_code == 303:  # a refused form: the browser is sent to the page that shows it again
            response = self.client.get(response.headers["Location"], headers=self.headers)
        return response

    def login(self, login: str, password: str = f.PASSWORD):
        return self.post("/login", {"login": login, "password": password})


class Hubs:
    """Builds hub apps on one database; each app is one hub process as far as the sign-in throttle can tell."""

    def __init__(self, tmp_path: Path, db_url: str) -> None:
        self.tmp_path, self.db_url, self.apps = tmp_path, db_url, []

    def start(self, **settings):
        app = create_app(
            {
                "instance_path": str(self.tmp_path / "instance"),
                "database_url": self.db_url,
                "scheduler_enabled": False,
                "TESTING": True,
                **settings,
            },
            environ=False,
        )
        self.apps.append(app)
        return app

    def stop(self, app) -> None:
        app.extensions["hub"].engine.dispose()
        self.apps.remove(app)


@pytest.fixture
def hubs(tmp_path, db_url) -> Iterator[Hubs]:
    hubs = Hubs(tmp_path, db_url)
    yield hubs
    for app in list(hubs.apps):
        hubs.stop(app)


@pytest.fixture
def app(hubs):
    """The first hub on the test's database (SQLite, then PostgreSQL)."""
    return hubs.start()


@pytest.fixture
def people(app) -> dict[str, str]:
    """Logins of an officer and two editors of one platform (an office behind one address)."""
    engine, now = app.extensions["hub"].engine, clock.now()
    regulator = f.org(engine, now, OrgKind.REGULATOR)
    platform = f.org(engine, now, OrgKind.PLATFORM, "HNI")
    principals = {
        "officer": f.user(engine, now, regulator, Role.OFFICER),
        "editor_a": f.user(engine, now, platform, Role.EDITOR),
        "editor_b": f.user(engine, now, platform, Role.EDITOR),
    }
    with read_session(engine) as s:
        return {name: s.get(User, p.user_id).login for name, p in principals.items()}
