"""Draining the webhook outbox with bounded concurrency, apart from publishing and the sockets.

Each tick (from the scheduler) adds outbox rows for new log events, then claims as many due webhooks as there are
free workers and hands each to a worker of a fixed-size pool. A worker sends that webhook's rows in order, one at a
time, renewing its lease before each, and stops at the first failure (the row waits for its retry) or after a few
rows (so that one busy webhook does not hold a worker from the others). A receiver that never answers costs one
worker for the timeout, never a publisher or a socket.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from hub import clock
from hub.config import Settings
from hub.core import webhook_outbox, webhook_signing
from hub.db import read_session, write_session
from hub.webhooks import sender

logger = logging.getLogger("hub.webhooks")
ROWS_PER_CLAIM = 50
ENQUEUE_ROUNDS = 20


@dataclass(frozen=True)
class DispatchConfig:
    """The sending side's settings (from ``hub.config``)."""

    master_key: str
    hub_hosts: tuple[str, ...]
    concurrency: int = 16
    timeout: float = 10.0
    retry: webhook_outbox.RetryPolicy = field(default_factory=webhook_outbox.RetryPolicy)

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=2 * self.timeout + 10)


def hub_hosts(settings: Settings, *more: str) -> tuple[str, ...]:
    """The names of the hub itself, which no webhook may point at without the regulator admin's allowance."""
    names = [settings.host, socket.gethostname(), *settings.webhook_hub_hosts.split(","), *more]
    return tuple(sorted({n.strip().lower() for n in names if n and n.strip()}))


def from_settings(settings: Settings) -> DispatchConfig:
    """The dispatcher's settings from the hub's."""
    return DispatchConfig(
        master_key=settings.secret_key,
        hub_hosts=hub_hosts(settings),
        concurrency=max(1, settings.webhook_concurrency),
        timeout=settings.webhook_timeout_seconds,
        retry=webhook_outbox.RetryPolicy(
            first_wait=timedelta(seconds=settings.webhook_first_retry_seconds),
            longest_wait=max(timedelta(hours=1), timedelta(seconds=settings.webhook_first_retry_seconds)),
            disable_after=timedelta(hours=settings.webhook_disable_after_hours),
        ),
    )


Announce = Callable[[list[int]], None]


class Dispatcher:
    """The webhook workers of one hub process."""

    def __init__(self, engine: Engine, config: DispatchConfig, announce: Announce | None = None) -> None:
        self.engine, self.config, self.announce = engine, config, announce
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.pool = ThreadPoolExecutor(max_workers=max(1, config.concurrency), thread_name_prefix="webhook")
        self.busy: set[int] = set()
        self.lock = threading.Lock()
        self.random = random.SystemRandom()

    def tick(self, now: datetime | None = None) -> int:
        """Enqueue what is new and start sending to the webhooks that are due; returns how many were started."""
        now = now or clock.now()
        with read_session(self.engine) as session:
            to_enqueue, to_claim = webhook_outbox.work_due(session, now)
        for _ in range(ENQUEUE_ROUNDS if to_enqueue else 0):
            with write_session(self.engine) as session:
                if not webhook_outbox.enqueue(session, now):
                    break
        with self.lock:
            free = self.config.concurrency - len(self.busy)
        if free <= 0 or not (to_enqueue or to_claim):
            return 0
        with write_session(self.engine) as session:
            claimed = webhook_outbox.claim(session, now, self.holder, self.config.lease, free)
        with self.lock:
            self.busy.update(claimed)
        for webhook_id in claimed:
            self.pool.submit(self._work, webhook_id)
        return len(claimed)

    def idle(self) -> bool:
        with self.lock:
            return not self.busy

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _work(self, webhook_id: int) -> None:
        try:
            for _ in range(ROWS_PER_CLAIM):
                if not self._send_next(webhook_id):
                    break
        except Exception:
            logger.exception("webhook %s: sending failed", webhook_id)
        finally:
            try:
                with write_session(self.engine) as session:
                    webhook_outbox.release(session, webhook_id, self.holder)
            finally:
                with self.lock:
                    self.busy.discard(webhook_id)

    def _send_next(self, webhook_id: int) -> bool:
        """Send the webhook's oldest owed row; True when it was accepted and the next may follow."""
        config = self.config
        with write_session(self.engine) as session:
            if not webhook_outbox.renew(session, webhook_id, self.holder, clock.now(), config.lease):
                return False
            attempt = webhook_outbox.next_attempt(session, webhook_id, self.holder)
        if attempt is None:
            return False
        answer = sender.post(
            attempt.url,
            webhook_signing.unseal(config.master_key, attempt.secret_sealed),
            attempt.body,
            allow_internal=attempt.allow_internal,
            hub_hosts=config.hub_hosts,
            timeout=config.timeout,
            delivery_id=attempt.message_id,
            kind=attempt.kind,
        )
        now = clock.now()
        with write_session(self.engine) as session:
            if answer.ok:
                result = webhook_outbox.record_success(session, now, attempt, answer.status)
            else:
                jitter = self.random.random()
                result = webhook_outbox.record_failure(
                    session, now, attempt, config.retry, jitter, answer.status, answer.error
                )
        if result.disabled:
            logger.warning("webhook %s disabled after failing too long: %s", webhook_id, answer.error)
        if result.delivered_directive is not None and self.announce is not None:
            self.announce([result.delivered_directive])
        return answer.ok
