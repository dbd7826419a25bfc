"""The command line: demo data, users, platforms, tokens, the log check and the export."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hub import clock
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
