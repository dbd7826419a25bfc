"""Every delivery's state must agree with its events: a row set to "implemented" with no event is a forgery.

The deliveries service logs every step of every move of its table (``deliveries.MOVES``), implied steps included and
the target last: the events of ``deliveries.STATE_EVENTS`` name the state they leave, ``status_changed`` carries it
in its details. So the newest of those events of a delivery names the state it must be in, and a delivery with none
must be pending.
The check is set-based: per range of delivery ids, one query finds the newest state event of each delivery (by the
``(delivery_id, id)`` index) and returns only the rows that disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from hub.core.deliveries import STATE_EVENTS, STATUS_CHANGED
from hub.models import Delivery, DeliveryState, Event

STATE_KINDS = (*STATE_EVENTS, STATUS_CHANGED)
EXAMPLES = 20


@dataclass
class Disagreement:
    """A delivery whose state its events do not explain."""

    delivery_id: int
    state: str
    logged: str | None  # the state its newest event gives (None: no event at all, so it should be pending)


@dataclass
class DeliveryAudit:
    """How many deliveries were checked, how many disagree, and the first few of them."""

    checked: int = 0
    bad: int = 0
    examples: list[Disagreement] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.bad == 0


def _logged_state() -> sa.ColumnElement[str]:
    event = Event.__table__
    return sa.case(
        *((event.c.kind == kind, state.value) for kind, state in STATE_EVENTS.items()),
        else_=event.c.details["state"].as_string(),
    )


def _disagreements(lo: int, hi: int) -> sa.Select:
    """The deliveries with ids in [lo, hi) whose state differs from the one their newest state event gives."""
    delivery, event = Delivery.__table__, Event.__table__
    newest = (
        sa.select(event.c.delivery_id, sa.func.max(event.c.id).label("event_id"))
        .where(event.c.delivery_id >= lo, event.c.delivery_id < hi, event.c.kind.in_(STATE_KINDS))
        .group_by(event.c.delivery_id)
        .subquery()
    )
    logged = _logged_state()
    return (
        sa.select(delivery.c.id, delivery.c.state, logged)
        .select_from(delivery)
        .outerjoin(newest, newest.c.delivery_id == delivery.c.id)
        .outerjoin(event, event.c.id == newest.c.event_id)
        .where(
            delivery.c.id >= lo,
            delivery.c.id < hi,
            sa.func.coalesce(logged, DeliveryState.PENDING.value) != delivery.c.state,
        )
        .order_by(delivery.c.id)
    )


def audit(session: Session, batch: int = 20_000) -> DeliveryAudit:
    """Compare every delivery's state with its events, ``batch`` delivery ids at a time."""
    table = Delivery.__table__
    result = DeliveryAudit()
    conn = session.connection()
    low, high = conn.execute(sa.select(sa.func.min(table.c.id), sa.func.max(table.c.id))).one()
    if low is None:
        return result
    result.checked = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    for lo in range(low, high + 1, batch):
        for delivery_id, state, logged in conn.execute(_disagreements(lo, lo + batch)):
            result.bad += 1
            if len(result.examples) < EXAMPLES:
                result.examples.append(Disagreement(delivery_id, state, logged))
    return result
