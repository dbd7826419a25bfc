"""Failed sign-ins slow down the account they aim at, and much later the address they come from: a growing delay
instead of a lock, so that the right password works again once the delay is over and an office behind one address
is not shut out by one person's typing.

The counts live in a store shared by every hub process (the database or Redis), behind :class:`ThrottleStore`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True)
class Policy:
    """How many failures in a window are free, and how the delay grows after that (doubling up to a cap)."""

    free_failures: int
    window: timedelta
    first_delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = timedelta(minutes=15)

    def delay(self, failures: int) -> timedelta:
        """The wait after ``failures`` failures in one window: none, then 1 s, 2 s, 4 s … up to the cap."""
        if failures < self.free_failures:
            return timedelta(0)
        doublings = min(failures - self.free_failures, 30)
        return min(self.first_delay * 2**doublings, self.max_delay)


ACCOUNT = Policy(free_failures=5, window=timedelta(hours=24))
ADDRESS = Policy(free_failures=100, window=timedelta(hours=1))


@dataclass(frozen=True)
class Tally:
    """The failures of one key since its window started, and when the last one happened."""

    failures: int
    window_start: datetime
    last_failure_at: datetime


class ThrottleStore(Protocol):
    """Where the tallies live; every method is atomic on its own, so concurrent processes never lose a count."""

    def tally(self, key: str) -> Tally | None: ...

    def record_failure(self, key: str, now: datetime, window: timedelta) -> None: ...

    def forget(self, key: str) -> None: ...


def account_key(login: str) -> str:
    """One key per login as typed (case and spaces ignored), whether or not such an account exists."""
    return "account:" + login.strip().lower()[:100]


def address_key(address: str) -> str:
    return "address:" + address[:100]


def _keys(login: str, address: str) -> tuple[tuple[str, Policy], ...]:
    return ((account_key(login), ACCOUNT), (address_key(address), ADDRESS))


def retry_at(store: ThrottleStore, login: str, address: str, now: datetime) -> datetime | None:
    """When a sign-in to ``login`` from ``address`` may be tried again; None when it may be tried now."""
    latest: datetime | None = None
    for key, policy in _keys(login, address):
        tally = store.tally(key)
        if tally is None or now - tally.window_start >= policy.window:
            continue
        until = tally.last_failure_at + policy.delay(tally.failures)
        if until > now and (latest is None or until > latest):
            latest = until
    return latest


def record_failure(store: ThrottleStore, login: str, address: str, now: datetime) -> None:
    """Count a wrong password against both the account and the address."""
    for key, policy in _keys(login, address):
        store.record_failure(key, now, policy.window)


def record_success(store: ThrottleStore, login: str) -> None:
    """The right password clears the account's count (never the address's: one's own account must not reset it)."""
    store.forget(account_key(login))
