"""Tampering with the log by someone who can write the database is caught against signed checkpoints kept elsewhere.

Each attack first passes the plain chain check (the hole), then is named by ``verify-log --against``.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from hub import clock, create_app, scheduler
from hub.core import checkpoints, deliveries, log, questions, tokens
from hub.core.access import SYSTEM
from hub.core.signing import Signer, fingerprint
from hub.db import read_session, write_session
from hub.models import Event, OrgKind, Role
from tests import factories as f
from tests.conftest import T0


@pytest.fixture
def hub_app(tmp_path, db_url):
    """A hub on SQLite and on PostgreSQL, scheduler off."""
    app = create_app(
        {
            "instance_path": str(tmp_path / "instance"),
            "database_url": db_url,
            "scheduler_enabled": False,
            "TESTING": True,
        },
        environ=False,
    )
    yield app
    app.extensions["hub"].engine.dispose()


def engine_of(app):
    return app.extensions["hub"].engine


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def checkpoint_file(app) -> Path:
    return Path(app.extensions["hub"].settings.checkpoint_file)


def followed_through(app) -> dict:
    """A directive acknowledged and implemented by one platform, which then asked a question that was answered."""
    engine = engine_of(app)
    officer = f.user(engine, T0, f.org(engine, T0, OrgKind.REGULATOR), Role.OFFICER)
    platform = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    editor = f.user(engine, T0, platform, Role.EDITOR)
    directive = f.published(engine, T0, officer).directive
    with write_session(engine) as s:
        deliveries.acknowledge(s, editor, T0, directive.id)
        deliveries.set_status(s, editor, T0, directive.id, "implemented", "Removed the items.")
    return {"officer": officer, "editor": editor, "directive": directive}


def ask_and_answer(app, world: dict) -> None:
    with write_session(engine_of(app)) as s:
        question = questions.ask(s, world["editor"], T0, world["directive"].id, "Also the archive?").question
        questions.answer(s, world["officer"], T0, question.id, "Yes.")


def rechain(app, from_id: int) -> None:
    """What an attacker with database access does after editing row ``from_id``: recompute every later hash and
    the head, so that the chain is consistent again."""
    with read_session(engine_of(app)) as s:
        rows = s.exec(sa.select(Event).where(Event.id >= from_id - 1).order_by(Event.id)).scalars().all()
        data = [r.model_dump() for r in rows]
    with engine_of(app).begin() as conn:
        prev = data[0]["hash"] if data[0]["id"] < from_id else log.GENESIS
        for row in data:
            if row["id"] < from_id:
                continue
            digest = log.row_hash(prev, row)
            conn.execute(
                sa.text("UPDATE event SET prev_hash = :p, hash = :h WHERE id = :i"),
                {"p": prev, "h": digest, "i": row["id"]},
            )
            prev = digest
        conn.execute(sa.text("UPDATE loghead SET last_id = :i, last_hash = :h"), {"i": data[-1]["id"], "h": prev})


def against(app, *extra):
    return run(app, "verify-log", "--against", str(checkpoint_file(app)), *extra)


def test_an_untouched_log_passes_against_its_checkpoints(hub_app):
    world = followed_through(hub_app)
    assert run(hub_app, "checkpoint").exit_code == 0
    ask_and_answer(hub_app, world)
    assert run(hub_app, "checkpoint").exit_code == 0
    result = against(hub_app)
    assert result.exit_code == 0, result.output
    assert "extends all 2 checkpoints" in result.output
    assert "deliveries agree with their events" in result.output


def test_an_edited_row_with_every_later_hash_recomputed_is_caught(hub_app):
    followed_through(hub_app)
    run(hub_app, "checkpoint")
    with engine_of(hub_app).begin() as conn:
        conn.execute(sa.text("UPDATE event SET actor = 'somebody else' WHERE id = 2"))
    rechain(hub_app, 2)
    assert run(hub_app, "verify-log").exit_code == 0  # the chain alone cannot tell
    result = against(hub_app)
    assert result.exit_code == 1
    assert "BROKEN at checkpoint at line 1" in result.output and "history rewritten" in result.output


def test_deleting_the_newest_rows_and_moving_the_head_back_is_caught(hub_app):
    world = followed_through(hub_app)
    with read_session(engine_of(hub_app)) as s:
        kept = s.scalar(sa.select(sa.func.max(Event.id)))
        kept_hash = s.get(Event, kept).hash
    ask_and_answer(hub_app, world)
    run(hub_app, "checkpoint")
    with engine_of(hub_app).begin() as conn:
        conn.execute(sa.text("DELETE FROM event WHERE id > :k"), {"k": kept})
        conn.execute(sa.text("UPDATE loghead SET last_id = :k, last_hash = :h"), {"k": kept, "h": kept_hash})
    assert run(hub_app, "verify-log").exit_code == 0  # the chain alone cannot tell
    result = against(hub_app)
    assert result.exit_code == 1
    assert f"the log ends at row {kept}" in result.output and "head moved back" in result.output


def test_a_delivery_set_to_implemented_with_no_event_is_caught_in_both_modes(hub_app):
    engine = engine_of(hub_app)
    officer = f.user(engine, T0, f.org(engine, T0, OrgKind.REGULATOR), Role.OFFICER)
    platform = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    editor = f.user(engine, T0, platform, Role.EDITOR)
    directive = f.published(engine, T0, officer).directive
    with write_session(engine) as s:
        delivery_id = deliveries.acknowledge(s, editor, T0, directive.id).delivery.id
    run(hub_app, "checkpoint")
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE delivery SET state = 'implemented', implemented_at = :t, report = 'done' WHERE id = :i"),
            {"t": T0.replace(tzinfo=None), "i": delivery_id},
        )
    for result in (run(hub_app, "verify-log"), against(hub_app)):
        assert result.exit_code == 1
        assert "1 of 1 deliveries disagree" in result.output
        assert f"delivery {delivery_id} is implemented but its events say acknowledged" in result.output


def test_a_checkpoint_line_with_a_forged_signature_is_refused(hub_app, tmp_path):
    followed_through(hub_app)
    run(hub_app, "checkpoint")
    line = json.loads(checkpoint_file(hub_app).read_text().splitlines()[0])
    forged = tmp_path / "forged.jsonl"
    forged.write_text(json.dumps({**line, "head": "e" * 64}) + "\n")
    result = run(hub_app, "verify-log", "--against", str(forged))
    assert result.exit_code == 1 and "line 1" in result.output and "signature does not verify" in result.output
    # A line signed with the attacker's own key: under the hub's key id it does not verify; under its own it is
    # refused as another key's.
    other = Signer.generate()
    sig = other.sign_bytes(checkpoints.signed_bytes(line["last_id"], "e" * 64, line["at"]))
    forged.write_text(json.dumps({**line, "head": "e" * 64, "signature": sig}) + "\n")
    assert "signature does not verify" in run(hub_app, "verify-log", "--against", str(forged)).output
    own = {**line, "head": "e" * 64, "signature": sig, "key_id": fingerprint(other.public_pem())}
    forged.write_text(json.dumps(own) + "\n")
    assert "signed with another key" in run(hub_app, "verify-log", "--against", str(forged)).output


def test_an_auditor_verifies_with_the_public_key_they_hold(hub_app, tmp_path):
    followed_through(hub_app)
    run(hub_app, "checkpoint")
    served = hub_app.test_client().get("/api/v1/signing-key").get_json()["public_key_pem"]
    key = tmp_path / "hub.pem"
    key.write_text(served)
    assert against(hub_app, "--key", str(key)).exit_code == 0
    key.write_text(Signer.generate().public_pem())
    result = against(hub_app, "--key", str(key))
    assert result.exit_code == 1 and "signed with another key" in result.output


def test_the_scheduler_signs_the_head_at_intervals_only_when_it_moved(hub_app):
    world = followed_through(hub_app)
    sweeper = scheduler.HubScheduler(hub_app)
    start = datetime(2026, 6, 10, 3, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        sweeper.sweep()
        assert len(checkpoint_file(hub_app).read_text().splitlines()) == 1
        ask_and_answer(hub_app, world)
        traveller.shift(timedelta(minutes=5))
        sweeper.sweep()  # moved, but the interval (15 minutes by default) has not passed
        assert len(checkpoint_file(hub_app).read_text().splitlines()) == 1
        traveller.shift(timedelta(minutes=10))
        sweeper.sweep()
        traveller.shift(timedelta(minutes=15))
        sweeper.sweep()  # nothing moved but the checkpoint's own event
    lines = [json.loads(x) for x in checkpoint_file(hub_app).read_text().splitlines()]
    assert [x["at"] for x in lines] == [start.isoformat(), (start + timedelta(minutes=15)).isoformat()]
    with read_session(engine_of(hub_app)) as s:
        logged = s.scalars(sa.select(Event.details).where(Event.kind == "checkpoint").order_by(Event.id)).all()
    assert [d["last_id"] for d in logged] == [x["last_id"] for x in lines]
    assert against(hub_app).exit_code == 0


def test_a_checkpoint_on_demand_from_the_command_line(hub_app):
    followed_through(hub_app)
    first = run(hub_app, "checkpoint")
    assert first.exit_code == 0 and re.search(r"checkpoint 1: row \d+, head [0-9a-f]{64}", first.output)
    again = run(hub_app, "checkpoint")
    assert again.exit_code == 0 and "nothing to sign" in again.output
    assert len(checkpoint_file(hub_app).read_text().splitlines()) == 1


def signed_in(app, who):
    client = app.test_client()
    client.set_cookie("lang", "en")
    with client.session_transaction() as session:
        session.update(f.signed_in(app.extensions["hub"].engine, clock.now(), who.user_id))
    return client


def bearer(engine, who) -> dict[str, str]:
    with write_session(engine) as s:
        _, secret = tokens.issue_token(s, SYSTEM, T0, label="test", user_id=who.user_id)
    return {"Authorization": f"Bearer {secret}"}


def test_an_admin_takes_a_checkpoint_and_the_console_receives_it(app):
    from hub.sockets import socketio

    engine = app.extensions["hub"].engine
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    admin, manager = f.user(engine, T0, regulator, Role.ADMIN), f.user(engine, T0, regulator, Role.MANAGER)
    _, token = f.machine(engine, T0, f.org(engine, T0, OrgKind.PLATFORM, "HNI"))
    f.published(engine, T0, f.user(engine, T0, regulator, Role.OFFICER))
    console = socketio.test_client(app, namespace="/console", flask_test_client=signed_in(app, manager))
    assert console.is_connected("/console")
    refused = app.test_client().post("/api/v1/log/checkpoints", headers=bearer(engine, manager))
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
    answer = app.test_client().post("/api/v1/log/checkpoints", headers=bearer(engine, admin))
    assert answer.status_code == 201, answer.get_json()
    taken = answer.get_json()["checkpoint"]
    pushed = [e["args"][0] for e in console.get_received("/console") if e["name"] == "checkpoint"]
    assert pushed == [taken]
    platform = app.test_client().get("/api/v1/log/checkpoint", headers={"Authorization": f"Bearer {token}"})
    assert platform.status_code == 403
    console.disconnect(namespace="/console")


def test_the_printable_report_shows_the_latest_signed_checkpoint(app):
    engine = app.extensions["hub"].engine
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    directive = f.published(engine, T0, f.user(engine, T0, regulator, Role.OFFICER)).directive
    manager = f.user(engine, T0, regulator, Role.MANAGER)
    client = signed_in(app, manager)
    assert run(app, "checkpoint").exit_code == 0
    line = json.loads(checkpoint_file(app).read_text())
    page = client.get(f"/dashboard/directives/{directive.id}/report").text
    assert "Latest signed checkpoint of the log" in page
    assert line["head"] in page and line["key_id"] in page and line["signature"][:16] in page
    assert f'data-cp="last_id">{line["last_id"]}<' in page
