"""The log of a real hub process (``HUB_LOG_FORMAT=json``): one line per request, found by the request's id, and one
per socket connect and disconnect, naming who and which organisation; never a token or a password."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests
from sqlmodel import select

from hub import clock
from hub.db import read_session
from hub.models import Organisation, Role, User
from tests import factories as f
from tests.e2e import sockclient
from tests.e2e.hubproc import HubProcess, wait_until
from tests.e2e.world import World

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("logs")
    world = World(base / "instance", f"sqlite:///{base / 'hub.sqlite3'}")
    yield world
    world.close()


@pytest.fixture(scope="module")
def hub(world):
    proc = HubProcess(world.instance, world.database_url, channel=world.channel, env={"HUB_LOG_FORMAT": "json"})
    world.hubs.append(proc)
    return proc.start(timeout=120)  # generous: a loaded machine takes long to import the hub


def log_lines(hub: HubProcess) -> list[dict]:
    """The JSON lines of the hub's output (the start line and demo logins are plain text and skipped)."""
    out = []
    for line in Path(hub.log_path).read_text().splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def lines_of(hub: HubProcess, request_id: str, count: int = 1) -> list[dict]:
    return wait_until(
        lambda: len(found := [x for x in log_lines(hub) if x["request_id"] == request_id]) >= count and found,
        message=f"{count} log line(s) of {request_id}",
    )


def org_code(world: World, org_id: int) -> str:
    with read_session(world.engine) as session:
        return session.get(Organisation, org_id).code


def test_a_request_is_one_line_found_by_the_id_it_was_sent_with(world, hub):
    answer = requests.get(
        f"{hub.url}/api/v1/directives?status=published",
        headers={"Authorization": f"Bearer {world.officer_token}", "X-Request-ID": "probe-2026.12:a1"},
        timeout=30,
    )
    assert answer.status_code == 200
    assert answer.headers["X-Request-ID"] == "probe-2026.12:a1"
    (line,) = lines_of(hub, "probe-2026.12:a1")
    assert (line["message"], line["method"], line["path"], line["status"]) == (
        "request",
        "GET",
        "/api/v1/directives",
        200,
    )
    assert line["who"] == f"user:{world.officer.user_id}" and line["role"] == "officer"
    assert line["org"] == org_code(world, world.officer.org_id)
    assert line["ms"] >= 0 and line["level"] == "INFO"
    assert "status=published" not in hub.log_path.read_text()  # no query strings
    assert world.officer_token not in hub.log_path.read_text()


def test_an_error_answer_carries_the_id_of_its_log_line(world, hub):
    answer = requests.get(
        f"{hub.url}/api/v1/directives/987654", headers={"Authorization": f"Bearer {world.officer_token}"}, timeout=30
    )
    assert answer.status_code == 404
    request_id = answer.json()["request_id"]
    assert request_id == answer.headers["X-Request-ID"] and re.fullmatch(r"[0-9a-f]{32}", request_id)
    (line,) = lines_of(hub, request_id)
    assert line["status"] == 404 and line["path"] == "/api/v1/directives/987654"


def test_an_id_that_could_forge_log_lines_is_replaced(hub):
    answer = requests.get(f"{hub.url}/healthz", headers={"X-Request-ID": 'x" level=ERROR {}'}, timeout=30)
    given = answer.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", given)
    assert lines_of(hub, given)[0]["path"] == "/healthz"


def test_signing_in_with_a_password_leaves_no_password_in_the_log(world, hub):
    editor = f.user(world.engine, clock.now(), world.platform().org, Role.EDITOR)
    with read_session(world.engine) as session:
        login = session.exec(select(User.login).where(User.id == editor.user_id)).one()
    browser = requests.Session()
    form = browser.get(f"{hub.url}/login", timeout=30).text
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    wrong = browser.post(
        f"{hub.url}/login", data={"csrf_token": csrf, "login": login, "password": "Wrong-but-Secret-77"}, timeout=30
    )
    right = browser.post(
        f"{hub.url}/login", data={"csrf_token": csrf, "login": login, "password": f.PASSWORD}, timeout=30
    )
    assert wrong.history == [] and right.history, "the right password signs in (a redirect), the wrong one does not"
    (failed,) = lines_of(hub, wrong.headers["X-Request-ID"])
    assert (failed["method"], failed["path"], failed["status"]) == ("POST", "/login", 401)
    signed_in = lines_of(hub, right.history[0].headers["X-Request-ID"])[0]
    assert signed_in["status"] == 302
    text = hub.log_path.read_text()
    assert "Wrong-but-Secret-77" not in text and f.PASSWORD not in text
    assert browser.cookies.get("session", "none") not in text


def test_a_socket_connect_and_disconnect_are_one_line_each_naming_the_platform(world, hub):
    platform = world.platform()
    client = sockclient.platform(hub.url, platform.token)
    client.wait_for("head")
    sid = client.sio.get_sid("/platform")
    client.close()
    connect, disconnect = lines_of(hub, sid, count=2)
    assert (connect["message"], connect["result"], connect["namespace"]) == ("connect", "accepted", "/platform")
    assert connect["org"] == platform.org.code and connect["who"] == f"token:{platform.principal.token_id}"
    assert (disconnect["message"], disconnect["org"]) == ("disconnect", platform.org.code)
    assert disconnect["seconds"] >= 0
    assert platform.token not in hub.log_path.read_text()


def test_a_refused_socket_is_one_line_with_the_reason_and_without_the_token(hub):
    refused = sockclient.Recorder("/platform", ())
    assert not refused.try_connect(hub.url, auth={"token": "dh_forged-secret-value"})
    line = wait_until(
        lambda: [x for x in log_lines(hub) if x.get("result") == "refused"], message="a refused connect line"
    )[0]
    assert line["reason"] == "unauthenticated" and line["who"] == "anonymous"
    assert "forged-secret-value" not in hub.log_path.read_text()
