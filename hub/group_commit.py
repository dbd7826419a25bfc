"""Group commit of machine receipts: one writer per hub process records *delivered* in batches.

Thousands of platforms answer a publish within a second. One transaction per receipt from many handlers tops out
far below that and stalls SQLite; one writer that takes whatever has queued up (up to ``MAX_BATCH``) and records it
in one transaction keeps up. Each handler waits until its batch has committed, so its answer still means "durably
recorded".

While receipts keep coming, the answers wait (up to ``RELEASE_AFTER_SECONDS``): on one event loop, answering each
batch at once would put thousands of outgoing frames between the incoming receipts and slow down recording the
rest. The answers go out when the stream pauses, every one of them after its receipt was committed.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask

from hub import clock
from hub.core import deliveries
from hub.core.deliveries import ReceiptIn
from hub.db import write_session
from hub.state import Hub

log = logging.getLogger(__name__)

MAX_BATCH = 1000
GATHER_SECONDS = 0.02
RELEASE_AFTER_SECONDS = 0.5
WAIT_SECONDS = 30.0


@dataclass
class Recorded:
    """What the writer learnt about one receipt: its delivery (None when it names nothing of that platform's)."""

    directive_id: int | None = None
    seq: int | None = None
    newly_delivered: bool = False


@dataclass
class _Waiting:
    receipt: ReceiptIn
    done: threading.Event = field(default_factory=threading.Event)
    result: Recorded | None = None
    failed: bool = False


class ReceiptWriter:
    """The queue and its one writer (a background task started on the first receipt)."""

    def __init__(
        self,
        hub: Hub,
        start_task: Callable,
        on_delivered: Callable[[list[int]], None],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._hub = hub
        self._start_task = start_task
        self._sleep = sleep
        self._on_delivered = on_delivered
        self._queue: queue.Queue[_Waiting] = queue.Queue()
        self._lock = threading.Lock()
        self._started = False

    def record(self, receipt: ReceiptIn) -> Recorded | None:
        """Queue a receipt and wait until its batch has committed; None means the writer failed or timed out."""
        self._ensure_started()
        waiting = _Waiting(receipt)
        self._queue.put(waiting)
        if not waiting.done.wait(WAIT_SECONDS) or waiting.failed:
            return None
        return waiting.result

    def _ensure_started(self) -> None:
        if self._started:
            return
        with self._lock:
            if not self._started:
                self._start_task(self._run)
                self._started = True

    def _run(self) -> None:
        committed: list[_Waiting] = []  # recorded, their handlers not yet told
        oldest = 0.0  # when the first of them was recorded
        while True:
            if committed:
                try:
                    first = self._queue.get(timeout=GATHER_SECONDS)
                except queue.Empty:  # the stream of receipts has paused: answer everything recorded so far
                    self._release(committed)
                    committed = []
                    continue
            else:
                first = self._queue.get()
            batch = [first]
            # Unless a full batch is already waiting, a moment's wait gathers the receipts of a fan-out that is
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
        now = clock.now()
        try:
            with write_session(self._hub.engine) as session:
                results = deliveries.record_receipts(session, now, [w.receipt for w in batch])
                for waiting, (_, delivery) in zip(batch, results, strict=True):
                    waiting.result = Recorded()
                    if delivery is not None:
                        waiting.result = Recorded(delivery.directive_id, delivery.seq, delivery.delivered_at == now)
        except Exception:
            log.exception("recording %d receipts failed", len(batch))
            for waiting in batch:
                waiting.failed = True

    def _release(self, committed: list[_Waiting]) -> None:
        """Wake the handlers of recorded receipts (each answers its client) and announce the progress."""
        for waiting in committed:
            waiting.done.set()
        touched = {w.result.directive_id for w in committed if w.result and w.result.newly_delivered}
        if touched:
            try:
                self._on_delivered(sorted(touched))
            except Exception:
                log.exception("announcing progress failed")


def writer_for(app: Flask) -> ReceiptWriter:
    """This app's receipt writer (one per hub process)."""
    writer = app.extensions.get("hub_receipts")
    if writer is None:
        from hub.sockets import push_progress, socketio

        writer = ReceiptWriter(app.extensions["hub"], socketio.start_background_task, push_progress, socketio.sleep)
        app.extensions["hub_receipts"] = writer
    return writer
