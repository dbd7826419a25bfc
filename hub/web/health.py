"""What a load balancer or an orchestrator asks: ``/healthz`` (the process answers) and ``/readyz`` (it can do its
work: database reachable, schema at the newest migration, message queue reachable when one is configured, a live
scheduler lease holder). ``/readyz`` answers 503 with the checks that failed named in its JSON body."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, jsonify

from hub import clock
from hub.core import leases
from hub.db import read_session
from hub.runtime import current_hub

CHECK_TIMEOUT_SECONDS = 2
SCHEDULER_LEASE = "scheduler"  # the name hub/scheduler.py holds


def healthz():
    """The process is alive and serving requests (no dependency is asked)."""
    return jsonify({"status": "ok"})


def readyz():
    """Every check, each with ``ok`` and what it found; 503 when any failed."""
    checks = {name: _run(check) for name, check in CHECKS.items()}
    failed = [name for name, result in checks.items() if not result["ok"]]
    body = {"status": "not_ready" if failed else "ready", "failed": failed, "checks": checks}
    return jsonify(body), 503 if failed else 200


def _run(check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # a failed check is an answer, not an error
        result = {"ok": False, "error": _first_line(exc)}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def check_database() -> dict[str, Any]:
    with read_session(current_hub().engine) as session:
        session.scalar(sa.text("SELECT 1"))
    return {"ok": True}


def check_migrations() -> dict[str, Any]:
    """The database's revision against the newest migration this code knows."""
    from alembic.runtime.migration import MigrationContext

    with current_hub().engine.connect() as conn:
        current = sorted(MigrationContext.configure(conn).get_current_heads())
    head = current_app.extensions["hub_migration_heads"]
    ok = current == head
    result: dict[str, Any] = {"ok": ok, "revision": ",".join(current) or None, "head": ",".join(head)}
    if not ok:
        result["error"] = "the database is not at the newest migration; run flask --app app init-db"
    return result


def check_message_queue() -> dict[str, Any]:
    url = current_hub().settings.socketio_message_queue
    if not url:
        return {"ok": True, "configured": False}
    if not url.startswith(("redis://", "rediss://", "unix://", "valkey://", "valkeys://")):
        return {"ok": True, "configured": True, "checked": False}
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=CHECK_TIMEOUT_SECONDS, socket_timeout=CHECK_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()
    return {"ok": True, "configured": True}


def check_scheduler() -> dict[str, Any]:
    """Some process holds a live scheduler lease (it may be another process or ``flask --app app scheduler``)."""
    now = clock.now()
    with read_session(current_hub().engine) as session:
        lease = leases.current(session, SCHEDULER_LEASE)
    if lease is None or lease.expires_at <= now:
        return {"ok": False, "error": "no process holds the scheduler lease; start one with HUB_SCHEDULER=1"}
    return {"ok": True, "holder": lease.holder, "expires_at": lease.expires_at.isoformat()}


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": check_database,
    "migrations": check_migrations,
    "message_queue": check_message_queue,
    "scheduler": check_scheduler,
}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def _migration_heads(app: Flask) -> list[str]:
    from alembic.script import ScriptDirectory

    from hub.db import alembic_config

    return sorted(ScriptDirectory.from_config(alembic_config(app.extensions["hub"].engine)).get_heads())


def init_app(app: Flask) -> None:
    app.extensions["hub_migration_heads"] = _migration_heads(app)
    app.add_url_rule("/healthz", "healthz", healthz)
    app.add_url_rule("/readyz", "readyz", readyz)
