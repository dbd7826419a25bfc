"""Hole 9: what a machine can repeat is rate-limited per platform (or per user), counted in shared storage, and
answered with an error the client understands (``rate_limited`` with ``retry_after``; over HTTP 429 with
``Retry-After``)."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from directive_hub_client import PlatformClient

from hub import clock, create_app, throttle
from hub.core import tokens as core_tokens
from hub.core.access import SYSTEM
from hub.db import write_session
from hub.models import Delivery, OrgKind, Question, Role
from tests import factories as f
from tests.e2e import sockclient
from tests.e2e.hubproc import wait_until
from tests.e2e.world import World, create_pg_database, drop_pg_database, need_redis

API = "/api/v1"


def question_count(engine, platform_id: int | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(Question).join(Delivery, Delivery.id == Question.delivery_id)
    if platform_id is not None:
        query = query.where(Delivery.platform_id == platform_id)
    with engine.connect() as conn:
        return conn.scalar(query)


def flood(client: sockclient.Recorder, event: str, payloads: list[dict], timeout: float = 120.0) -> list[dict]:
    """Emit every payload at once, without waiting between them, and collect every answer."""
    answers: dict[int, dict] = {}
    every = threading.Event()

    def on_answer(n: int):
        def record(answer=None) -> None:
            answers[n] = answer
            if len(answers) == len(payloads):
                every.set()

        return record

    for n, payload in enumerate(payloads):
        client.sio.emit(event, payload, namespace="/platform", callback=on_answer(n))
    assert every.wait(timeout), f"{len(answers)} of {len(payloads)} answers"
    return [answers[n] for n in range(len(payloads))]


def within_limit(accepted: int, limit: int) -> bool:
    """The limit was reached and held. The sliding-window counter weighs the previous minute by how much of it is
    still inside the window, so a flood that runs across the turn of a minute gets exactly one more call through
    at the turn (the previous count, weighted, drops just below the limit)."""
    return limit <= accepted <= limit + 1


def assert_rate_limited(answer: dict) -> None:
    assert answer["ok"] is False and answer["error"] == "rate_limited", answer
    assert answer["message"]
    assert isinstance(answer["retry_after"], int) and 1 <= answer["retry_after"] <= 60, answer


# A real hub process, real Socket.IO clients, the default limits (10 questions a minute per platform).


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("limits")
    world = World(base / "instance", f"sqlite:///{base / 'hub.sqlite3'}")
    yield world
    world.close()


@pytest.fixture(scope="module")
def hub(world):
    return world.hub()


@pytest.mark.slow
def test_five_thousand_socket_questions_write_at_most_the_limit_and_the_rest_are_told_when_to_retry(world, hub):
    platform, neighbour = world.platform(), world.platform()
    directive_id = world.publish(hub, {"platforms": [platform.org.code, neighbour.org.code]})["id"]
    client = sockclient.platform(hub.url, platform.token)
    client.wait_for("head")

    answers = flood(client, "question", [{"directive_id": directive_id, "text": f"Why {n}?"} for n in range(5000)])

    accepted = [a for a in answers if a.get("ok")]
    assert within_limit(len(accepted), 10)
    for answer in answers:
        if not answer.get("ok"):
            assert_rate_limited(answer)
    assert question_count(world.engine, platform.org.id) == len(accepted)
    assert client.connected
    assert client.call("acknowledge", {"directive_id": directive_id})["ok"]
    other = sockclient.platform(hub.url, neighbour.token)
    other.wait_for("head")
    assert other.call("question", {"directive_id": directive_id, "text": "And us?"})["ok"]
    assert question_count(world.engine, neighbour.org.id) == 1
    client.close()
    other.close()


@pytest.mark.slow
def test_a_flood_of_sync_requests_is_limited_and_the_socket_stays_up(world, hub):
    platform = world.platform()
    world.publish(hub, {"platforms": [platform.org.code]})
    client = sockclient.platform(hub.url, platform.token)
    client.wait_for("head")

    answers = flood(client, "sync", [{"since": 0}] * 200)

    assert within_limit(sum(1 for a in answers if a.get("ok")), 30)
    for answer in answers:
        if not answer.get("ok"):
            assert_rate_limited(answer)
    assert client.connected
    client.close()


@pytest.mark.slow
def test_the_same_question_repeated_on_a_delivery_is_written_once(world, hub):
    platform = world.platform()
    directive_id = world.publish(hub, {"platforms": [platform.org.code]})["id"]
    client = sockclient.platform(hub.url, platform.token)
    client.wait_for("head")

    first = client.call("question", {"directive_id": directive_id, "text": "Which items?"})
    again = client.call("question", {"directive_id": directive_id, "text": "  Which items?  "})

    assert first["ok"] and again == first
    assert question_count(world.engine, platform.org.id) == 1
    client.close()


# The JSON API, in process, with small limits.

LIMITS = {
    "limit_questions": "3/minute",
    "limit_updates": "3/minute",
    "limit_sync": "3/minute",
    "limit_reports": "2/hour",
    "limit_tokens": "2/hour",
    "limit_exports": "2/minute",
}


@pytest.fixture
def small(tmp_path, sqlite_url):
    app = create_app(
        {"instance_path": str(tmp_path / "instance"), "database_url": sqlite_url, "scheduler_enabled": False, **LIMITS},
        environ=False,
    )
    engine = app.extensions["hub"].engine
    now = clock.now()
    regulator = f.org(engine, now, OrgKind.REGULATOR)
    officer = f.user(engine, now, regulator, Role.OFFICER)
    admin = f.user(engine, now, regulator, Role.ADMIN)
    platforms = [f.org(engine, now, OrgKind.PLATFORM, "HNI") for _ in range(2)]
    tokens = [f.machine(engine, now, p)[1] for p in platforms]
    directive_ids = [f.published(engine, now, officer, {"all": True}).directive.id for _ in range(6)]
    yield app, engine, platforms, tokens, directive_ids, admin
    engine.dispose()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_429(response) -> None:
    assert response.status_code == 429, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"] == "rate_limited" and body["message"]
    assert isinstance(body["retry_after"], int) and body["retry_after"] >= 1
    assert 1 <= int(response.headers["Retry-After"]) <= 3600


def test_api_questions_beyond_the_limit_answer_429_and_are_not_written(small):
    app, engine, platforms, tokens, ids, _ = small
    client = app.test_client()
    answers = [
        client.post(f"{API}/inbox/{ids[0]}/questions", json={"text": f"Why {n}?"}, headers=bearer(tokens[0]))
        for n in range(20)
    ]
    assert [a.status_code for a in answers[:3]] == [201, 201, 201]
    for answer in answers[3:]:
        assert_429(answer)
    assert question_count(engine, platforms[0].id) == 3
    other = client.post(f"{API}/inbox/{ids[0]}/questions", json={"text": "And us?"}, headers=bearer(tokens[1]))
    assert other.status_code == 201


def test_api_repeated_question_answers_the_existing_one(small):
    app, engine, platforms, tokens, ids, _ = small
    client = app.test_client()
    first = client.post(f"{API}/inbox/{ids[0]}/questions", json={"text": "Which?"}, headers=bearer(tokens[0]))
    again = client.post(f"{API}/inbox/{ids[0]}/questions", json={"text": "Which?"}, headers=bearer(tokens[0]))
    assert first.get_json()["id"] == again.get_json()["id"]
    assert question_count(engine, platforms[0].id) == 1


@pytest.mark.parametrize("fact", ["receipt", "acknowledge", "status"])
def test_api_delivery_facts_are_limited_per_platform(small, fact):
    app, _, _, tokens, ids, _ = small
    client = app.test_client()
    body = {"state": "in_progress"} if fact == "status" else None
    answers = [client.post(f"{API}/inbox/{i}/{fact}", json=body, headers=bearer(tokens[0])) for i in ids[:5]]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert_429(answers[3])
    assert client.post(f"{API}/inbox/{ids[0]}/{fact}", json=body, headers=bearer(tokens[1])).status_code == 200


def test_api_ratio_reports_are_limited_per_platform(small):
    app, _, _, tokens, _, _ = small
    client = app.test_client()
    answers = [
        client.post(
            f"{API}/ratio-reports",
            json={
                "period_start": f"2025-{m:02d}-01",
                "period_end": f"2025-{m:02d}-28",
                "items_published": 100,
                "negative_items": 1,
            },
            headers=bearer(tokens[0]),
        )
        for m in (1, 2, 3)
    ]
    assert [a.status_code for a in answers[:2]] == [201, 201]
    assert_429(answers[2])


def test_api_token_creation_and_csv_export_are_limited_per_user(small):
    app, engine, platforms, _, _, admin = small
    client = app.test_client()
    with write_session(engine) as session:
        _, admin_token = core_tokens.issue_token(session, SYSTEM, clock.now(), label="admin", user_id=admin.user_id)
    issued = [
        client.post(
            f"{API}/tokens", json={"label": f"t{n}", "platform_id": platforms[0].id}, headers=bearer(admin_token)
        )
        for n in range(3)
    ]
    assert [a.status_code for a in issued[:2]] == [201, 201]
    assert_429(issued[2])
    exports = [client.get(f"{API}/events?format=csv", headers=bearer(admin_token)) for _ in range(3)]
    assert [e.status_code for e in exports[:2]] == [200, 200]
    assert_429(exports[2])


def test_the_openapi_document_lists_429_on_limited_operations(small):
    app = small[0]
    paths = app.test_client().get(f"{API}/openapi.json").get_json()["paths"]
    for path, method in [
        ("/api/v1/inbox/{directive_id}/questions", "post"),
        ("/api/v1/inbox/{directive_id}/acknowledge", "post"),
        ("/api/v1/ratio-reports", "post"),
        ("/api/v1/tokens", "post"),
        ("/api/v1/events", "get"),
    ]:
        assert "429" in paths[path][method]["responses"], (path, method)


# The platforms' client waits as long as it is told, then gets through.


@pytest.mark.slow
def test_the_client_waits_retry_after_and_every_acknowledgement_gets_through(world, tmp_path):
    hub = world.hub(HUB_LIMIT_UPDATES="2/3 second")
    platform = world.platform()
    ids = [world.publish(hub, {"platforms": [platform.org.code]})["id"] for _ in range(5)]
    results: list[dict] = []
    client = PlatformClient(hub.url, platform.token, str(tmp_path), on_result=lambda r, a: results.append(a))
    for directive_id in ids:
        client.acknowledge(directive_id)
    client.start()
    try:
        wait_until(lambda: len(results) >= 5, timeout=60, message="five settled acknowledgements")
    finally:
        client.stop()
    assert [a["ok"] for a in results] == [True] * 5, results
    assert client.outbox.pending() == []
    with world.engine.connect() as conn:
        times = conn.scalars(sa.select(Delivery.acknowledged_at).where(Delivery.platform_id == platform.org.id)).all()
    assert None not in times
    assert (max(times) - min(times)).total_seconds() >= 2  # the hub held the client back; it waited, then retried


# Two hub processes on one Redis share the counts.


@pytest.fixture(scope="module")
def redis_world(tmp_path_factory):
    queue = need_redis()
    url = create_pg_database()
    world = World(tmp_path_factory.mktemp("limits-two") / "instance", url, message_queue=queue)
    yield world
    world.close()
    drop_pg_database(url)


@pytest.mark.slow
def test_the_limit_is_shared_by_two_hub_processes_on_the_same_redis(redis_world):
    first, second = redis_world.start_hubs(2)
    platform = redis_world.platform()
    directive_id = redis_world.publish(first, {"platforms": [platform.org.code]})["id"]
    answers = []
    for hub in (first, second):
        client = sockclient.platform(hub.url, platform.token)
        client.wait_for("head")
        answers += [
            client.call("question", {"directive_id": directive_id, "text": f"{hub.port} {n}"}) for n in range(8)
        ]
        client.close()
    accepted = sum(1 for a in answers if a["ok"])
    assert within_limit(accepted, 10)
    for answer in answers:
        if not answer["ok"]:
            assert_rate_limited(answer)
    assert question_count(redis_world.engine, platform.org.id) == accepted


def test_a_limit_store_that_is_down_lets_writes_through_instead_of_failing_them(tmp_path, sqlite_url):
    app = create_app(
        {
            "instance_path": str(tmp_path / "instance"),
            "database_url": sqlite_url,
            "scheduler_enabled": False,
            "ratelimit_storage_uri": "redis://127.0.0.1:1/0",  # nothing listens there
            **LIMITS,
        },
        environ=False,
    )
    engine = app.extensions["hub"].engine
    now = clock.now()
    officer = f.user(engine, now, f.org(engine, now, OrgKind.REGULATOR), Role.OFFICER)
    platform = f.org(engine, now, OrgKind.PLATFORM, "HNI")
    token = f.machine(engine, now, platform)[1]
    directive_id = f.published(engine, now, officer, {"all": True}).directive.id
    client = app.test_client()
    asked = client.post(f"{API}/inbox/{directive_id}/questions", json={"text": "Which?"}, headers=bearer(token))
    assert asked.status_code == 201, asked.get_data(as_text=True)
    with app.app_context(), write_session(engine) as session:
        principal = core_tokens.resolve_token(session, token, now)
    with app.app_context():
        assert throttle.spend("questions", principal) is None
    assert question_count(engine, platform.id) == 1
    engine.dispose()


# A storm of acknowledgements is counted in a ledger settled in batches, within the same budget as the API's.


def test_ledger_holds_a_large_budget_within_a_tenth_and_the_api_sees_what_it_spent(tmp_path, sqlite_url):
    app = create_app(
        {
            "instance_path": str(tmp_path / "instance"),
            "database_url": sqlite_url,
            "scheduler_enabled": False,
            "limit_updates": "100/minute",
        },
        environ=False,
    )
    engine = app.extensions["hub"].engine
    now = clock.now()
    officer = f.user(engine, now, f.org(engine, now, OrgKind.REGULATOR), Role.OFFICER)
    platform = f.org(engine, now, OrgKind.PLATFORM, "HNI")
    token = f.machine(engine, now, platform)[1]
    directive_id = f.published(engine, now, officer, {"all": True}).directive.id
    with app.app_context(), write_session(engine) as session:
        principal = core_tokens.resolve_token(session, token, now)
    ledger = throttle.Ledger("updates", "100/minute")
    with app.app_context():
        waits = [ledger.spend(principal) for _ in range(150)]
        ledger.settle()
    allowed = waits.count(None)
    assert 100 <= allowed <= 110, allowed  # a tenth of the limit at most beyond it, between two settlements
    assert all(isinstance(w, int) and w >= 1 for w in waits[allowed:])
    answer = app.test_client().post(f"{API}/inbox/{directive_id}/acknowledge", headers=bearer(token))
    assert_429(answer)  # the API draws on the budget the socket spent
    engine.dispose()
