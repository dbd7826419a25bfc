"""Escalation: when a delivery will be escalated, shown beside its next reminder."""

from __future__ import annotations

from hub.core import escalations
from hub.models import OrgKind, Role
from tests import factories as f
from tests.conftest import T0
from tests.core.sweeping import at, sweep


def test_a_delivery_shows_its_next_reminder_and_escalation(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    platform = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    pub = f.published(
        engine, T0, officer, ack_due_at=at(2), remind_interval_minutes=30, remind_limit=3, escalate_after_minutes=90
    )
    shown = f.delivery_of(engine, pub.directive.id, platform.id)
    assert shown.next_reminder_at == at(2)
    assert escalations.next_escalation_at(shown, pub.directive) == at(3, 30)
    # A sweep long after the deadline sends one reminder, not one per missed slot, and stays on the grid.
    sweep(engine, at(3, 10))
    shown = f.delivery_of(engine, pub.directive.id, platform.id)
    assert (shown.reminders_sent, shown.next_reminder_at, shown.last_reminded_at) == (1, at(3, 30), at(3, 10))
