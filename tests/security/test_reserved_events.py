"""Hole 1: a client that sends events named like Socket.IO's own (``disconnect``, ``connect``) must neither make the
hub forget its socket (so that revoking its token would miss it) nor re-run the connect handler."""

from __future__ import annotations

import pytest

from tests.e2e import sockclient
from tests.e2e.world import World

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("reserved")
    world = World(base / "instance", f"sqlite:///{base / 'hub.sqlite3'}")
    yield world
    world.close()


@pytest.fixture(scope="module")
def hub(world):
    # The periodic check is slow here on purpose: the cut must come from the revocation itself.
    return world.hub(HUB_HEAD_INTERVAL="60", HUB_CREDENTIAL_CHECK="60")


@pytest.mark.parametrize("name", ["disconnect", "connect"])
def test_a_reserved_event_name_from_a_client_is_refused_with_an_answer_and_the_socket_stays(world, hub, name):
    platform = world.platform()
    client = sockclient.platform(hub.url, platform.token)
    client.wait_for("head")
    answer = client.call(name, {"token": platform.token})
    assert answer["ok"] is False and answer["error"] == "invalid_input"
    assert name in answer["message"]
    assert client.connected and client.call("sync", {"since": 0})["ok"]
    client.close()


def test_a_socket_that_sent_disconnect_is_still_cut_when_its_token_is_revoked(world, hub):
    platform = world.platform()
    client = sockclient.platform(hub.url, platform.token)
    client.wait_for("head")
    client.call("disconnect", {})
    client.call("disconnect", "reason")
    world.revoke_token(hub, platform)
    assert client.disconnected.wait(5)
    world.publish(hub, {"platforms": [platform.org.code]}, title="After the revocation")
    assert [d for d in client.events("directive") if d["title"] == "After the revocation"] == []


def test_a_console_socket_that_sends_reserved_names_gets_answers_and_no_traceback_is_logged(world, hub):
    console = sockclient.console(hub.url, world.session_cookie(world.officer))
    for name in ("connect", "disconnect"):
        answer = console.call(name, {"token": world.officer_token})
        assert answer["ok"] is False and answer["error"] == "invalid_input"
    assert console.connected
    console.close()
    assert "Traceback" not in hub.log_path.read_text()
