"""A small world for end-to-end tests: a regulator, a provincial department, platforms with machine tokens; data is
seeded with the core straight into the hub's database, and directives are published through a hub's JSON API."""

from __future__ import annotations

import json
import socket
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import select

from hub import clock, create_app
from hub.core import directives, tokens
from hub.core.access import SYSTEM, Principal
from hub.core.directives import Published
from hub.db import migrate, read_session, write_session
from hub.models import Delivery, Event, Organisation, OrgKind, Role
from tests import factories as f
from tests.conftest import PG_ADMIN_URL, REDIS_URL, need_service
from tests.e2e.hubproc import HubProcess, unique_channel


def need_redis() -> str:
    host, port = REDIS_URL.split("//", 1)[1].split("/", 1)[0].split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return REDIS_URL
    except OSError as exc:
        need_service("Redis", str(exc))


def create_pg_database() -> str:
    """A new, empty PostgreSQL database for one test module (dropped with :func:`drop_pg_database`)."""
    name = f"hub_e2e_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        need_service("PostgreSQL", str(exc).splitlines()[0])
    finally:
        admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@dataclass(eq=False)
class Platform:
    org: Organisation
    token: str
    principal: Principal


@dataclass
class World:
    """The hub's data and the test's publishing hand; hubs started with :meth:`hub` share its instance folder."""

    instance: Path
    database_url: str
    message_queue: str = ""
    channel: str = field(default_factory=unique_channel)
    hubs: list[HubProcess] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.app = create_app(
            {
                "instance_path": str(self.instance),
                "database_url": self.database_url,
                "scheduler_enabled": False,
            },
            environ=False,
        )
        self.engine = self.app.extensions["hub"].engine
        migrate(self.engine)  # as `python app.py` would: the world is seeded before any hub starts
        self.signer = self.app.extensions["hub"].signer
        now = clock.now()
        self.regulator = f.org(self.engine, now, OrgKind.REGULATOR)
        self.officer = f.user(self.engine, now, self.regulator, Role.OFFICER)
        self.admin = f.user(self.engine, now, self.regulator, Role.ADMIN)
        self.officer_token = self._personal_token(self.officer)
        self.admin_token = self._personal_token(self.admin)
        self.hanoi_dept = f.org(self.engine, now, OrgKind.PROVINCE, "HNI")
        self.hanoi_manager = f.user(self.engine, now, self.hanoi_dept, Role.MANAGER)

    def hub(self, **env: str) -> HubProcess:
        """Start a hub process on this world's database and channel."""
        return self.start_hubs(1, **env)[0]

    def start_hubs(self, count: int, **env: str) -> list[HubProcess]:
        """Start ``count`` hub processes at once (they share this world's database, channel and instance folder)."""
        procs = [
            HubProcess(self.instance, self.database_url, self.message_queue, self.channel, env=env).launch()
            for _ in range(count)
        ]
        self.hubs.extend(procs)
        for proc in procs:
            proc.wait_ready()
        return procs

    def platform(self, province: str = "HNI") -> Platform:
        org = f.org(self.engine, clock.now(), OrgKind.PLATFORM, province)
        principal, token = f.machine(self.engine, clock.now(), org)
        return Platform(org, token, principal)

    def _personal_token(self, user: Principal) -> str:
        with write_session(self.engine) as session:
            _, secret = tokens.issue_token(session, SYSTEM, clock.now(), label="e2e", user_id=user.user_id)
        return secret

    def publish(self, hub: HubProcess, audience: dict | None = None, **kw) -> dict:
        """Publish through a hub's API as the officer; returns the API's answer (the directive)."""
        body = {"title": kw.pop("title", "Live directive"), "body": kw.pop("body", "Do the thing."), "publish": True}
        body.update(kw)
        body["audience"] = audience or {"all": True}
        return api(hub, "POST", "/api/v1/directives", self.officer_token, body)

    def publish_quietly(self, count: int, audience: dict | None = None, body: str = "Do the thing.") -> list[Published]:
        """Publish ``count`` directives in one transaction and announce none (as if every platform were away)."""
        now = clock.now()
        out = []
        with write_session(self.engine) as session:
            for n in range(count):
                data = f.draft(audience, title=f"Backlog {n}", body=body)
                draft = directives.create(session, self.officer, now, data)
                out.append(directives.publish(session, self.officer, now, draft.id, self.signer))
        return out

    def revoke_token(self, hub: HubProcess, platform: Platform) -> None:
        """Revoke a platform's machine token through a hub's API as the admin."""
        api(hub, "POST", f"/api/v1/tokens/{platform.principal.token_id}/revoke", self.admin_token, {})

    def session_cookie(self, principal: Principal) -> str:
        """The cookie a browser holds after signing in as this user (signed with the hub's secret key)."""
        with self.app.app_context():
            serializer = self.app.session_interface.get_signing_serializer(self.app)
            value = serializer.dumps(f.signed_in(self.engine, clock.now(), principal.user_id))
        return f"{self.app.config.get('SESSION_COOKIE_NAME', 'session')}={value}"

    def editor(self, platform: Platform) -> Principal:
        return f.user(self.engine, clock.now(), platform.org, Role.EDITOR)

    def delivery(self, platform: Platform, directive_id: int) -> Delivery:
        """The platform's delivery of a directive, as the database holds it now."""
        with read_session(self.engine) as session:
            return session.exec(
                select(Delivery).where(Delivery.platform_id == platform.org.id, Delivery.directive_id == directive_id)
            ).one()

    def event_count(self) -> int:
        """How many events the log holds."""
        with read_session(self.engine) as session:
            return session.scalar(sa.select(sa.func.count()).select_from(Event))

    def close(self) -> None:
        for proc in self.hubs:
            proc.stop()
        self.engine.dispose()


def api(hub: HubProcess, method: str, path: str, token: str, body: dict | None = None) -> dict:
    """One JSON API call with a bearer token; a 4xx or 5xx answer raises."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        hub.url + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())
