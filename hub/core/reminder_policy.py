"""When a delivery is owed a reminder or an escalation: its deadline phase and the reminder policy of each priority."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

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


def deadlines_for(directive: Directive, delivered_from: datetime) -> tuple[datetime | None, datetime | None]:
    """A delivery's acknowledgement and implementation deadlines: the directive's, counted from the delivery.

    A platform addressed at publication gets the directive's own deadlines. A platform registered later (or added to
    the audience later) gets the same windows counted from when its delivery was made, so it is never overdue for
    time that passed before it existed (see docs/deadlines.md).
    """
    late_by = max(delivered_from - directive.published_at, timedelta(0)) if directive.published_at else timedelta(0)
    ack = directive.ack_due_at + late_by if directive.ack_due_at else None
    implement = directive.implement_due_at + late_by if directive.implement_due_at else None
    return ack, implement


def phase_of(state: DeliveryState | str) -> str | None:
    """Which deadline a delivery in ``state`` is working towards (None once implemented or declined)."""
    for phase, states in PHASE_STATES.items():
        if state in states:
            return phase
    return None
