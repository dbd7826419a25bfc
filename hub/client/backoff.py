"""Reconnection delays: exponential growth with random jitter, so that thousands of platforms cut off together
do not all come back in the same second."""

from __future__ import annotations

import random


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
