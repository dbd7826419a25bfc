"""Start-up that explains itself: a real ``python app.py`` (and ``flask --app app``) started into each kind of trouble
says so in one line naming the setting to change, exits non-zero, prints no traceback and never claims to serve."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from hub import ROOT

SERVING = "Directive Hub on http"


def start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Run ``python app.py`` with ``env`` over a clean start-up environment; it must give up within the timeout."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "DATABASE_URL", "SOCKETIO_"))}
    full = {**base, "HUB_INSTANCE": str(tmp_path / "instance"), "HUB_SEED_DEMO": "0", "HUB_SCHEDULER": "0", **env}
    return subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=full, capture_output=True, text=True, timeout=60, check=False
    )


def assert_explained(result: subprocess.CompletedProcess, *words: str) -> str:
    """One line on stderr naming ``words``, a non-zero exit, no traceback, no serving line."""
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert SERVING not in result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_a_busy_port_names_hub_port_and_serves_nothing(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = start(tmp_path, HUB_PORT=str(port))
    line = assert_explained(result, "HUB_PORT", str(port))
    assert "in use" in line


def test_an_unreachable_database_names_database_url_and_hides_its_password(tmp_path):
    result = start(tmp_path, DATABASE_URL="postgresql://hub:s3cret-pw@127.0.0.1:1/hub")
    line = assert_explained(result, "DATABASE_URL", "127.0.0.1:1")
    assert "s3cret-pw" not in result.stderr + result.stdout
    assert "***" in line


def test_a_sqlite_file_that_cannot_be_opened_names_database_url(tmp_path):
    result = start(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/missing-folder/hub.sqlite3")
    assert_explained(result, "DATABASE_URL", "missing-folder")


@pytest.mark.parametrize("url", ["mysql+nosuchdriver://x@y/z", "not a url", "postgres-ql://x@y/z"])
def test_a_bad_database_url_names_database_url(tmp_path, url):
    result = start(tmp_path, DATABASE_URL=url)
    assert_explained(result, "DATABASE_URL", "not a database URL")


def test_a_missing_redis_names_socketio_message_queue(tmp_path):
    result = start(tmp_path, SOCKETIO_MESSAGE_QUEUE="redis://127.0.0.1:1/0")
    assert_explained(result, "SOCKETIO_MESSAGE_QUEUE", "Redis", "127.0.0.1:1")


def test_a_message_queue_that_is_not_redis_names_the_setting(tmp_path):
    result = start(tmp_path, SOCKETIO_MESSAGE_QUEUE="http://127.0.0.1:6379")
    assert_explained(result, "SOCKETIO_MESSAGE_QUEUE", "not a Redis URL")


def test_a_port_that_is_not_a_number_names_hub_port(tmp_path):
    result = start(tmp_path, HUB_PORT="five-thousand")
    assert_explained(result, "HUB_PORT", "five-thousand")


def test_a_host_that_is_not_this_machine_names_hub_host(tmp_path):
    result = start(tmp_path, HUB_HOST="hub.invalid")
    assert_explained(result, "HUB_HOST", "hub.invalid")


def test_a_command_explains_an_unreachable_database_too(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "DATABASE_URL", "SOCKETIO_"))}
    env.update(HUB_INSTANCE=str(tmp_path / "instance"), DATABASE_URL="postgresql://hub@127.0.0.1:1/hub")
    flask = Path(sys.executable).with_name("flask")
    result = subprocess.run(
        [str(flask), "--app", "app", "verify-log"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert_explained(result, "DATABASE_URL")


def test_a_malformed_smtp_url_names_smtp_url(tmp_path):
    result = start(tmp_path, SMTP_URL="http://mail.example.test:25")
    line = assert_explained(result, "SMTP_URL", "smtp://")
    assert "http" in line
