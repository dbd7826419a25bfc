"""One real hub process (gevent, ``python app.py`` with demo data) and one headless Chromium for all browser tests.

Without Debian's Chromium at /usr/bin/chromium the tests skip (and fail under CI=true).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import need_service

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@dataclass
class RunningHub:
    url: str
    instance: Path
    process: subprocess.Popen

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.instance / 'hub.sqlite3'}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the hub exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/login", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)  # polling for the port to open, with a deadline
    raise RuntimeError("the hub did not start in time")


@pytest.fixture(scope="session")
def hub_server(tmp_path_factory) -> Iterator[RunningHub]:
    if not Path(CHROMIUM).exists():
        need_service("Chromium", f"{CHROMIUM} is missing (apt-get install chromium)")
    instance = tmp_path_factory.mktemp("browser-hub")
    port = free_port()
    env = {
        **os.environ,
        "HUB_INSTANCE": str(instance),
        "HUB_HOST": "127.0.0.1",
        "HUB_PORT": str(port),
        "HUB_SEED_DEMO": "1",
        "HUB_SCHEDULER": "0",
        "HUB_SOCKETIO_CHANNEL": f"browser-{port}",
        "DATABASE_URL": "",
        "SOCKETIO_MESSAGE_QUEUE": "",
        "PYTHONUNBUFFERED": "1",
    }
    log = (instance / "hub.log").open("w")
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    hub = RunningHub(f"http://127.0.0.1:{port}", instance, process)
    try:
        wait_until_up(hub.url, process)
        yield hub
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def browser(hub_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
