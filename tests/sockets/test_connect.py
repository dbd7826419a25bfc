"""Connecting (docs/protocol.md): a credential is checked at connect, with a reason when refused, and a socket whose
credential ends is cut off."""

from __future__ import annotations

import pytest

from hub import clock
from hub.core import tokens
from hub.core.access import SYSTEM
from hub.db import write_session
from tests import factories as f
from tests.e2e import sockclient

pytestmark = pytest.mark.slow


def refusal(hub, **kwargs) -> str:
    client = sockclient.Recorder("/platform", ())
    assert not client.try_connect(hub.url, **kwargs)
    return client.refused["message"]


def test_a_missing_wrong_or_foreign_credential_is_refused_at_connect_with_a_reason(world, hub):
    assert refusal(hub).startswith("unauthenticated: ")
    assert refusal(hub, auth={"token": "dh_not-a-token"}) == "unauthenticated: unknown or revoked token"
    assert refusal(hub, auth={"token": world.officer_token}).startswith("unauthenticated: ")
    assert refusal(hub, cookie=world.session_cookie(world.officer)).startswith("unauthenticated: ")
    platform = world.platform()
    assert refusal(hub, auth={"token": platform.token, "since": "yesterday"}).startswith("invalid_input: ")


def test_an_editor_signed_in_in_a_browser_connects_to_its_own_platform(world, hub):
    platform = world.platform()
    mine = world.publish(hub, {"platforms": [platform.org.code]})["id"]
    world.publish(hub, {"platforms": [world.platform().org.code]})
    editor = world.editor(platform)
    client = sockclient.Recorder("/platform", sockclient.PLATFORM_EVENTS).connect(
        hub.url, cookie=world.session_cookie(editor)
    )
    client.wait_for("head")
    assert [d["id"] for d in client.events("directive")] == [mine]
    assert client.call("acknowledge", {"directive_id": mine}) == {"ok": True, "state": "acknowledged", "changed": True}
    assert world.delivery(platform, mine).acknowledged_by == editor.label
    client.close()


def test_revoking_a_token_cuts_its_live_socket_and_it_is_refused_afterwards(world, hub):
    platform = world.platform()
    _, other_token = f.machine(world.engine, clock.now(), platform.org)
    doomed = sockclient.platform(hub.url, platform.token)
    spared = sockclient.platform(hub.url, other_token)
    doomed.wait_for("head")
    world.revoke_token(hub, platform)
    assert doomed.disconnected.wait(10)
    assert refusal(hub, auth={"token": platform.token}) == "unauthenticated: unknown or revoked token"
    assert spared.connected and spared.call("sync", {"since": 0})["ok"]
    spared.close()


def test_a_token_revoked_without_a_push_from_the_command_line_is_cut_off_at_the_next_head(world, hub):
    platform = world.platform()
    client = sockclient.platform(hub.url, platform.token)
    client.wait_for("head")
    with write_session(world.engine) as session:
        tokens.revoke_token(session, SYSTEM, clock.now(), platform.principal.token_id)
    assert client.disconnected.wait(10)  # HUB_HEAD_INTERVAL=1


def test_the_console_refuses_platform_users_and_strangers(world, hub):
    editor = world.editor(world.platform())
    for cookie in (world.session_cookie(editor), None):
        console = sockclient.Recorder("/console", sockclient.CONSOLE_EVENTS)
        assert not console.try_connect(hub.url, cookie=cookie)
        assert console.refused["message"].startswith("unauthenticated: ")
