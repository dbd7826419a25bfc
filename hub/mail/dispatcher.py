"""The mail job: fill the outbox from the log, claim what is due, and send it over one SMTP connection per run.

It runs as its own scheduled job in every process that runs the scheduler, apart from the sweep, publishing and the
sockets: a slow or absent SMTP server costs this job its timeout, nothing else. Each run is bounded
(``PER_RUN`` mails); the unique (user, topic) rows and the claims make several processes running it at once safe.
After the first failure to reach the server the run stops and gives back what it had claimed.
"""

from __future__ import annotations

import logging
import os
import random
import smtplib
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from hub import clock
from hub.config import Settings
from hub.core import mail_notices, mail_outbox
from hub.core.due_soon import DueSoon
from hub.db import read_session, write_session
from hub.mail import smtp
from hub.mail.compose import Letterhead, compose

logger = logging.getLogger("hub.mail")
PER_RUN = 50
FILL_ROUNDS = 20


@dataclass(frozen=True)
class MailConfig:
    """The mail job's settings (from ``hub.config``)."""

    server: smtp.SmtpServer
    letterhead: Letterhead
    rules: mail_notices.MailRules = field(default_factory=mail_notices.MailRules)
    retry: mail_outbox.RetryPolicy = field(default_factory=mail_outbox.RetryPolicy)
    timeout: float = 10.0
    due_soon: DueSoon = field(default_factory=DueSoon)  # the sweep's warnings before a deadline, for the mail

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=3 * self.timeout + 10)


def public_url(settings: Settings) -> str:
    """The base of the links in mails: ``HUB_PUBLIC_URL``, else the address the hub listens on."""
    return (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")


def from_settings(settings: Settings) -> MailConfig | None:
    """The job's settings, or None when no ``SMTP_URL`` is set (mail is off); a malformed one raises."""
    if not settings.smtp_url.strip():
        return None
    server = smtp.parse(settings.smtp_url)
    base = public_url(settings)
    host = base.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    sender = settings.mail_from or f"Directive Hub <directive-hub@{host}>"
    return MailConfig(
        server=server,
        letterhead=Letterhead(sender, base, settings.timezone, settings.default_locale),
        rules=mail_notices.MailRules(
            grace=timedelta(seconds=settings.mail_grace_seconds),
            digest_hour=settings.mail_digest_hour,
            timezone=settings.timezone,
        ),
        retry=mail_outbox.RetryPolicy(
            first_wait=timedelta(seconds=settings.mail_first_retry_seconds),
            longest_wait=max(timedelta(hours=1), timedelta(seconds=settings.mail_first_retry_seconds)),
            give_up_after=timedelta(hours=settings.mail_give_up_hours),
        ),
        timeout=settings.mail_timeout_seconds,
        due_soon=DueSoon(
            lead=timedelta(hours=settings.mail_due_soon_hours), grace=timedelta(seconds=settings.mail_grace_seconds)
        ),
    )


class MailDispatcher:
    """The mail job of one process."""

    def __init__(self, engine: Engine, config: MailConfig) -> None:
        self.engine, self.config = engine, config
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.random = random.SystemRandom()
        self._clock = clock.now
        with write_session(engine) as session:
            mail_notices.begin(session)

    def tick(self, now: datetime | None = None) -> int:
        """Fill the outbox, then send what is due; returns how many mails the server accepted."""
        now = now or clock.now()
        started = time.monotonic()
        self._clock = lambda: now + timedelta(seconds=time.monotonic() - started)  # the run's time, as it goes on
        for _ in range(FILL_ROUNDS):
            with write_session(self.engine) as session:
                if not mail_notices.fill(session, now, self.config.rules):
                    break
        with read_session(self.engine) as session:
            if not mail_outbox.work_due(session, now):
                return 0
        with write_session(self.engine) as session:
            ids = mail_outbox.claim(session, now, self.holder, self.config.lease, PER_RUN)
        if not ids:
            return 0
        with read_session(self.engine) as session:
            mails = mail_outbox.outgoing(session, ids)
        try:
            return self._send_all(mails, now)
        finally:
            with write_session(self.engine) as session:
                mail_outbox.release(session, ids, self.holder)

    def _send_all(self, mails: list[mail_outbox.Outgoing], now: datetime) -> int:
        try:
            conn = smtp.connect(self.config.server, self.config.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            error = f"cannot reach {self.config.server.shown}: {type(exc).__name__}: {exc}"
            logger.warning("mail: %s; %d mails wait for the next try", error, len(mails))
            for mail in mails:
                self._failed(mail, error)
            return 0
        sent = 0
        try:
            for mail in mails:
                sent += self._send_one(conn, mail, now)
        finally:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()
        return sent

    def _send_one(self, conn: smtplib.SMTP, mail: mail_outbox.Outgoing, now: datetime) -> int:
        with write_session(self.engine) as session:
            if not mail_outbox.renew(session, mail.ids, self.holder, self._clock(), self.config.lease):
                return 0
        message = compose(mail, self.config.letterhead, now)
        error = smtp.send(conn, message)
        if error is not None:
            self._failed(mail, error)
            return 0
        with write_session(self.engine) as session:
            mail_outbox.record_sent(session, self._clock(), mail, self.holder, message["Message-ID"])
        logger.info("mail %s sent to user %s (%d notices)", message["Message-ID"], mail.user_id, len(mail.notices))
        return 1

    def _failed(self, mail: mail_outbox.Outgoing, error: str) -> None:
        with write_session(self.engine) as session:
            gave_up = mail_outbox.record_failure(
                session, self._clock(), mail, self.holder, self.config.retry, self.random.random(), error
            )
        if gave_up:
            logger.error("mail to user %s given up after failing too long: %s", mail.user_id, error)
