"""When a delivery is owed a reminder or an escalation: its deadline phase and the reminder policy of each priority."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from hub.models import DeliveryState, Directive, Priority

ACKNOWLEDGE, IMPLEMENT = "acknowledge", "implement"


PHASE_STATES = {
    ACKNOWLEDGE: (DeliveryState.PENDING, DeliveryState.DELIVERED),
    IMPLEMENT: (DeliveryState.ACKNOWLEDGED, DeliveryState.IN_PROGRESS),
}


@dataclass(frozen=True)
class ReminderPolicy:
    """How often a platform is reminded of a passed deadline, how many times, and when it is escalated."""

    interval: timedelta
    limit: int
    escalate_after: timedelta


# What applies when the officer leaves a directive's reminder settings empty.
DEFAULT_POLICIES: Mapping[Priority, ReminderPolicy] = {
    Priority.FLASH: ReminderPolicy(timedelta(minutes=15), 4, timedelta(hours=1)),
    Priority.URGENT: ReminderPolicy(timedelta(hours=1), 4, timedelta(hours=4)),
    Priority.ROUTINE: ReminderPolicy(timedelta(hours=12), 3, timedelta(days=2)),
}


def policy_for(directive: Directive, defaults: Mapping[Priority, ReminderPolicy] = DEFAULT_POLICIES) -> ReminderPolicy:
    """The directive's own reminder settings, with the priority's defaults for those left empty."""
    base = defaults[Priority(directive.priority)]
    return ReminderPolicy(
        interval=timedelta(minutes=directive.remind_interval_minutes)
        if directive.remind_interval_minutes
        else base.interval,
        limit=directive.remind_limit if directive.remind_limit is not None else base.limit,
        escalate_after=timedelta(minutes=directive.escalate_after_minutes)
        if directive.escalate_after_minutes is not None
        else base.escalate_after,
    )


def phase_of(state: DeliveryState | str) -> str | None:
    """Which deadline a delivery in ``state`` is working towards (None once implemented or declined)."""
    for phase, states in PHASE_STATES.items():
        if state in states:
            return phase
    return None
