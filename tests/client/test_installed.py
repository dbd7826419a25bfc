"""The client as an operator runs it: installed with ``pip install ./client`` into a fresh virtualenv, its
``directive-hub`` command run as a subprocess against a real hub, every documented command typed as written in
docs/client.md."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from hub.db import write_session
from tests.e2e.hubproc import ROOT, HubProcess, wait_until

pytestmark = pytest.mark.slow

GUIDE = ROOT / "docs" / "client.md"
# What the guide's examples stand for, and what the tests put in their place.
DOC_URL, DOC_TOKEN, DOC_STATE = "https://hub.example.vn", "dh_...", "/var/lib/directive-hub-client"
DOC_FIRST, DOC_SECOND = "42", "43"
SERVER_PACKAGES = {"directive-hub", "flask", "flask-socketio", "werkzeug", "sqlalchemy", "sqlmodel", "alembic"}
SERVER_PACKAGES |= {"gevent", "gevent-websocket", "apscheduler", "psycopg", "orjson", "redis", "flask-babel"}


def documented_commands() -> list[str]:
    """The command lines of the guide's "Commands" block, as a user would copy them."""
    section = GUIDE.read_text(encoding="utf-8").split("## Commands", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def clean_env(venv: Path, **extra: str) -> dict[str, str]:
    """The environment of an operator's shell: the client's virtualenv first on PATH, nothing of the hub's."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


class Listening:
    """``directive-hub listen …`` running as a subprocess, its output collected as it comes."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.out: list[str] = []
        self.err: list[str] = []
        self.proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8"
        )
        self.readers = [
            threading.Thread(target=lambda s=stream, lines=lines: lines.extend(s), daemon=True)
            for stream, lines in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))
        ]
        for reader in self.readers:
            reader.start()

    def printed(self, text: str) -> bool:
        return any(text in line for line in self.out)

    def logged(self, text: str) -> bool:
        return any(text in line for line in self.err)

    def wait(self, timeout: float) -> int:
        """The exit code, once the process has ended and all its output is read."""
        code = self.proc.wait(timeout)
        for reader in self.readers:
            reader.join(10)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return code

    def stop(self) -> int:
        """SIGTERM, as systemd stops it; the exit code."""
        self.proc.send_signal(signal.SIGTERM)
        return self.wait(30)


def run(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)


def as_typed(line: str, hub, token: str, state: Path, ids: dict[str, int]) -> list[str]:
    """A documented command line with the test hub's address, the token, the state folder and the directive ids."""
    argv = shlex.split(line)
    swap = {DOC_URL: hub.url, DOC_TOKEN: token, DOC_STATE: str(state)} | {k: str(v) for k, v in ids.items()}
    return [swap.get(arg, arg) for arg in argv]


def test_pip_lists_no_server_package(client_venv):
    listed = run([str(client_venv / "bin" / "pip"), "list", "--format=json"], clean_env(client_venv), ROOT)
    names = {p["name"].lower() for p in json.loads(listed.stdout)}
    shown = run([str(client_venv / "bin" / "pip"), "show", "directive-hub-client"], clean_env(client_venv), ROOT)
    requires = re.search(r"^Requires: (.*)$", shown.stdout, re.M).group(1)

    assert "directive-hub-client" in names
    assert names & SERVER_PACKAGES == set()
    assert sorted(r.strip() for r in requires.split(",")) == ["cryptography", "python-socketio", "requests"]


def test_every_documented_command_works_as_typed(hub, client_venv, tmp_path):
    org, token = hub.platform()
    env, state = clean_env(client_venv), tmp_path / "state"
    commands = documented_commands()
    listen, listen_json, *sends = commands
    assert [c.split()[1] for c in commands] == ["listen", "listen", "ack", "status", "status", "status"]

    receiver = Listening(as_typed(listen, hub, token, state, {}), env, tmp_path)
    wait_until(lambda: receiver.logged("connected to"), timeout=30, message="the client to connect")
    first = hub.publish(org, "Gỡ bỏ tin sai về bão số 15")
    wait_until(lambda: receiver.printed("Gỡ bỏ tin sai về bão số 15"), timeout=15, message="the live directive")
    wait_until(lambda: hub.delivery(org, first).delivered_at, timeout=15, message="the receipt")
    assert receiver.stop() == 0, receiver.err
    assert receiver.printed(f"id {first}")
    assert json.loads((state / "cursor.json").read_text()) == {"seq": 1}
    assert "BEGIN PUBLIC KEY" in (state / "hub-public-key.pem").read_text()

    second = hub.publish(org, "Đính chính thông tin")  # published while nobody listens: replayed at the next start
    receiver = Listening(as_typed(listen_json, hub, token, state, {}), env, tmp_path)
    wait_until(lambda: receiver.out, timeout=30, message="the replayed directive")
    wait_until(lambda: hub.delivery(org, second).delivered_at, timeout=15, message="the receipt")
    assert receiver.stop() == 0, receiver.err
    printed = json.loads(receiver.out[0])
    assert (printed["id"], printed["seq"], printed["title"]) == (second, 2, "Đính chính thông tin")

    ids = {DOC_FIRST: first, DOC_SECOND: second}
    for line in sends:
        done = run(as_typed(line, hub, token, state, ids), env, tmp_path)
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        assert "confirmed" in done.stdout
    assert (hub.delivery(org, first).state, hub.delivery(org, first).report) == ("implemented", "Đã gỡ 12 bài viết")
    assert hub.delivery(org, first).acknowledged_at is not None
    declined = hub.delivery(org, second)
    assert (declined.state, declined.decline_reason) == ("declined", "Trang không đăng tin này")


def test_status_keeps_its_state_folder_apart_from_the_state_it_reports(hub, client_venv, tmp_path):
    org, token = hub.platform()
    directive = hub.publish(org)
    env = clean_env(client_venv)

    done = run(
        ["directive-hub", "status", str(directive), "in_progress", "--url", hub.url, "--token", token], env, tmp_path
    )

    assert done.returncode == 0, done.stderr
    assert hub.delivery(org, directive).state == "in_progress"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".hub-client"]  # the default folder, no "in_progress/"
    assert (tmp_path / ".hub-client" / "outbox.sqlite3").exists()


def test_the_environment_variables_stand_for_the_options(hub, client_venv, tmp_path):
    org, token = hub.platform()
    directive = hub.publish(org)
    env = clean_env(
        client_venv,
        DIRECTIVE_HUB_URL=hub.url,
        DIRECTIVE_HUB_TOKEN=token,
        DIRECTIVE_HUB_STATE=str(tmp_path / "state"),
    )

    done = run(["directive-hub", "ack", str(directive)], env, tmp_path)

    assert done.returncode == 0, done.stderr
    assert hub.delivery(org, directive).acknowledged_at is not None
    assert (tmp_path / "state" / "outbox.sqlite3").exists()


def test_exit_codes_say_what_happened(hub, client_venv, tmp_path):
    _, token = hub.platform()
    other, _ = hub.platform()
    not_ours = hub.publish(other)
    env, state = clean_env(client_venv), str(tmp_path / "state")
    common = ["--url", hub.url, "--state", state]

    refused = run(["directive-hub", "ack", str(not_ours), *common, "--token", token], env, tmp_path)
    bad_token = run(["directive-hub", "ack", "1", *common, "--token", "dh_wrong"], env, tmp_path)
    usage = run(["directive-hub", "ack", "1", "--state", state], env, tmp_path)
    bad_key = run(["directive-hub", "listen", *common, "--token", token, "--public-key", str(GUIDE)], env, tmp_path)

    assert (refused.returncode, "not_found" in refused.stderr) == (1, True)
    assert (bad_token.returncode, "refused the token" in bad_token.stderr) == (2, True)
    assert (usage.returncode, "--url" in usage.stderr) == (64, True)
    assert (bad_key.returncode, "--public-key" in bad_key.stderr) == (64, True)


def test_a_request_queued_while_the_hub_is_down_is_sent_by_the_next_run(hub, client_venv, tmp_path):
    own = HubProcess(tmp_path / "instance", hub.db_url).start()
    org, token = hub.platform()
    directive = hub.publish(org, via=own)
    env, state = clean_env(client_venv), str(tmp_path / "state")
    own.stop()

    queued = run(
        ["directive-hub", "ack", str(directive), "--url", own.url, "--token", token, "--state", state], env, tmp_path
    )
    own.start()
    later = run(
        [
            "directive-hub",
            "status",
            str(directive),
            "in_progress",
            "--url",
            own.url,
            "--token",
            token,
            "--state",
            state,
        ],
        env,
        tmp_path,
    )
    own.stop()

    assert (queued.returncode, "queued" in queued.stderr) == (75, True)
    assert later.returncode == 0, later.stderr
    assert [line.split()[0] for line in later.stdout.splitlines()] == ["acknowledge", "status"]
    assert hub.delivery(org, directive).state == "in_progress"


def test_a_tampered_directive_stops_listen_with_exit_code_3(hub, client_venv, tmp_path):
    org, token = hub.platform()
    directive = hub.publish(org, "Authentic title")
    with write_session(hub.engine) as s:
        s.execute(sa.text("UPDATE directive SET title = 'Forged title' WHERE id = :id"), {"id": directive})
    argv = ["directive-hub", "listen", "--url", hub.url, "--token", token, "--state", str(tmp_path / "state")]

    receiver = Listening(argv, clean_env(client_venv), tmp_path)
    code = receiver.wait(60)

    assert code == 3, receiver.err
    assert receiver.out == []
    rejected = [json.loads(line) for line in (tmp_path / "state" / "rejected.jsonl").read_text().splitlines()]
    assert {r["payload"]["title"] for r in rejected} == {"Forged title"}
    assert hub.delivery(org, directive).delivered_at is None
