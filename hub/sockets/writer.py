"""Group commit: one writer per hub process records receipts, acknowledgements and status reports in batches.

Thousands of platforms answer a publish within a second, and then acknowledge it. One transaction per event from
many handlers tops out far below that and stalls SQLite; one writer that takes whatever has queued up (up to
``MAX_BATCH``) and applies it in one transaction keeps up. Each handler waits until its batch has committed, so its
answer still means "durably recorded". The writer applies a batch in the order it was queued, and each socket's
events are handled one after another, so an acknowledgement is applied before the status report that follows it.

While events keep coming, the answers wait (up to ``RELEASE_AFTER_SECONDS``): on one event loop, answering each
batch at once would put thousands of outgoing frames between the incoming events and slow down recording the rest.
The answers go out when the stream pauses, every one of them after its event was committed, and with them the
consoles' progress.

A batch the database refuses is split in halves and tried again, down to single rows, so that one bad row (which
the edges should have refused already) fails alone and never costs the other platforms their answers.

It lives with the sockets because it is how their events are recorded and answered, and it holds no trick of the
event loop or the interpreter: what it calls after a commit (the progress push), how it starts its task and how it
sleeps are handed to it, so it imports nothing of the socket server.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from hub import clock, metrics
from hub.core import acknowledgements, receipts
from hub.core.deliveries import ChangeIn
from hub.core.errors import HubError
from hub.core.receipts import ReceiptIn
from hub.db import write_session
from hub.runtime import Hub

log = logging.getLogger(__name__)

MAX_BATCH = 1000
GATHER_SECONDS = 0.02
RELEASE_AFTER_SECONDS = 0.5
WAIT_SECONDS = 30.0
# The database or the connection is at fault, not a row: splitting the batch would only repeat the failure.
WHOLE_BATCH_FAILURES = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)


@dataclass
class Outcome:
    """What the writer learnt about one event: its delivery (directive_id None when it names nothing of that
    platform's), the state it left, whether it changed anything, or the rule it broke."""

    directive_id: int | None = None
    seq: int | None = None
    state: str | None = None
    changed: bool = False
    error: HubError | None = None


@dataclass
class _Waiting:
    item: ReceiptIn | ChangeIn
    done: threading.Event = field(default_factory=threading.Event)
    outcome: Outcome | None = None


class GroupWriter:
    """The queue and its one writer (a background task started on the first event)."""

    def __init__(
        self,
        hub: Hub,
        start_task: Callable,
        on_changed: Callable[[list[int]], None],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._hub = hub
        self._start_task = start_task
        self._sleep = sleep
        self._on_changed = on_changed
        self._queue: queue.Queue[_Waiting] = queue.Queue()
        self._lock = threading.Lock()
        self._started = False

    def submit(self, item: ReceiptIn | ChangeIn) -> Outcome | None:
        """Queue an event and wait until its batch has committed; None means it could not be recorded now."""
        self._ensure_started()
        waiting = _Waiting(item)
        self._queue.put(waiting)
        if not waiting.done.wait(WAIT_SECONDS):
            return None
        return waiting.outcome

    def _ensure_started(self) -> None:
        if self._started:
            return
        with self._lock:
            if not self._started:
                self._start_task(self._run)
                self._started = True

    def _run(self) -> None:
        committed: list[_Waiting] = []  # written, their handlers not yet told
        oldest = 0.0  # when the first of them was written
        while True:
            if committed:
                try:
                    first = self._queue.get(timeout=GATHER_SECONDS)
                except queue.Empty:  # the stream of events has paused: answer everything written so far
                    self._release(committed)
                    committed = []
                    continue
            else:
                first = self._queue.get()
            batch = [first]
            # Unless a full batch is already waiting, a moment's wait gathers the events of a fan-out that is
            # still going out (and lets it go out: an SQLite commit does not yield to the sockets' writers).
            if self._queue.qsize() < MAX_BATCH - 1:
                self._sleep(GATHER_SECONDS)
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._write(batch)
            if not committed:
                oldest = time.monotonic()
            committed += batch
            if time.monotonic() - oldest >= RELEASE_AFTER_SECONDS:
                self._release(committed)
                committed = []

    def _write(self, batch: list[_Waiting]) -> None:
        """Write a batch in one transaction; if the database refuses it, write each half on its own."""
        now = clock.now()
        started = time.perf_counter()
        try:
            with write_session(self._hub.engine) as session:
                outcomes = _apply(session, now, [w.item for w in batch])
        except WHOLE_BATCH_FAILURES:
            log.exception("writing %d events failed", len(batch))
            return  # their outcome stays None: each is answered "unavailable" and may be sent again
        except Exception:
            if len(batch) == 1:
                log.exception("writing one event failed: %r", batch[0].item)
                return
            log.warning("the database refused a batch of %d events; writing it in halves", len(batch))
            metrics.writer_failures.inc()
            half = len(batch) // 2
            self._write(batch[:half])
            self._write(batch[half:])
            return
        for waiting, outcome in zip(batch, outcomes, strict=True):
            waiting.outcome = outcome
        _count(batch, time.perf_counter() - started)

    def _release(self, committed: list[_Waiting]) -> None:
        """Wake the handlers of written events (each answers its client) and announce the progress."""
        for waiting in committed:
            waiting.done.set()
        touched = {w.outcome.directive_id for w in committed if w.outcome and w.outcome.changed}
        if touched:
            try:
                self._on_changed(sorted(touched))
            except Exception:
                log.exception("announcing progress failed")


def _apply(session: Session, now: datetime, items: list[ReceiptIn | ChangeIn]) -> list[Outcome]:
    """Receipts first (set-based), then acknowledgements and status reports (the common acknowledgements set-based,
    the rest in their order; each delivery's changes in the order they came); plain outcomes."""
    outcomes = [Outcome() for _ in items]
    at_receipt = [i for i, item in enumerate(items) if isinstance(item, ReceiptIn)]
    at_change = [i for i, item in enumerate(items) if isinstance(item, ChangeIn)]
    recorded = receipts.record_receipts(session, now, [items[i] for i in at_receipt])
    for i, (_, found) in zip(at_receipt, recorded, strict=True):
        if found is not None:
            outcomes[i] = Outcome(found.directive_id, found.seq, found.state, found.changed)
    applied = acknowledgements.apply_batch(session, now, [items[i] for i in at_change])
    for i, done in zip(at_change, applied, strict=True):
        if isinstance(done, HubError):
            outcomes[i] = Outcome(error=done)
        else:
            outcomes[i] = Outcome(done.directive_id, done.seq, done.state, done.changed)
    return outcomes


def _count(batch: list[_Waiting], seconds: float) -> None:
    """Report a committed batch to the metrics: its events by kind and the receipts that named a delivery."""
    kinds = {"receipt": 0, "change": 0}
    recorded = 0
    for waiting in batch:
        if isinstance(waiting.item, ReceiptIn):
            kinds["receipt"] += 1
            recorded += waiting.outcome is not None and waiting.outcome.directive_id is not None
        else:
            kinds["change"] += 1
    metrics.wrote(kinds, recorded, seconds)
