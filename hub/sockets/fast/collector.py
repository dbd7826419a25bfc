"""The garbage collector of a server holding thousands of sockets.

Every socket event allocates (a packet, a greenlet), and with CPython's default threshold of 700 the young
collections ran hundreds of times per publish, each walking the live greenlets, and promoted short-lived objects that
then made full collections walk every connection: about a sixth of the CPU of a publish to 5,000 platforms
(1,110 -> 850 ms, bench/bench_fanout.py).
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000


def settle_garbage_collector() -> None:
    """Freeze the objects alive after start-up (modules, mappings, templates) out of collection, and collect young
    objects every 20,000 allocations instead of 700."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, 20, 20)
