"""Every speed trick of ``hub/sockets/fast`` can be switched off for a comparison (``HUB_FAST_OFF``), and a hub
without them behaves the same: it only gets slower."""

from __future__ import annotations

import pytest

from hub.sockets import fast
from tests.e2e import sockclient
from tests.e2e.hubproc import wait_until
from tests.e2e.world import World

pytestmark = pytest.mark.slow

EVERY_TRICK = ",".join(sorted(fast.TRICKS | fast.ENTRY_POINT_TRICKS))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A world of its own: the hub without its tricks is the only one on this database."""
    base = tmp_path_factory.mktemp("fast-off")
    world = World(base / "instance", f"sqlite:///{base / 'hub.sqlite3'}")
    yield world
    world.close()


def test_a_hub_with_every_trick_off_delivers_records_answers_and_shows_progress(world):
    hub = world.hub(HUB_FAST_OFF=EVERY_TRICK)
    platforms = [world.platform("HNI"), world.platform("HCM")]
    central = sockclient.console(hub.url, world.session_cookie(world.officer))
    clients = [sockclient.platform(hub.url, p.token, since=p.org.delivery_seq) for p in platforms]
    for client in clients:
        client.wait_for("head")
    directive = world.publish(hub, {"platforms": [p.org.code for p in platforms]})["id"]
    for client in clients:
        (received,) = client.wait_for("directive")
        answer = client.call("receipt", {"directive_id": received["id"]})
        assert answer == {"ok": True, "directive_id": directive, "seq": answer["seq"]}
        acked = client.call("acknowledge", {"directive_id": directive})
        assert acked == {"ok": True, "state": "acknowledged", "changed": True}
        assert client.call("receipt", {"seq": 10**30})["error"] == "invalid_input"

    def acknowledged() -> bool:
        found = [p["counts"] for p in central.events("progress") if p["directive_id"] == directive]
        return bool(found) and found[-1]["acknowledged"] == 2

    assert wait_until(acknowledged)
    for client in (*clients, central):
        client.close()


def test_an_unknown_trick_is_refused_at_start_with_the_names_it_knows(tmp_path, sqlite_url):
    from hub import create_app

    settings = {"instance_path": str(tmp_path / "i"), "database_url": sqlite_url, "fast_off": "gc, warp_drive"}
    with pytest.raises(ValueError, match=r"unknown trick warp_drive; known: .*switch_interval"):
        create_app(settings, environ=False)
