"""Bad events on /platform get an error answer with a code; the socket survives and nothing changes."""

from __future__ import annotations

import pytest

from hub.models import DeliveryState
from tests.e2e import sockclient

pytestmark = pytest.mark.slow


BAD_EVENTS = [
    ("receipt", "not an object", "invalid_input"),
    ("receipt", {}, "invalid_input"),
    ("receipt", {"directive_id": "1"}, "invalid_input"),
    ("receipt", {"directive_id": True}, "invalid_input"),
    ("receipt", {"seq": -3}, "invalid_input"),
    ("receipt", {"directive_id": 10**30}, "invalid_input"),
    ("receipt", {"directive_id": 1, "seq": 1}, "invalid_input"),
    ("receipt", {"directive_id": 999_999}, "not_found"),
    ("acknowledge", ["a", "list"], "invalid_input"),
    ("acknowledge", {"directive_id": 999_999}, "not_found"),
    ("acknowledge", {"directive_id": 1, "extra": "field"}, "invalid_input"),
    ("status", {"directive_id": "{mine}", "state": "delivered"}, "invalid_input"),
    ("status", {"directive_id": "{mine}", "state": "teleported"}, "invalid_input"),
    ("status", {"directive_id": "{mine}", "state": "implemented"}, "invalid_input"),
    ("status", {"directive_id": "{mine}", "state": "in_progress", "report": "x" * 30_000}, "invalid_input"),
    ("status", {"directive_id": "{mine}", "state": "declined", "report": 42}, "invalid_input"),
    ("status", {"directive_id": "{mine}", "state": "in_progress", "report": "y" * 200_000}, "invalid_input"),
    ("status", {"directive_id": "{done}", "state": "in_progress"}, "invalid_transition"),
    ("question", {"directive_id": "{mine}", "text": ""}, "invalid_input"),
    ("question", {"directive_id": "{theirs}", "text": "Why?"}, "not_found"),
    ("sync", {"since": -1}, "invalid_input"),
    ("sync", None, "invalid_input"),
    ("delete_everything", {"directive_id": "{mine}"}, "invalid_input"),
]


def test_every_kind_of_bad_event_gets_an_error_answer_the_socket_survives_and_nothing_changes(world, hub):
    platform, stranger = world.platform(), world.platform()
    ids = {
        "mine": world.publish(hub, {"platforms": [platform.org.code]})["id"],
        "done": world.publish(hub, {"platforms": [platform.org.code]})["id"],
        "theirs": world.publish(hub, {"platforms": [stranger.org.code]})["id"],
    }
    client = sockclient.platform(hub.url, platform.token)
    client.wait_for("head")
    done = client.call("status", {"directive_id": ids["done"], "state": "implemented", "report": "Removed."})
    assert done["ok"]
    for name in ("receipt", "acknowledge"):
        answer = client.call(name, {"directive_id": ids["theirs"]})
        assert answer["ok"] is False and answer["error"] == "not_found", (name, answer)
    before = world.event_count()
    for name, data, code in BAD_EVENTS:
        if isinstance(data, dict):
            data = {k: ids[v[1:-1]] if isinstance(v, str) and v[1:-1] in ids else v for k, v in data.items()}
        answer = client.call(name, data)
        assert answer["ok"] is False and answer["error"] == code and answer["message"], (name, data, answer)
        assert client.connected
    assert client.call("acknowledge", {"directive_id": ids["mine"]})["ok"]
    assert world.event_count() == before + 2  # only the last, good call: delivered (implied) and acknowledged
    assert world.delivery(stranger, ids["theirs"]).state == DeliveryState.PENDING
    client.close()
