"""Hole 4: a /console socket opened with a personal token is cut when that token is revoked, in every way a token
can be revoked (the API, which pushes the cut; the command line, which the periodic check finds)."""

from __future__ import annotations

import pytest

from hub import clock
from hub.core import tokens
from hub.core.access import SYSTEM
from hub.db import write_session
from hub.models import Role
from tests import factories as f
from tests.e2e import sockclient
from tests.e2e.hubproc import wait_until
from tests.e2e.world import World, api

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("console-revocation")
    world = World(base / "instance", f"sqlite:///{base / 'hub.sqlite3'}")
    yield world
    world.close()


@pytest.fixture(scope="module")
def hub(world):
    return world.hub(HUB_HEAD_INTERVAL="60", HUB_CREDENTIAL_CHECK="1")


def personal_token(world: World, principal) -> tuple[int, str]:
    with write_session(world.engine) as session:
        token, secret = tokens.issue_token(session, SYSTEM, clock.now(), label="console", user_id=principal.user_id)
        return token.id, secret


def console_with_token(hub, secret: str) -> sockclient.Recorder:
    return sockclient.Recorder("/console", sockclient.CONSOLE_EVENTS).connect(hub.url, auth={"token": secret})


def test_revoking_a_personal_token_through_the_api_cuts_its_console_socket_at_once(world, hub):
    officer = f.user(world.engine, clock.now(), world.regulator, Role.OFFICER)
    token_id, secret = personal_token(world, officer)
    console = console_with_token(hub, secret)
    witness = console_with_token(hub, personal_token(world, officer)[1])
    api(hub, "POST", f"/api/v1/tokens/{token_id}/revoke", world.admin_token, {})
    assert console.disconnected.wait(3)
    world.publish(hub, {"platforms": [world.platform().org.code]}, title="After the console's token was revoked")
    wait_until(lambda: witness.events("published"), message="the publication on the other console")
    assert console.events("published") == []
    assert witness.connected
    witness.close()


def test_a_personal_token_revoked_from_the_command_line_loses_its_console_socket_within_seconds(world, hub):
    token_id, secret = personal_token(world, world.hanoi_manager)
    console = console_with_token(hub, secret)
    with write_session(world.engine) as session:
        tokens.revoke_token(session, SYSTEM, clock.now(), token_id)
    assert console.disconnected.wait(5)
