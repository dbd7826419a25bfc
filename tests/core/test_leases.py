"""The scheduler lease: one holder at a time, renewed by its holder, taken over once it runs out."""

from datetime import timedelta

from hub.core import leases
from hub.db import read_session, write_session
from tests.conftest import T0

TTL = timedelta(seconds=30)


def hold(engine, holder: str, seconds: float) -> bool:
    with write_session(engine) as s:
        return leases.hold(s, "scheduler", holder, T0 + timedelta(seconds=seconds), TTL)


def test_one_holder_at_a_time_and_a_dead_holder_is_replaced(engine):
    assert hold(engine, "a", 0)
    assert not hold(engine, "b", 1)
    assert hold(engine, "a", 20)  # renewed until 50 s
    assert not hold(engine, "b", 45)
    assert hold(engine, "b", 51)  # a stopped renewing
    assert not hold(engine, "a", 52)
    with write_session(engine) as s:
        leases.release(s, "scheduler", "b", T0 + timedelta(seconds=53))
    assert hold(engine, "a", 53)
    with read_session(engine) as s:
        assert leases.current(s, "scheduler").holder == "a"
