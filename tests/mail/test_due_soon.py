"""A deadline coming up: the platform's editors are mailed once per delivery and phase before it passes, in their
language, and not about a phase the platform has already moved past. Explicit clock; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from hub.core import deliveries
from hub.core.due_soon import DueSoon
from hub.core.sweep import sweep
from hub.core.sweep_batch import Policy
from hub.db import read_session, write_session
from hub.models import Event, Role
from tests import factories as f
from tests.conftest import T0
from tests.mail import test_notices as notices
from tests.mail.smtpd import text_of

WARN = Policy(due_soon=DueSoon(lead=timedelta(hours=24), grace=timedelta(minutes=2)))
ACK_DUE, IMPLEMENT_DUE = T0 + timedelta(hours=10), T0 + timedelta(hours=48)

# The mail tests' world (people with addresses on three platforms and two departments) and SMTP server.
world, server = notices.world, notices.server
preference, publish, received = notices.preference, notices.publish, notices.received


@pytest.fixture
def directive(world):
    """Published at T0 to platform b, received at once (so no "not received" mail): acknowledge within 10 hours,
    implement within 48."""
    d = publish(world, {"platforms": [world["b"].code]}, ack_due_at=ACK_DUE, implement_due_at=IMPLEMENT_DUE)
    received(world["engine"], world["b"], d, T0 + timedelta(seconds=5))
    return d


def run(world, at):
    """A sweep, then the mail job, at ``at``."""
    report = sweep(world["engine"], at, f.SIGNER, WARN)
    world["mail"].tick(at + timedelta(seconds=1))
    return report.warned


def acknowledge(world, directive, at):
    editor = f.user(world["engine"], at, world["b"], Role.EDITOR)
    with write_session(world["engine"]) as s:
        deliveries.acknowledge(s, editor, at, directive.id)


def test_an_approaching_deadline_is_mailed_once_to_the_editors(world, server, directive):
    assert run(world, T0 + timedelta(hours=4)) == 0  # under half of the 10-hour window: not yet "soon"
    assert server.to("b@example.test") == []
    assert run(world, T0 + timedelta(hours=5)) == 1
    assert run(world, T0 + timedelta(hours=6)) == 0  # a second sweep: no second warning
    (message,) = server.to("b@example.test")
    assert message["Subject"] == f"Deadline approaching: {directive.ref_no} {directive.title}"
    assert "must acknowledge" in text_of(message) and f"/inbox/{directive.id}" in text_of(message)
    with read_session(world["engine"]) as s:
        (event,) = s.exec(select(Event).where(Event.kind == "deadline_near")).all()
    assert event.details["phase"] == "acknowledge"  # on the timeline too


def test_acknowledged_before_no_warning_for_that_phase_but_one_for_the_implementation(world, server, directive):
    acknowledge(world, directive, T0 + timedelta(hours=1))
    assert run(world, T0 + timedelta(hours=6)) == 0
    assert server.to("b@example.test") == []
    # Implementation window from the acknowledgement (T0+1h) to T0+48h: half of it has passed at T0+24.5h.
    assert run(world, T0 + timedelta(hours=24)) == 0
    assert run(world, T0 + timedelta(hours=25)) == 1
    (message,) = server.to("b@example.test")
    assert "report the implementation" in text_of(message)


def test_acknowledged_between_the_warning_and_the_mail_no_mail(world, server, directive):
    assert sweep(world["engine"], T0 + timedelta(hours=5), f.SIGNER, WARN).warned == 1
    acknowledge(world, directive, T0 + timedelta(hours=5, seconds=1))
    world["mail"].tick(T0 + timedelta(hours=5, seconds=2))
    assert server.to("b@example.test") == []


def test_a_deadline_already_close_at_publication_is_not_warned_within_the_grace(world, server):
    d = publish(world, {"platforms": [world["b"].code]}, ack_due_at=T0 + timedelta(minutes=5))
    received(world["engine"], world["b"], d, T0 + timedelta(seconds=5))
    assert run(world, T0 + timedelta(minutes=1)) == 0
    assert run(world, T0 + timedelta(minutes=3)) == 1
    assert len(server.to("b@example.test")) == 1


def test_each_editor_reads_the_warning_in_their_language(world, server):
    d = publish(world, {"platforms": [world["a"].code]}, ack_due_at=ACK_DUE, title="Bão số 3")
    received(world["engine"], world["a"], d, T0 + timedelta(seconds=5))
    run(world, T0 + timedelta(hours=5))
    (vi,) = server.to("a.vi@example.test")
    (en,) = server.to("a.en@example.test")
    assert vi["Subject"] == f"Sắp đến hạn: {d.ref_no} Bão số 3"
    assert "phải xác nhận" in text_of(vi) and "18:00 02/03/2026" in text_of(vi)
    assert en["Subject"] == f"Deadline approaching: {d.ref_no} Bão số 3"
    assert "must acknowledge" in text_of(en) and "18:00 02/03/2026" in text_of(en)


def test_a_digest_reader_is_warned_at_once_when_the_digest_would_come_after_the_deadline(world, server, directive):
    preference(world["engine"], "b@example.test", "digest")
    run(world, T0 + timedelta(hours=5))  # the next digest is tomorrow 08:00, after the deadline at 18:00 today
    assert len(server.to("b@example.test")) == 1
