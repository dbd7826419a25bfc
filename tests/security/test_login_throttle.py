"""Failed sign-ins slow down the account (after 5) and the address (after 100), in storage every hub process shares,
with a delay that doubles; the right password works again once the delay is over, and nobody else is locked out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis
import sqlalchemy as sa
import time_machine

from hub.db import read_session
from hub.models import Event
from tests.conftest import REDIS_URL, need_service
from tests.security.conftest import Browser

NOON = datetime(2026, 6, 10, 5, 0, tzinfo=UTC)


@pytest.fixture
def traveller():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def fail(browser: Browser, login: str, times: int) -> None:
    for _ in range(times):
        response = browser.login(login, "not-the-password")
        assert response.status_code == 401, response.text
        assert "Wrong login or password." in response.text


def test_five_wrong_passwords_delay_the_account_then_the_right_one_works(app, people, traveller):
    browser = Browser(app)
    fail(browser, people["officer"], 5)
    refused = browser.login(people["officer"])
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert "Too many failed sign-ins for this account or from this address. Try again in 1 s" in refused.text
    traveller.shift(timedelta(seconds=1))
    assert browser.login(people["officer"]).status_code == 302


def test_the_delay_doubles_with_each_further_failure(app, people, traveller):
    browser = Browser(app)
    fail(browser, people["officer"], 5)
    for wait in (1, 2, 4, 8):
        refused = browser.login(people["officer"], "not-the-password")
        assert (refused.status_code, refused.headers["Retry-After"]) == (429, str(wait))
        traveller.shift(timedelta(seconds=wait))
        fail(browser, people["officer"], 1)
    assert browser.login(people["officer"]).headers["Retry-After"] == "16"


def test_the_delay_stops_growing_at_fifteen_minutes():
    from hub.core.throttle import ACCOUNT, ADDRESS

    assert [ACCOUNT.delay(n).total_seconds() for n in (4, 5, 6, 14, 15, 40)] == [0, 1, 2, 512, 900, 900]
    assert ADDRESS.delay(99) == timedelta(0) and ADDRESS.delay(100) == timedelta(seconds=1)


def test_an_account_is_delayed_from_every_address(app, people, traveller):
    fail(Browser(app, "192.0.2.10"), people["officer"], 5)
    assert Browser(app, "198.51.100.7").login(people["officer"]).status_code == 429


def test_one_persons_failures_do_not_lock_out_the_office_behind_the_same_address(app, people, traveller):
    office = Browser(app, "203.0.113.1")
    fail(office, people["editor_a"], 5)
    for _ in range(10):  # the first editor keeps trying during the delay
        assert office.login(people["editor_a"], "still-wrong").status_code == 429
    colleague = Browser(app, "203.0.113.1")
    assert colleague.login(people["editor_b"]).status_code == 302


def test_many_failures_from_one_address_delay_that_address_only(app, people, traveller):
    attacker = Browser(app, "203.0.113.66")
    for n in range(100):
        fail(attacker, f"guess{n}", 1)
    assert attacker.login(people["editor_b"]).status_code == 429
    assert Browser(app, "203.0.113.1").login(people["editor_b"]).status_code == 302


def test_failures_count_across_two_hub_processes_on_one_database(hubs, app, people, traveller):
    other = hubs.start()
    fail(Browser(app), people["officer"], 3)
    fail(Browser(other), people["officer"], 2)
    assert Browser(app).login(people["officer"]).status_code == 429
    assert Browser(other).login(people["officer"]).status_code == 429


def test_failures_survive_a_restart(hubs, app, people, traveller):
    fail(Browser(app), people["officer"], 5)
    hubs.stop(app)
    restarted = hubs.start()
    assert Browser(restarted).login(people["officer"]).status_code == 429


def test_failures_are_counted_in_redis_when_the_hub_has_it(hubs, app, people, traveller):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        need_service("Redis", str(exc))
    channel = f"throttle-{uuid.uuid4().hex[:8]}"
    first, second = (hubs.start(socketio_message_queue=REDIS_URL, socketio_channel=channel) for _ in range(2))
    fail(Browser(first), people["officer"], 3)
    fail(Browser(second), people["officer"], 2)
    assert Browser(first).login(people["officer"]).status_code == 429
    assert Browser(app).login(people["officer"]).status_code == 302  # this hub counts in its database: nothing there
    with read_session(app.extensions["hub"].engine) as s:
        assert s.scalar(sa.text("SELECT count(*) FROM loginthrottle")) == 0


def test_a_failed_sign_in_is_logged_without_the_password(app, people, traveller):
    fail(Browser(app), people["officer"], 1)
    with read_session(app.extensions["hub"].engine) as s:
        events = s.exec(sa.select(Event).where(Event.kind == "login_failed")).scalars().all()
    assert [e.actor for e in events] == [f"login:{people['officer']}"]
    assert "not-the-password" not in repr(events[0].details)


def throttled_addresses(app) -> list[str]:
    with read_session(app.extensions["hub"].engine) as s:
        keys = s.scalars(sa.text("SELECT key FROM loginthrottle WHERE key LIKE 'address:%'")).all()
    return sorted(keys)


def test_x_forwarded_for_is_ignored_without_a_configured_proxy(app, people, traveller):
    spoofer = Browser(app, "192.0.2.10", headers={"X-Forwarded-For": "198.51.100.99"})
    fail(spoofer, people["officer"], 1)
    assert throttled_addresses(app) == ["address:192.0.2.10"]


def test_behind_one_configured_proxy_the_address_it_saw_counts(hubs, people, traveller):
    proxied = hubs.start(proxy_count=1)
    browser = Browser(proxied, "10.0.0.2", headers={"X-Forwarded-For": "6.6.6.6, 198.51.100.99"})
    fail(browser, people["officer"], 1)
    assert throttled_addresses(proxied) == ["address:198.51.100.99"]


def test_the_right_password_clears_the_account_count(app, people, traveller):
    browser = Browser(app)
    fail(browser, people["officer"], 4)
    assert browser.login(people["officer"]).status_code == 302
    fail(Browser(app), people["officer"], 4)
    assert Browser(app).login(people["officer"]).status_code == 302


def test_the_delay_message_is_in_vietnamese_for_a_vietnamese_reader(app, people, traveller):
    browser = Browser(app)
    fail(browser, people["officer"], 5)
    browser.client.set_cookie("lang", "vi")
    refused = browser.login(people["officer"])
    assert "Hãy thử lại sau 1 giây (lúc 12:00:01)" in refused.text  # Hanoi time
