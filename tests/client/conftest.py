"""A real hub for the client's tests, and the client installed as an operator installs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from hub import clock
from hub.core import tokens
from hub.core.access import SYSTEM
from hub.db import make_engine, migrate, read_session, write_session
from hub.models import Delivery, OrgKind, Role
from tests import factories as f
from tests.e2e.hubproc import ROOT, HubProcess


class Hub:
    """A hub process on its own SQLite database, an officer who publishes through the API, and platforms."""

    def __init__(self, base) -> None:
        self.db_url = f"sqlite:///{base / 'hub.sqlite3'}"
        self.engine = make_engine(self.db_url)
        migrate(self.engine)
        now = clock.now()
        regulator = f.org(self.engine, now, OrgKind.REGULATOR)
        officer = f.user(self.engine, now, regulator, Role.OFFICER)
        with write_session(self.engine) as s:
            _, self.officer_token = tokens.issue_token(s, SYSTEM, now, label="test", user_id=officer.user_id)
        self.process = HubProcess(base / "instance", self.db_url).start()

    @property
    def url(self) -> str:
        return self.process.url

    def platform(self):
        org = f.org(self.engine, clock.now(), OrgKind.PLATFORM, "HNI")
        _, token = f.machine(self.engine, clock.now(), org)
        return org, token

    def publish(self, org, title: str = "Test directive", via: HubProcess | None = None) -> int:
        answer = requests.post(
            f"{(via or self.process).url}/api/v1/directives",
            json={"title": title, "body": "Gỡ bỏ tin sai.", "audience": {"platforms": [org.code]}, "publish": True},
            headers={"Authorization": f"Bearer {self.officer_token}"},
            timeout=30,
        )
        answer.raise_for_status()
        return answer.json()["id"]

    def delivery(self, org, directive_id: int) -> Delivery:
        with read_session(self.engine) as s:
            return s.exec(
                sa.select(Delivery).where(Delivery.platform_id == org.id, Delivery.directive_id == directive_id)
            ).scalar_one()


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    hub = Hub(tmp_path_factory.mktemp("client-hub"))
    yield hub
    hub.process.stop()
    hub.engine.dispose()


@pytest.fixture(scope="session")
def client_venv(tmp_path_factory) -> Path:
    """A fresh virtualenv with the client installed the way the operators' guide says: ``python -m venv``, then
    ``pip install ./client`` (from a copy of the folder, so that the build leaves nothing in the checkout).
    Made once per test session."""
    base = tmp_path_factory.mktemp("operator")
    shutil.copytree(ROOT / "client", base / "client", ignore=shutil.ignore_patterns("build", "*.egg-info"))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    done = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "./client"],
        cwd=base,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"pip install ./client failed:\n{done.stdout}\n{done.stderr}"
    return venv
