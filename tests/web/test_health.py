"""``/healthz`` says the process answers; ``/readyz`` says whether it can do its work, and names what is missing."""

from __future__ import annotations

import sqlalchemy as sa

from hub import create_app, scheduler


def test_healthz_answers_while_the_process_lives(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.get_json() == {"status": "ok"}


def test_a_hub_without_a_live_scheduler_is_not_ready_and_says_so(app, client):
    answer = client.get("/readyz")
    body = answer.get_json()
    assert answer.status_code == 503 and body["status"] == "not_ready"
    assert body["failed"] == ["scheduler"]
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert body["checks"]["message_queue"] == {
        "ok": True,
        "configured": False,
        "ms": body["checks"]["message_queue"]["ms"],
    }


def test_a_hub_whose_scheduler_holds_the_lease_is_ready_and_names_the_holder(app, client):
    sweeper = scheduler.HubScheduler(app)
    sweeper.sweep()
    answer = client.get("/readyz")
    body = answer.get_json()
    assert answer.status_code == 200 and body == {**body, "status": "ready", "failed": []}
    assert body["checks"]["scheduler"]["holder"] == sweeper.holder
    assert body["checks"]["migrations"]["revision"] == body["checks"]["migrations"]["head"]


def test_a_database_behind_the_newest_migration_is_not_ready(app, client):
    scheduler.HubScheduler(app).sweep()
    with app.extensions["hub"].engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0003'"))
    body = client.get("/readyz").get_json()
    assert body["failed"] == ["migrations"]
    assert body["checks"]["migrations"]["revision"] == "0003"
    assert "init-db" in body["checks"]["migrations"]["error"]


def test_an_unreachable_database_and_message_queue_are_named(tmp_path):
    app = create_app(
        {
            "instance_path": str(tmp_path / "instance"),
            "database_url": "postgresql://hub@127.0.0.1:1/hub",
            "socketio_message_queue": "redis://127.0.0.1:1/0",
            "scheduler_enabled": False,
            "TESTING": True,
        },
        environ=False,
    )
    answer = app.test_client().get("/readyz")
    body = answer.get_json()
    assert answer.status_code == 503
    assert body["failed"] == ["database", "migrations", "message_queue", "scheduler"]
    assert "127.0.0.1" in body["checks"]["message_queue"]["error"]
    assert app.test_client().get("/healthz").status_code == 200
