"""How often a machine or a person may repeat a write (or an expensive read): one budget per kind of call and per
platform (or per user or token), counted by Flask-Limiter's storage and strategy — Redis when the hub processes
share one, so that a limit holds across them — for the JSON API and the pages (``hub/web/limited.py``) and the
socket (:func:`spend`, :class:`Ledger`) alike, so that a platform's questions over both draw on the same budget."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter
from functools import cache

from limits import RateLimitItem, parse_many

from hub.config import Settings
from hub.core.access import Principal
from hub.extensions import limiter
from hub.runtime import current_hub

log = logging.getLogger(__name__)

SETTINGS = {
    "questions": "limit_questions",
    "sync": "limit_sync",
    "updates": "limit_updates",
    "reports": "limit_reports",
    "tokens": "limit_tokens",
    "exports": "limit_exports",
}


def caller_key(principal: Principal) -> str:
    """Whose budget a call spends: the platform's for its staff and machines (however many tokens it holds), else
    the user's, else the token's."""
    if principal.is_platform:
        return f"platform:{principal.org_id}"
    if principal.user_id is not None:
        return f"user:{principal.user_id}"
    return f"token:{principal.token_id}"


def limit_value(kind: str, settings: Settings | None = None) -> str:
    """The configured limits of ``kind``, e.g. ``"10/minute;100/day"`` (of the current app's settings if none are
    given)."""
    return getattr(settings or current_hub().settings, SETTINGS[kind])


def spend(kind: str, principal: Principal, limits: str | None = None) -> int | None:
    """Spend one call of the principal's ``kind`` budget: None when it was within every limit, else the whole
    seconds to wait before the next try (at least 1). A limit that cannot be counted (shared storage down) lets
    the call through, as the API's limits do: the write itself is still checked and recorded."""
    return _hit(kind, caller_key(principal), parsed(limits or limit_value(kind)))


def _hit(kind: str, key: str, items: tuple[RateLimitItem, ...], cost: int = 1) -> int | None:
    """Spend ``cost`` calls of ``key``'s ``kind`` budget in the shared storage: None, or the seconds to wait."""
    strategy = limiter.limiter
    try:
        for item in items:
            if not strategy.hit(item, key, kind, cost=cost):
                return seconds_until(strategy.get_window_stats(item, key, kind).reset_time)
    except Exception:
        log.warning("rate limit %s for %s could not be counted; letting it through", kind, key, exc_info=True)
    return None


@cache
def parsed(limits: str) -> tuple[RateLimitItem, ...]:
    """The items of a limits string, shortest window first (parsed once per string)."""
    return tuple(sorted(parse_many(limits)))


class Ledger:
    """One process's count of a budget that thousands of sockets spend at once (acknowledgements and status
    reports after a publish), settled with the shared storage in batches rather than one storage call per event.

    :meth:`spend` is a dictionary update; :meth:`settle` (every ``SETTLE_SECONDS``, and at once for a caller whose
    unsettled count reaches a tenth of its smallest limit) spends each caller's count in the shared storage in one
    call and remembers who ran out, until when. A caller can thus overspend by at most a tenth of a limit per
    process between two settlements; the budget stays the one the JSON API spends, shared by every process.
    """

    SETTLE_SECONDS = 1.0

    def __init__(self, kind: str, limits: str) -> None:
        self.kind, self.items = kind, parsed(limits)
        self.burst = max(1, min(item.amount for item in self.items) // 10) if self.items else 1
        self.unsettled: Counter[str] = Counter()
        self.blocked: dict[str, float] = {}  # caller -> Unix time its budget is back
        self.lock = threading.Lock()
        self.settling = False  # a task settles it (started with the first event)

    def spend(self, principal: Principal) -> int | None:
        """Count one call: None when the caller may go ahead, else the whole seconds to wait."""
        key = caller_key(principal)
        until = self.blocked.get(key)
        if until is not None:
            if until > time.time():
                return seconds_until(until)
            del self.blocked[key]
        self.unsettled[key] += 1
        if self.unsettled[key] >= self.burst:
            self._settle_one(key)
            until = self.blocked.get(key)
            return seconds_until(until) if until is not None else None
        return None

    def settle(self) -> None:
        """Spend every caller's unsettled count in the shared storage."""
        for key in list(self.unsettled):
            self._settle_one(key)

    def _settle_one(self, key: str) -> None:
        with self.lock:
            cost = self.unsettled.pop(key, 0)
        if cost:
            wait = _hit(self.kind, key, self.items, cost)
            if wait is not None:
                self.blocked[key] = time.time() + wait


def seconds_until(reset_time: float) -> int:
    """Whole seconds from now until ``reset_time`` (a Unix time), at least 1: the ``retry_after`` of an answer."""
    return max(1, math.ceil(reset_time - time.time()))
