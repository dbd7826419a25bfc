"""Each user's choice is read when their mail is sent, not only when the notice was made: switching to "none" drops
the waiting non-urgent notices, switching to "at once" sends the waiting digest at the next run."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from hub.core import mail_outbox
from hub.db import read_session
from hub.models import MailMessage, Priority
from tests.conftest import T0
from tests.mail import test_notices as notices
from tests.mail.smtpd import text_of

# The mail tests' world (people with addresses on three platforms and two departments) and SMTP server.
world, server = notices.world, notices.server
preference, publish = notices.preference, notices.publish


def waiting_digest(world, titles):
    """Two notices for b's editor, who reads the digest: made, not sent."""
    preference(world["engine"], "b@example.test", "digest")
    made = [publish(world, {"platforms": [world["b"].code]}, title=t) for t in titles]
    world["mail"].tick(T0 + timedelta(minutes=5))
    return made


def test_switching_to_none_drops_the_waiting_digest(world, server):
    waiting_digest(world, ["First", "Second"])
    preference(world["engine"], "b@example.test", "off")
    d = world["mail"]
    d.tick(T0 + timedelta(minutes=10))
    d.tick(T0 + timedelta(days=1, minutes=1))  # past the digest hour
    assert server.to("b@example.test") == []
    with read_session(world["engine"]) as s:
        rows = s.exec(select(MailMessage)).all()
    assert len(rows) == 2 and all(r.failed_at and r.sent_at is None for r in rows)
    assert {r.last_error for r in rows} == {mail_outbox.DROPPED}


def test_switching_to_none_keeps_urgent_notices(world, server):
    preference(world["engine"], "b@example.test", "off")
    urgent = publish(world, {"platforms": [world["b"].code]}, title="Storm", priority=Priority.URGENT)
    world["mail"].tick(T0 + timedelta(minutes=5))
    (message,) = server.to("b@example.test")
    assert urgent.ref_no in message["Subject"]


def test_switching_to_at_once_sends_the_waiting_digest_at_the_next_run(world, server):
    first, second = waiting_digest(world, ["First", "Second"])
    assert server.to("b@example.test") == []
    preference(world["engine"], "b@example.test", "immediate")
    assert world["mail"].tick(T0 + timedelta(minutes=6)) == 1
    (message,) = server.to("b@example.test")
    assert first.ref_no in text_of(message) and second.ref_no in text_of(message)
    world["mail"].tick(T0 + timedelta(days=1, minutes=1))
    assert len(server.to("b@example.test")) == 1


def test_an_idle_run_with_nothing_overruled_has_no_work(world, server):
    waiting_digest(world, ["First"])
    with read_session(world["engine"]) as s:
        assert not mail_outbox.work_due(s, T0 + timedelta(minutes=6))
