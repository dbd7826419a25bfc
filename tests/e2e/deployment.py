"""The multi-process deployment of ``deploy/``, started from its files for tests and benchmarks.

Every process is a line of ``deploy/Procfile`` run by bash from the hub's folder, with the environment of
``deploy/hub.env.example`` and a few overrides (database, Redis, ports on 127.0.0.1, an instance folder and an nginx
prefix in a temporary folder); nginx's configuration is rendered from the template by ``deploy/render_nginx.py``
exactly as the documentation says. Each process writes to ``<folder>/<name>.log``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.e2e.hubproc import ROOT, free_port, unique_channel

DEPLOY = ROOT / "deploy"
HUBS = ("hub-1", "hub-2", "hub-3")
SCHEDULERS = ("scheduler-1", "scheduler-2")


def procfile() -> dict[str, str]:
    """The Procfile's lines as name -> command."""
    lines = DEPLOY.joinpath("Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def env_example() -> dict[str, str]:
    lines = DEPLOY.joinpath("hub.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


@dataclass
class Deployment:
    """nginx, three hubs and two schedulers on one database and one Redis; ``url`` is nginx's."""

    folder: Path
    database_url: str
    message_queue: str
    extra_env: dict[str, str] = field(default_factory=dict)
    cpu: int | None = None  # pin every process to this core (benchmarks)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.instance = self.folder / "instance"
        self.prefix = self.folder / "nginx"
        self.ports = {name: free_port() for name in HUBS}
        self.port = free_port()
        self.env = {
            **os.environ,
            **env_example(),
            "DATABASE_URL": self.database_url,
            "SOCKETIO_MESSAGE_QUEUE": self.message_queue,
            "HUB_SOCKETIO_CHANNEL": unique_channel(),
            "HUB_INSTANCE": str(self.instance),
            "NGINX_CONF": str(self.folder / "nginx.conf"),
            "NGINX_PREFIX": str(self.prefix),
            "PATH": os.environ.get("PATH", "") + ":/usr/sbin:/sbin",
            "PYTHONUNBUFFERED": "1",
            **{f"HUB_{n + 1}_PORT": str(self.ports[name]) for n, name in enumerate(HUBS)},
            **self.extra_env,
        }

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def render_nginx(self) -> None:
        hubs = [arg for port in self.ports.values() for arg in ("--hub", f"127.0.0.1:{port}")]
        args = [sys.executable, str(DEPLOY / "render_nginx.py"), "--listen", f"127.0.0.1:{self.port}"]
        args += ["--prefix", str(self.prefix), *hubs, "--connections", "8192"]
        conf = subprocess.run(args, capture_output=True, text=True, check=True).stdout
        (self.folder / "nginx.conf").write_text(conf)

    def start(self, names: tuple[str, ...] | None = None, timeout: float = 240) -> None:
        """Start the Procfile's lines (all by default) and wait until nginx and every hub answer ``/healthz``."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.render_nginx()
        lines = procfile()
        names = names or tuple(lines)
        for name in names:
            if name != "nginx":
                self.launch(name, lines[name])
        for port in self.ports.values():
            self._wait_healthy(f"http://127.0.0.1:{port}", timeout)
        if "nginx" in names:  # last, so that it never marks a hub still starting as failed
            self.launch("nginx", lines["nginx"])
            self._wait_healthy(self.url, 30)

    def launch(self, name: str, command: str) -> None:
        pin = ["taskset", "-c", str(self.cpu)] if self.cpu is not None else []
        with open(self.folder / f"{name}.log", "ab") as out:
            self.procs[name] = subprocess.Popen(
                [*pin, "bash", "-c", command], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    def _wait_healthy(self, url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            dead = [n for n, p in self.procs.items() if p.poll() is not None]
            if dead:
                raise RuntimeError(f"{dead} exited:\n" + "\n".join(self.log(n)[-2000:] for n in dead))
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except urllib.error.HTTPError as exc:  # nginx's 502 while no hub answers yet
                exc.close()
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{url} did not answer within {timeout}s")

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def kill(self, name: str) -> None:
        """SIGKILL: no goodbye, no lease given back."""
        proc = self.procs[name]
        proc.kill()
        proc.wait(10)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def established(port: int) -> int:
    """TCP connections established to ``port`` on this machine's IPv4 loopback (from /proc/net/tcp)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        if parts[3] == "01" and int(parts[1].split(":")[1], 16) == port:
            count += 1
    return count
