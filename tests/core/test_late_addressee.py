"""A platform registered after a directive was published gets the directive's deadlines counted from its delivery."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from hub.core import deliveries
from hub.core import sweep as core_sweep
from hub.db import read_session, write_session
from hub.models import Event, OrgKind, Priority, Role
from tests import factories as f
from tests.conftest import T0


def chased(engine, platform_id: int) -> list[str]:
    """The reminders and escalations the log holds about one platform."""
    with read_session(engine) as s:
        kinds = s.exec(select(Event.kind).where(Event.org_id == platform_id, Event.delivery_id.is_not(None))).all()
    return [k for k in kinds if k in ("reminded", "escalated")]


def test_a_platform_registered_after_the_deadline_is_not_reminded_nor_escalated_at_once(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    early = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    d = f.published(
        engine,
        T0,
        officer,
        priority=Priority.FLASH,
        ack_due_at=T0 + f.hours(2),
        implement_due_at=T0 + f.hours(6),
    ).directive
    # Three days later both deadlines and every escalation delay have long passed for the first platform.
    late_at = T0 + timedelta(days=3)
    core_sweep.sweep(engine, late_at - timedelta(minutes=1), f.SIGNER)
    assert "escalated" in chased(engine, early.id)

    late = f.org(engine, late_at, OrgKind.PLATFORM, "HCM")
    given = f.delivery_of(engine, d.id, late.id)
    assert given.due_at == late_at + f.hours(2)  # the same two hours to acknowledge, counted from its delivery
    assert given.next_reminder_at == late_at + f.hours(2)
    for minutes in (0, 1, 60, 119):
        core_sweep.sweep(engine, late_at + timedelta(minutes=minutes), f.SIGNER)
        assert chased(engine, late.id) == []

    # Acknowledged in time, it owes the implementation six hours after its delivery, not six after publication.
    editor, _ = f.machine(engine, late_at, late)
    with write_session(engine) as s:
        deliveries.acknowledge(s, editor, late_at + f.hours(1), d.id)
    assert f.delivery_of(engine, d.id, late.id).due_at == late_at + f.hours(6)
    core_sweep.sweep(engine, late_at + f.hours(5), f.SIGNER)
    assert chased(engine, late.id) == []

    # Past its own deadlines it is chased like any platform: reminded, then escalated after the flash delay.
    core_sweep.sweep(engine, late_at + f.hours(6), f.SIGNER)
    core_sweep.sweep(engine, late_at + f.hours(7), f.SIGNER)
    assert chased(engine, late.id) == ["reminded", "reminded", "escalated"]


def test_the_platforms_addressed_at_publication_keep_the_directives_own_deadlines(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    platform = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    d = f.published(engine, T0 + f.hours(1), officer, ack_due_at=T0 + f.hours(3)).directive
    assert f.delivery_of(engine, d.id, platform.id).due_at == T0 + f.hours(3)
