"""Waiting before trying again: reconnection delays (exponential growth with random jitter, so that thousands of
platforms cut off together do not all come back in the same second), and the waits the hub asks for when a platform
is over a rate limit."""

from __future__ import annotations

import random
import time
from typing import Any


class Backoff:
    """Delays of ``initial * factor**n`` seconds, capped at ``maximum``, each scaled by a random factor in
    ``[1 - jitter, 1]``; :meth:`reset` after a connection that worked."""

    def __init__(
        self,
        initial: float = 1.0,
        maximum: float = 60.0,
        factor: float = 2.0,
        jitter: float = 0.5,
        rng: random.Random | None = None,
    ) -> None:
        if not (0 < initial <= maximum and factor >= 1 and 0 <= jitter <= 1):
            raise ValueError("backoff needs 0 < initial <= maximum, factor >= 1 and 0 <= jitter <= 1")
        self.initial, self.maximum, self.factor, self.jitter = initial, maximum, factor, jitter
        self._rng = rng or random.Random()  # nosec B311 # jitter spreads reconnections; nothing secret rests on it
        self.attempts = 0

    def next(self) -> float:
        """The delay before the next attempt."""
        ceiling = min(self.maximum, self.initial * self.factor ** min(self.attempts, 64))
        self.attempts += 1
        return ceiling * (1 - self.jitter * self._rng.random())

    def reset(self) -> None:
        self.attempts = 0


class Hold:
    """The hub's ``rate_limited`` answers: send nothing more of that kind until the ``retry_after`` seconds it
    gave have passed (at most ``maximum``, whatever a hub says)."""

    def __init__(self, maximum: float = 3600.0) -> None:
        self.maximum = maximum
        self._until = 0.0

    def note(self, answer: Any) -> bool:
        """True, and the hold extended, when ``answer`` is a ``rate_limited`` refusal."""
        if not (isinstance(answer, dict) and answer.get("error") == "rate_limited"):
            return False
        wait = answer.get("retry_after")
        wait = float(wait) if isinstance(wait, int | float) and not isinstance(wait, bool) else 1.0
        self._until = max(self._until, time.monotonic() + min(max(wait, 0.0), self.maximum))
        return True

    def remaining(self) -> float:
        """Seconds still to wait (0 when free to send)."""
        return max(0.0, self._until - time.monotonic())
