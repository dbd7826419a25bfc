"""Text no database can store (NUL, lone surrogates) and ids beyond the 32-bit columns, in every socket event and
field: each is answered ``invalid_input`` with a message, the socket stays up, nothing is written and nothing is
logged as an exception (PostgreSQL refuses NUL in text and integers beyond 2**31 - 1)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hub.db import read_session
from hub.models import Delivery, Event, Question
from tests.e2e import sockclient
from tests.security.conftest import tracebacks

pytestmark = pytest.mark.slow

BIG = 2**31
NUL, LONE = "a\x00b", "x\ud800y"
BAD_EVENTS = [
    ("receipt", {"directive_id": BIG}),
    ("receipt", {"seq": BIG}),
    ("acknowledge", {"directive_id": BIG}),
    ("status", {"directive_id": BIG, "state": "in_progress"}),
    ("status", {"directive_id": "{mine}", "state": "in_progress", "report": NUL}),
    ("status", {"directive_id": "{mine}", "state": "in_progress", "report": LONE}),
    ("status", {"directive_id": "{mine}", "state": "declined", "report": NUL}),
    ("status", {"directive_id": "{mine}", "state": "implemented", "report": LONE}),
    ("status", {"directive_id": "{mine}", "state": "in_progress\x00"}),
    ("status", {"directive_id": "{mine}", "state": "\ud800"}),
    ("question", {"directive_id": BIG, "text": "Why?"}),
    ("question", {"directive_id": "{mine}", "text": NUL}),
    ("question", {"directive_id": "{mine}", "text": LONE}),
    ("sync", {"since": BIG}),
    ("receipt", {"directive_id": "{mine}", "\ud800": 1}),
]


def written(world) -> tuple[int, int, list]:
    with read_session(world.engine) as session:
        events = session.scalar(sa.select(sa.func.count()).select_from(Event))
        questions = session.scalar(sa.select(sa.func.count()).select_from(Question))
        states = session.execute(sa.select(Delivery.state, Delivery.report).order_by(Delivery.id)).all()
    return events, questions, states


@pytest.mark.parametrize(("event", "data"), BAD_EVENTS, ids=[f"{e}-{i}" for i, (e, _) in enumerate(BAD_EVENTS)])
def test_unstorable_text_and_ids_beyond_the_column_are_invalid_input(world, hub, event, data):
    platform = world.platform()
    mine = world.publish(hub, {"platforms": [platform.org.code]})["id"]
    client = sockclient.platform(hub.url, platform.token)
    client.wait_for("head")
    before, logged = written(world), tracebacks(hub)
    data = {k: mine if v == "{mine}" else v for k, v in data.items()}
    answer = client.call(event, data)
    assert answer["ok"] is False and answer["error"] == "invalid_input" and answer["message"], answer
    assert client.connected
    assert client.call("acknowledge", {"directive_id": mine})["ok"]  # the socket still works
    after = written(world)
    assert after[1] == before[1] and after[0] == before[0] + 2  # only the acknowledgement (and implied delivered)
    assert tracebacks(hub) == logged
    client.close()


@pytest.mark.parametrize(
    "auth",
    [{"since": BIG}, {"since": 2**63}, {"token": "dh_\x00abc"}, {"token": "dh_\ud800abc"}],
    ids=["since-2**31", "since-2**63", "token-nul", "token-surrogate"],
)
def test_unstorable_auth_fields_are_refused_at_connect_with_a_reason(world, hub, auth):
    platform = world.platform()
    logged = tracebacks(hub)
    client = sockclient.Recorder("/platform", ())
    assert not client.try_connect(hub.url, auth={"token": platform.token, **auth})
    assert client.refused["message"].startswith(("invalid_input: ", "unauthenticated: ")), client.refused
    assert tracebacks(hub) == logged
