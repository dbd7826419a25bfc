"""Rate-limit counters in this process's memory, swept for expired entries once a second instead of every 10 ms.

limits' ``MemoryStorage`` (the storage of a single hub process, ``memory://``) starts a timer 10 ms after every
counted call, and the timer walks every key the storage holds. When a thousand platforms acknowledge a directive at
once, each spending its ``updates`` budget (two keys each, for the sliding window), that walk over thousands of
keys ran a hundred times a second: about a fifth of the hub's CPU during the acknowledgements. Counters are checked
for expiry when they are read, so sweeping once a second changes no count; expired entries only stay in memory up
to a second longer.

It subclasses the storage and replaces its private scheduling method (a name-mangled attribute of limits 5), hence
its place here; ``HUB_FAST_OFF=limit_sweep`` keeps limits' own storage.
"""

from __future__ import annotations

import threading
from typing import ClassVar

from limits.storage import MemoryStorage

SCHEME = "hubmemory"
SWEEP_SECONDS = 1.0


class SweptMemoryStorage(MemoryStorage):
    """``MemoryStorage`` whose expiry sweep runs at most once every :data:`SWEEP_SECONDS`."""

    # Registered with limits by its metaclass, so that ``hubmemory://`` names it.
    STORAGE_SCHEME: ClassVar[list[str]] = [SCHEME]

    def _MemoryStorage__schedule_expiry(self) -> None:  # the name MemoryStorage calls (mangled)
        if not self.timer.is_alive():
            self.timer = threading.Timer(SWEEP_SECONDS, self._MemoryStorage__expire_events)
            self.timer.daemon = True
            self.timer.start()


def storage_uri(uri: str, off: frozenset[str]) -> str:
    """The rate-limit storage to use for ``uri``: this process's memory swept once a second, unless switched off
    or the counts live elsewhere (Redis)."""
    if uri == "memory://" and "limit_sweep" not in off:
        return f"{SCHEME}://"
    return uri
