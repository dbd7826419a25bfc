"""A real hub on its own Redis: ready while Redis answers, not ready (naming the message queue) once Redis is gone,
while ``/healthz`` still says the process lives."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.conftest import need_service
from tests.e2e.hubproc import HubProcess, free_port, wait_until

pytestmark = pytest.mark.slow


def probe(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


@pytest.fixture
def redis_server(tmp_path):
    """A Redis of this test's own, on a free port, that the test may stop."""
    binary = shutil.which("redis-server")
    if binary is None:
        need_service("redis-server", "the binary is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    yield proc, f"redis://127.0.0.1:{port}/0"
    if proc.poll() is None:
        proc.kill()
    proc.wait(10)


def test_a_hub_whose_redis_goes_away_is_not_ready_and_names_the_message_queue(tmp_path, redis_server):
    redis, url = redis_server
    hub = HubProcess(
        tmp_path / "instance",
        f"sqlite:///{tmp_path / 'hub.sqlite3'}",
        message_queue=url,
        env={"HUB_SCHEDULER": "1", "HUB_SWEEP_INTERVAL": "1"},
    )
    wait_until(lambda: redis.poll() is None and _answers(url), timeout=20, message="redis up")
    with hub.start(timeout=120):
        status, body = wait_until(
            lambda: (r := probe(f"{hub.url}/readyz"))[0] == 200 and r, timeout=30, message="ready"
        )
        assert body["checks"]["message_queue"]["configured"] is True
        redis.terminate()
        redis.wait(10)
        status, body = probe(f"{hub.url}/readyz")
        assert status == 503 and body["failed"] == ["message_queue"]
        assert "error" in body["checks"]["message_queue"]
        assert probe(f"{hub.url}/healthz") == (200, {"status": "ok"})


def _answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False
