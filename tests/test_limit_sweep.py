"""The rate-limit counters of a single hub process: swept once a second, counted exactly as limits counts them."""

from __future__ import annotations

import time

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from hub import create_app
from hub.extensions import limiter
from hub.sockets.fast.limit_sweep import SWEEP_SECONDS, SweptMemoryStorage


def _storage(tmp_path, sqlite_url, **settings):
    app = create_app({"instance_path": str(tmp_path / "i"), "database_url": sqlite_url, **settings}, environ=False)
    with app.app_context():
        return limiter.limiter.storage


def test_a_single_hub_counts_in_the_swept_storage_unless_the_trick_is_off(tmp_path, sqlite_url):
    assert type(_storage(tmp_path, sqlite_url)) is SweptMemoryStorage
    assert type(_storage(tmp_path, sqlite_url, fast_off="limit_sweep")) is MemoryStorage


def test_the_sweep_waits_a_second_but_a_spent_budget_refuses_and_then_recovers_as_before():
    storage = SweptMemoryStorage("hubmemory://")
    storage.timer.join()  # the one 10 ms sweep limits starts with the storage
    limit, strategy = parse("2/1 second"), SlidingWindowCounterRateLimiter(storage)
    assert strategy.hit(limit, "platform:1") and strategy.hit(limit, "platform:1")
    assert not strategy.hit(limit, "platform:1")  # the budget is spent ...
    assert strategy.hit(limit, "platform:2")  # ... for that platform only
    assert storage.timer.interval == SWEEP_SECONDS  # one walk over the keys a second, not one every 10 ms
    deadline = time.monotonic() + 5
    while not strategy.test(limit, "platform:1"):  # the window slides on: counts expire when read
        assert time.monotonic() < deadline, "the spent budget never recovered"
        time.sleep(0.05)
    assert strategy.hit(limit, "platform:1")
