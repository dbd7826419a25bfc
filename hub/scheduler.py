"""APScheduler: the periodic sweep (with the log's signed checkpoints) and the monthly report requests.

Deadlines live in the database, not in the scheduler's memory: every run asks the core what is due at ``now``, so a
missed or coalesced run (APScheduler drops late runs past their grace time) is caught up by the next one. Several
hub processes may start the scheduler; a run does its work only while its process holds the database lease
``scheduler``, renewed at every run and taken over by another process when the holder stops renewing it.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from hub import checkpointing, clock, logs, metrics, sockets
from hub.core import leases, sweep_batch
from hub.core import sweep as core_sweep
from hub.core.access import SYSTEM
from hub.db import read_session, write_session
from hub.mail import dispatcher as mail_dispatcher
from hub.runtime import Hub, current_hub
from hub.sockets import fast
from hub.webhooks import dispatcher

LEASE = "scheduler"
REPORT_CATCH_UP = timedelta(days=3)  # a report request missed while the hub was down is still sent this late
OFF = {"", "off", "none", "0", "false"}
logger = logging.getLogger("hub.scheduler")


def announce(outcome: sweep_batch.Outcome) -> None:
    """Tell the sockets what a committed batch did."""
    for published in outcome.published:
        with read_session(current_hub().engine) as session:
            rooms = sockets.console_rooms_of(session, published.directive.id)
        sockets.push_published(published, rooms)
    for reminder in outcome.reminders:
        sockets.push_reminder(reminder.platform_id, reminder.payload)
    for escalation in outcome.escalations:
        sockets.push_escalation(escalation.province, escalation.payload)
    if outcome.touched:
        sockets.push_progress(sorted(outcome.touched))
    time.sleep(0)  # under gevent, let the sockets run between two batches


def log_sweep(report: core_sweep.SweepReport, seconds: float) -> None:
    """One line per sweep saying what it did (also when nothing was due), and how long it took."""
    fields = {
        "published": report.published,
        "expired": report.expired,
        "reminded": report.reminded,
        "escalated": report.escalated,
        "batches": report.batches,
        "ms": round(seconds * 1000, 1),
    }
    if report.report_request is not None:
        fields["report_request"] = report.report_request
    if report.publication_failures:
        fields["publication_failures"] = ",".join(map(str, report.publication_failures))
    logger.info("sweep", extra={"fields": fields})
    metrics.swept(seconds, {k: fields[k] for k in ("published", "expired", "reminded", "escalated")})


def report_trigger(expr: str, timezone: str) -> CronTrigger | None:
    """The report-request schedule (a crontab line in the hub's time zone), or None when it is switched off."""
    if expr.strip().lower() in OFF:
        return None
    return CronTrigger.from_crontab(expr, timezone=timezone)


def last_fire_time(trigger: CronTrigger | None, now: datetime, window: timedelta = REPORT_CATCH_UP) -> datetime | None:
    """The latest time the schedule fired within ``window`` before ``now`` (None if it did not)."""
    if trigger is None:
        return None
    last, t = None, trigger.get_next_fire_time(None, now - window)
    while t is not None and t <= now:
        last = t
        t = trigger.get_next_fire_time(t, t + timedelta(seconds=1))
    return last


class HubScheduler:
    """The jobs of one process, the lease that decides whether they act, and the APScheduler that runs them."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.hub: Hub = app.extensions["hub"]
        settings = self.hub.settings
        self.interval = max(1, int(settings.sweep_interval_seconds))
        self.ttl = timedelta(seconds=max(3 * self.interval, 5))
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.trigger = report_trigger(settings.report_request_cron, settings.timezone)
        self.checkpoint_every = timedelta(seconds=settings.checkpoint_interval_seconds)
        self.running = threading.Lock()  # the sweep and the cron job never overlap in one process
        self.scheduler = _make_scheduler()
        # Under gevent a SQLite statement blocks every greenlet: keep each batch short.
        mail = mail_dispatcher.from_settings(settings)
        self.mail = mail_dispatcher.MailDispatcher(self.hub.engine, mail) if mail is not None else None
        self.policy = sweep_batch.Policy(
            batch_size=500 if _is_gevent(self.scheduler) else 2000, due_soon=mail.due_soon if mail else None
        )
        self.leading = False
        self.webhooks = dispatcher.Dispatcher(self.hub.engine, dispatcher.from_settings(settings), self._delivered)

    def start(self) -> None:
        grace = max(60, 10 * self.interval)
        self.scheduler.add_job(
            self.sweep,
            "interval",
            seconds=self.interval,
            id="sweep",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=grace,
            next_run_time=clock.now(),
        )
        if self.trigger is not None:
            self.scheduler.add_job(
                self.sweep, self.trigger, id="report_requests", coalesce=True, max_instances=1, misfire_grace_time=3600
            )
        self._every(self.send_webhooks, self.hub.settings.webhook_interval_seconds, "webhooks", grace)
        if self.mail is not None:  # in every process: its rows and claims make that safe (docs/mail.md)
            self._every(self.send_mail, self.hub.settings.mail_interval_seconds, "mail", grace)
        self.scheduler.add_listener(self._on_trouble, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
        self.scheduler.start()
        atexit.register(self.stop)
        logger.info("scheduler started (%s, sweep every %ss)", self.holder, self.interval)

    def _every(self, job: Callable[[], None], seconds: float, name: str, grace: int) -> None:
        """Run ``job`` every ``seconds`` (at least 0.2), one run at a time, missed runs coalesced."""
        self.scheduler.add_job(
            job,
            "interval",
            seconds=max(0.2, float(seconds)),
            id=name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=grace,
        )

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self.webhooks.close()
        if self.leading:
            with write_session(self.hub.engine) as session:
                leases.release(session, LEASE, self.holder, clock.now())
            self.leading = False

    def sweep(self) -> core_sweep.SweepReport | None:
        """One run: renew (or take) the lease, then do what is due; does nothing in a process without the lease."""
        with self.running, self.app.app_context():
            now = clock.now()
            with write_session(self.hub.engine) as session:
                held = leases.hold(session, LEASE, self.holder, now, self.ttl)
            if held != self.leading:
                logger.info("%s the scheduler lease (%s)", "took" if held else "lost", self.holder)
                self.leading = held
            if not held:
                return None
            started = time.perf_counter()
            report = core_sweep.sweep(
                self.hub.engine,
                now,
                self.hub.signer,
                self.policy,
                announce=announce,
                report_due_at=last_fire_time(self.trigger, now),
            )
            log_sweep(report, time.perf_counter() - started)
            self._checkpoint(now)
            self.webhooks.tick(now)
            return report

    def send_webhooks(self) -> int:
        """Between sweeps, while this process holds the lease: read the webhook outbox and start the sends due."""
        if not self.leading:
            return 0
        with self.app.app_context():
            return self.webhooks.tick(clock.now())

    def send_mail(self) -> int:
        """Fill the e-mail outbox from the log and send what is due (every process, apart from the sweep)."""
        with self.app.app_context():
            return self.mail.tick(clock.now()) if self.mail is not None else 0

    def _delivered(self, directive_ids: list[int]) -> None:
        with self.app.app_context():
            sockets.push_progress(directive_ids)

    def _checkpoint(self, now: datetime) -> dict | None:
        """Sign the log's head when it moved and the last checkpoint is at least the interval old (0: never)."""
        if self.checkpoint_every <= timedelta(0):
            return None
        taken = checkpointing.take(self.hub, SYSTEM, now, every=self.checkpoint_every)
        if taken is not None:
            logger.info("checkpoint %s: row %s, head %s", taken["checkpoint"], taken["last_id"], taken["head"])
        return taken

    def _on_trouble(self, event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            logger.warning(
                "job %s missed its run at %s; the next run catches up from the database",
                event.job_id,
                event.scheduled_run_time,
            )
        else:
            logger.error("job %s failed: %r", event.job_id, event.exception)


def _make_scheduler():
    """A GeventScheduler when gevent has patched threading (``python app.py``), else a BackgroundScheduler."""
    if fast.gevent_patched():
        from apscheduler.schedulers.gevent import GeventScheduler

        return GeventScheduler(timezone="UTC")
    return BackgroundScheduler(timezone="UTC")


def _is_gevent(scheduler) -> bool:
    return type(scheduler).__name__ == "GeventScheduler"


def init_app(app: Flask) -> None:
    """Attach the scheduler (started by ``app.py`` or ``flask scheduler``, never at import)."""
    app.extensions["hub_scheduler"] = None


def start(app: Flask) -> HubScheduler:
    """Start the background scheduler in this process (it acts while it holds the scheduler lease)."""
    if app.extensions.get("hub_scheduler") is None:
        app.extensions["hub_scheduler"] = HubScheduler(app)
        app.extensions["hub_scheduler"].start()
    return app.extensions["hub_scheduler"]


def run_forever(app: Flask) -> None:
    """Run only the scheduler, in the foreground, until interrupted or terminated."""
    settings = app.extensions["hub"].settings
    logs.configure(settings.log_format, settings.log_level)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    scheduler = start(app)
    print(f"scheduler running as {scheduler.holder}, sweep every {scheduler.interval}s", flush=True)
    print("Mail on" if scheduler.mail is not None else "Mail is off (no SMTP_URL set)", flush=True)
    try:
        while not stopping.wait(1):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.stop()
