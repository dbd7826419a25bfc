"""The command line: demo data, users, platforms, tokens, the log check and the export."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from hub import ROOT, clock, create_app, demo
from hub.core import tokens
from hub.core.errors import Unauthenticated
from hub.db import read_session


def run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result


def test_seed_demo_loads_every_province_and_about_fifty_platforms(app):
    result = run(app, "seed-demo")
    assert result.exit_code == 0, result.output
    assert "officer.hni" in result.output
    engine = app.extensions["hub"].engine
    with engine.connect() as conn:
        kinds = dict(conn.execute(sa.text("SELECT kind, count(*) FROM organisation GROUP BY kind")).all())
        states = {r[0] for r in conn.execute(sa.text("SELECT DISTINCT status FROM directive"))}
    assert kinds == {"regulator": 1, "province": 34, "platform": 50}
    assert {"draft", "scheduled", "published", "revoked"} <= states
    assert "already loaded" in run(app, "seed-demo").output


def test_verify_log_passes_then_names_a_tampered_row(app):
    run(app, "seed-demo")
    ok = run(app, "verify-log")
    assert ok.exit_code == 0 and ok.output.startswith("ok:")
    with app.extensions["hub"].engine.begin() as conn:
        conn.execute(sa.text("UPDATE event SET actor = 'x' WHERE id = 10"))
    broken = run(app, "verify-log")
    assert broken.exit_code == 1 and "event 10" in broken.output


def test_register_platform_token_create_and_revoke(app):
    run(app, "seed-demo")
    args = ["--province", "HNI", "--kind", "news_site"]
    reg = run(app, "register-platform", "--code", "P-NEW", "--name", "New site", *args)
    assert reg.exit_code == 0, reg.output
    assert "directive(s) in force delivered" in reg.output
    bad = run(app, "register-platform", "--code", "P-NEW", "--name", "Dup", *args)
    assert bad.exit_code != 0 and "exists" in bad.output
    created = run(app, "token", "create", "--platform", "P-NEW", "--label", "cms")
    assert created.exit_code == 0
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("dh_")
    engine = app.extensions["hub"].engine
    with read_session(engine) as s:
        assert tokens.resolve_token(s, secret, clock.now()).is_platform
    token_id = created.output.split("token ")[1].split()[0]
    assert run(app, "token", "revoke", token_id).exit_code == 0
    with read_session(engine) as s, pytest.raises(Unauthenticated):
        tokens.resolve_token(s, secret, clock.now())


def test_export_events_writes_csv(app):
    run(app, "seed-demo")
    out = run(app, "export-events", "--kind", "published")
    lines = out.output.strip().splitlines()
    assert lines[0].startswith("id,at,kind") and len(lines) >= 4 and all(",published," in line for line in lines[1:])


def test_checkpoint_then_verify_log_against_the_file_and_a_bad_key_file(app, tmp_path):
    run(app, "seed-demo")
    taken = run(app, "checkpoint")
    assert taken.exit_code == 0 and "appended to" in taken.output
    path = app.extensions["hub"].settings.checkpoint_file
    ok = run(app, "verify-log", "--against", path)
    assert ok.exit_code == 0 and "extends all 1 checkpoints" in ok.output
    bad_key = tmp_path / "key.pem"
    bad_key.write_text("not a key")
    refused = run(app, "verify-log", "--against", path, "--key", str(bad_key))
    assert refused.exit_code != 0 and "not a PEM public key" in refused.output


def test_building_an_app_leaves_a_fresh_database_untouched_until_init_db(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    settings = {"instance_path": str(tmp_path / "i"), "database_url": url, "scheduler_enabled": False}
    app = create_app(settings, environ=False)
    engine = app.extensions["hub"].engine
    assert sa.inspect(engine).get_table_names() == []
    result = run(app, "init-db")
    assert result.exit_code == 0 and "database migrated: applied 0001, " in result.output
    again = run(app, "init-db")
    assert again.exit_code == 0 and "already at the newest migration" in again.output
    assert {"directive", "delivery", "event", "alembic_version"} <= set(sa.inspect(engine).get_table_names())
    engine.dispose()


def test_a_command_works_on_a_fresh_database_from_the_shell(tmp_path):
    env = {**os.environ, "HUB_INSTANCE": str(tmp_path), "DATABASE_URL": "", "HUB_SCHEDULER": "0"}
    args = ["--code", "P-NEW", "--name", "New site", "--province", "HNI", "--kind", "news_site"]
    command = [sys.executable, "-m", "flask", "--app", "app", "register-platform", *args]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "registered P-NEW; 0 directive(s) in force delivered" in result.stdout


def test_every_command_is_listed_in_the_help(app):
    listed = run(app, "--help").output
    for name in ("init-db", "seed-demo", "create-user", "register-platform", "token", "verify-log", "checkpoint"):
        assert name in listed
    assert "export-events" in listed and "scheduler" in listed
    assert {"create", "list", "revoke"} <= set(run(app, "token", "--help").output.split())


def test_create_user_then_a_personal_token_shows_in_the_token_list(app):
    run(app, "seed-demo")
    who = ["--org", demo.REGULATOR_CODE, "--role", "officer", "--login", "new.officer", "--name", "New Officer"]
    created = run(app, "create-user", *who, "--password", "a long enough password 1")
    assert created.exit_code == 0 and "created officer new.officer" in created.output, created.output
    issued = run(app, "token", "create", "--user", "new.officer", "--label", "laptop")
    assert issued.exit_code == 0, issued.output
    listed = run(app, "token", "list").output
    assert any(line.endswith("active laptop") for line in listed.splitlines())
    assert run(app, "token", "create", "--user", "nobody").exit_code != 0
