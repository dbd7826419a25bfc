"""Start and stop real hub processes (``python app.py``) for end-to-end tests.

Each hub gets the instance folder, database and (optionally) Redis channel it is given, a free port on 127.0.0.1,
no demo data and no scheduler unless asked. Its output goes to ``hub-<port>.log`` in the instance folder, and a hub
that fails to come up raises with the tail of that log.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unique_channel() -> str:
    """A Socket.IO channel name of its own, so that test runs sharing one Redis never hear each other."""
    return f"hub-test-{uuid.uuid4().hex[:12]}"


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.02, message: str = "condition"):
    """Poll ``predicate`` until it returns something truthy (returned) or ``timeout`` passes (AssertionError)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


@dataclass
class HubProcess:
    """One running ``python app.py``."""

    instance: Path
    database_url: str
    message_queue: str = ""
    channel: str = ""
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.instance / f"hub-{self.port}.log"

    def start(self, timeout: float = START_TIMEOUT) -> HubProcess:
        """Start (or restart, on the same port) and wait until ``/healthz`` answers."""
        self.launch()
        self.wait_ready(timeout)
        return self

    def launch(self) -> HubProcess:
        """Start the process without waiting for it (start several, then :meth:`wait_ready` each)."""
        self.port = self.port or free_port()
        env = {
            **os.environ,
            "HUB_INSTANCE": str(self.instance),
            "HUB_HOST": "127.0.0.1",
            "HUB_PORT": str(self.port),
            "HUB_SEED_DEMO": "0",
            "HUB_SCHEDULER": "0",
            "DATABASE_URL": self.database_url,
            "SOCKETIO_MESSAGE_QUEUE": self.message_queue,
            "HUB_SOCKETIO_CHANNEL": self.channel or unique_channel(),
            "PYTHONUNBUFFERED": "1",
            **self.env,
        }
        self.instance.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        return self

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Wait until ``/healthz`` answers; raise with the log's tail if the hub exits or does not answer."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"the hub did not answer within {timeout}s:\n{self.log_tail()}")

    def stop(self, timeout: float = 10.0) -> None:
        """Stop gracefully (SIGTERM), or kill if it does not exit in time."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to flush or say goodbye."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def __enter__(self) -> HubProcess:
        return self.start() if self.proc is None else self

    def __exit__(self, *_) -> None:
        self.stop()
