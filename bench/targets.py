"""The servers bench_fanout.py measures: the hub (``python app.py``) and the bare Flask-SocketIO broadcast.

Each target prepares its data, starts as a child process pinned to the server CPU, gives the clients' ``auth``
dicts, publishes one directive per call (returning its id) and, for the hub, counts the receipts durably recorded.
To publish another way (e.g. core + push instead of the JSON API), change ``HubTarget.publish`` only.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

TITLE = "Chỉ đạo về thông tin sai lệch liên quan đến thiên tai"
BODY = (
    "Đề nghị các trang thông tin điện tử tổng hợp và mạng xã hội rà soát, gỡ bỏ các bài viết đưa tin sai lệch về "
    "tình hình mưa lũ tại các tỉnh miền Trung; ưu tiên đăng tải thông tin chính thống của cơ quan chức năng; "
    "báo cáo kết quả thực hiện trước thời hạn. "
) * 5  # about 2 KB on the wire, with the rest of the payload


def _http(method: str, url: str, body: dict | None = None, token: str | None = None, timeout: float = 120) -> bytes:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def _pinned(command: list[str], cpu: int | None) -> list[str]:
    if cpu is not None and shutil.which("taskset"):
        return ["taskset", "-c", str(cpu), *command]
    return command


class Target:
    name = "?"
    durable = False

    def __init__(self, root: Path, port: int, cpu: int | None, log_path: Path) -> None:
        self.root, self.port, self.cpu, self.log_path = root, port, cpu, log_path
        self.process: subprocess.Popen | None = None
        self.log = None
        self.auths: list[dict] = []

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare(self, n: int) -> None:
        raise NotImplementedError

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return dict(os.environ)

    def start(self, timeout: float = 60) -> None:
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            _pinned(self.command(), self.cpu), cwd=self.root, env=self.env(), stdout=self.log, stderr=self.log
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}")
            try:
                _http("GET", self.url + "/healthz", timeout=2)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer within {timeout} s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not None:
            self.log.close()

    def publish(self) -> int:
        raise NotImplementedError

    def recorded(self, directive_id: int) -> int:
        return 0


class BareTarget(Target):
    """bench/bare_server.py: a broadcast to one room, nothing recorded."""

    name = "bare"
    _ids = itertools.count(1_000_000)

    def prepare(self, n: int) -> None:
        self.auths = [{}] * n
        self.payload = {
            "id": 0,
            "directive_seq": 1,
            "ref_no": "1/CĐ-PTTH",
            "kind": "directive",
            "title": TITLE,
            "body": BODY,
            "priority": "urgent",
            "issuer": "PTTH",
            "issuer_name": "Cục Phát thanh, truyền hình và thông tin điện tử",
            "status": "published",
            "published_at": "2026-11-28T10:00:00+00:00",
            "ack_due_at": "2026-11-29T10:00:00+00:00",
            "implement_due_at": "2026-12-05T10:00:00+00:00",
            "expires_at": None,
            "supersedes_id": None,
            "legal_basis": "Công văn 664/PTTH&TTĐT",
            "exercise": False,
            "content_hash": "0" * 64,
            "signature": "A" * 88,
        }

    def command(self) -> list[str]:
        return [sys.executable, "bench/bare_server.py", "--port", str(self.port)]

    def publish(self) -> int:
        directive_id = next(self._ids)
        _http("POST", self.url + "/broadcast", {**self.payload, "id": directive_id})
        return directive_id


class HubTarget(Target):
    """``python app.py`` on a fresh SQLite instance (or the empty database ``database_url`` names) holding n
    platforms, each with a machine token."""

    name = "hub"
    durable = True

    def __init__(self, root: Path, instance: Path, port: int, cpu: int | None, database_url: str = "") -> None:
        super().__init__(root, port, cpu, instance.parent / f"{instance.name}.log")
        self.instance = instance
        self.db_path = instance / "hub.sqlite3"
        self.database_url = database_url or f"sqlite:///{self.db_path}"
        self._db: sqlite3.Connection | None = None

    def prepare(self, n: int) -> None:
        """Register an officer and n platforms with tokens, through the core, before the hub starts."""
        from hub.core import organisations, tokens, users
        from hub.core.access import SYSTEM
        from hub.db import make_engine, migrate, write_session
        from hub.models import OrgKind, PlatformKind, Role
        from hub.provinces import PROVINCES

        self.instance.mkdir(parents=True, exist_ok=True)
        engine = make_engine(self.database_url)
        migrate(engine)
        now = _now()
        provinces = sorted(PROVINCES)
        secrets: list[str] = []
        with write_session(engine) as s:
            regulator = organisations.create_organisation(
                s, SYSTEM, now, kind=OrgKind.REGULATOR, code="PTTH", name="Cục PTTH&TTĐT", ref_suffix="CĐ-PTTH"
            )
            officer = users.create_user(
                s,
                SYSTEM,
                now,
                org_id=regulator.id,
                role=Role.OFFICER,
                login="bench-officer",
                display_name="Bench officer",
                password="bench-password-1",
            )
            _, self.officer_token = tokens.issue_token(s, SYSTEM, now, label="bench", user_id=officer.id)
            for i in range(n):
                org = organisations.create_organisation(
                    s,
                    SYSTEM,
                    now,
                    kind=OrgKind.PLATFORM,
                    code=f"P{i:05d}",
                    name=f"Nền tảng {i}",
                    province=provinces[i % len(provinces)],
                    platform_kind=PlatformKind.NEWS_SITE,
                )
                secrets.append(tokens.issue_token(s, SYSTEM, now, label="bench", platform_id=org.id)[1])
        engine.dispose()
        self.auths = [{"token": secret, "since": 0} for secret in secrets]

    def command(self) -> list[str]:
        return [sys.executable, "app.py"]

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            HUB_INSTANCE=str(self.instance),
            DATABASE_URL=self.database_url,
            HUB_SEED_DEMO="0",
            HUB_SCHEDULER="0",
            HUB_HOST="127.0.0.1",
            HUB_PORT=str(self.port),
        )
        env.pop("SOCKETIO_MESSAGE_QUEUE", None)
        return env

    def publish(self) -> int:
        """Publish a directive to every platform through the JSON API; returns its id."""
        answer = json.loads(
            _http(
                "POST",
                self.url + "/api/v1/directives",
                {"title": TITLE, "body": BODY, "priority": "urgent", "audience": {"all": True}, "publish": True},
                token=self.officer_token,
            )
        )
        return int(answer["id"])

    def recorded(self, directive_id: int) -> int:
        """How many of the directive's deliveries are durably marked delivered (or beyond)."""
        if self._db is None:
            self._db = sqlite3.connect(self.db_path, check_same_thread=False, timeout=30)
        row = self._db.execute(
            "SELECT count(*) FROM delivery WHERE directive_id = ? AND state != 'pending'", (directive_id,)
        ).fetchone()
        return row[0]

    def stop(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        super().stop()


def _now():
    from hub import clock

    return clock.now()
