"""The reminder policy: a directive without its own settings follows the default for its priority."""

from __future__ import annotations

from hub.core import reminder_policy
from hub.models import OrgKind, Role
from tests import factories as f
from tests.conftest import T0
from tests.core.sweeping import sweep


def test_an_urgent_directive_without_settings_follows_the_default_policy(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    platform = f.org(engine, T0, OrgKind.PLATFORM, "HCM")
    pub = f.published(engine, T0, officer, priority="urgent")
    rules = reminder_policy.DEFAULT_POLICIES["urgent"]
    due = pub.directive.ack_due_at
    for k in range(rules.limit):
        sweep(engine, due + k * rules.interval)
    shown = f.delivery_of(engine, pub.directive.id, platform.id)
    assert shown.reminders_sent == rules.limit and shown.next_reminder_at is None
    assert shown.escalated_at is None
    sweep(engine, due + rules.escalate_after)
    assert f.delivery_of(engine, pub.directive.id, platform.id).escalated_at == due + rules.escalate_after
