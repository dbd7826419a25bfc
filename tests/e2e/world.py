"""A small world for end-to-end tests: a regulator, a provincial department, platforms with machine tokens, and the
test's own hand on the hub's database and message queue (to publish with the core and push as the API does)."""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from hub import clock, create_app
from hub.core import directives, registry
from hub.core.access import SYSTEM, Principal
from hub.core.directives import Published
from hub.db import write_session
from hub.models import Organisation, OrgKind, Role
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


@dataclass
class Platform:
    org: Organisation
    token: str
    principal: Principal


@dataclass
class World:
    """The hub's data and the test's publishing hand; hubs started with :meth:`hub` share its instance folder."""

    instance: Path
    database_url: str
    message_queue: str
    channel: str = field(default_factory=unique_channel)
    hubs: list[HubProcess] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.app = create_app(
            {
                "instance_path": str(self.instance),
                "database_url": self.database_url,
                "socketio_message_queue": self.message_queue,
                "socketio_channel": self.channel,
                "scheduler_enabled": False,
            },
            environ=False,
        )
        self.engine = self.app.extensions["hub"].engine
        self.signer = self.app.extensions["hub"].signer
        now = clock.now()
        self.regulator = f.org(self.engine, now, OrgKind.REGULATOR)
        self.officer = f.user(self.engine, now, self.regulator, Role.OFFICER)
        self.hanoi_dept = f.org(self.engine, now, OrgKind.PROVINCE, "HNI")
        self.hanoi_manager = f.user(self.engine, now, self.hanoi_dept, Role.MANAGER)

    def hub(self, **env: str) -> HubProcess:
        """Start a hub process on this world's database and channel."""
        proc = HubProcess(self.instance, self.database_url, self.message_queue, self.channel, env=env).start()
        self.hubs.append(proc)
        return proc

    def platform(self, province: str = "HNI") -> Platform:
        org = f.org(self.engine, clock.now(), OrgKind.PLATFORM, province)
        principal, token = f.machine(self.engine, clock.now(), org)
        return Platform(org, token, principal)

    def publish(self, audience: dict | None = None, **kw) -> Published:
        """Publish with the core, then announce it as the API does after its commit."""
        from hub import sockets

        now = clock.now()
        with write_session(self.engine) as session:
            draft = directives.create(session, self.officer, now, f.draft(audience, **kw))
            published = directives.publish(session, self.officer, now, draft.id, self.signer)
        with self.app.app_context():
            sockets.push_published(published)
        return published

    def publish_quietly(self, count: int, audience: dict | None = None) -> list[Published]:
        """Publish ``count`` directives in one transaction and announce none (as if every platform were away)."""
        now = clock.now()
        out = []
        with write_session(self.engine) as session:
            for n in range(count):
                draft = directives.create(session, self.officer, now, f.draft(audience, title=f"Backlog {n}"))
                out.append(directives.publish(session, self.officer, now, draft.id, self.signer))
        return out

    def revoke_token(self, platform: Platform) -> None:
        from hub import sockets

        with write_session(self.engine) as session:
            registry.revoke_token(session, SYSTEM, clock.now(), platform.principal.token_id)
        with self.app.app_context():
            sockets.disconnect_token(platform.principal.token_id)

    def session_cookie(self, principal: Principal) -> str:
        """The cookie a browser holds after signing in as this user (signed with the hub's secret key)."""
        with self.app.app_context():
            serializer = self.app.session_interface.get_signing_serializer(self.app)
            value = serializer.dumps({"_user_id": str(principal.user_id), "_fresh": True})
        return f"{self.app.config.get('SESSION_COOKIE_NAME', 'session')}={value}"

    def editor(self, platform: Platform) -> Principal:
        return f.user(self.engine, clock.now(), platform.org, Role.EDITOR)

    def close(self) -> None:
        for proc in self.hubs:
            proc.stop()
        self.engine.dispose()
