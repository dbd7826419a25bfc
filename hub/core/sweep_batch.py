"""One batch of the sweep: the policy that sizes it and the outcome it hands to the adapter once committed.

Reminders, escalations, expiries, scheduled publications and report requests each run in batches of their own;
each batch returns an :class:`Outcome`, written by the actor ``ACTOR`` in the follow-through log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hub.core import directives
from hub.core.reminder_policy import DEFAULT_POLICIES, ReminderPolicy
from hub.models import Priority

if TYPE_CHECKING:
    from hub.core.due_soon import DueSoon

ACTOR = "system:scheduler"


@dataclass(frozen=True)
class Policy:
    """How the sweep works: rows per transaction and the default reminder policy by priority."""

    batch_size: int = 2000
    defaults: Mapping[Priority, ReminderPolicy] = field(default_factory=lambda: dict(DEFAULT_POLICIES))
    retries: int = 3
    due_soon: DueSoon | None = None  # warn before deadlines (only when mail is on: the warning is a mail)


@dataclass
class ReminderSent:
    platform_id: int
    payload: dict[str, Any]


@dataclass
class Escalation:
    province: str | None
    payload: dict[str, Any]


@dataclass
class Outcome:
    """What one committed batch did, for the adapter to announce."""

    published: list[directives.Published] = field(default_factory=list)
    reminders: list[ReminderSent] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)  # directives whose progress counts changed
    selected: int = 0  # rows the batch looked at (a full batch means there may be more)
    cursor: int = 0  # the last delivery id it looked at, where the next batch starts
    warned: int = 0  # deliveries told their deadline is near (logged; nothing to push)

    @property
    def empty(self) -> bool:
        return not (self.published or self.reminders or self.escalations or self.expired)
