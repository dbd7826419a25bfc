"""Machine receipts, many at a time: the *delivered* fact that every platform reports for every directive at once.

Set-based (one read, one conditional update, one bulk log insert per batch) so that the group-commit writer keeps up
with a fan-out to thousands of platforms; :func:`receipt` is the one-receipt call on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from hub.core import log
from hub.core.access import Principal, require_platform
from hub.core.deliveries import Change
from hub.core.errors import InvalidInput, NotFound
from hub.models import Delivery, DeliveryState, Organisation


@dataclass
class ReceiptIn:
    """A receipt as it arrives: which platform, attributed to whom, and the directive id or the platform seq."""

    platform_id: int
    actor: str
    directive_id: int | None = None
    seq: int | None = None


@dataclass
class Received:
    """A delivery as a receipt left it (plain values: a batch may hold thousands)."""

    id: int
    directive_id: int
    platform_id: int
    seq: int
    state: str
    delivered_at: datetime | None
    changed: bool = False  # this batch moved it from pending to delivered


def record_receipts(
    session: Session, now: datetime, receipts: list[ReceiptIn]
) -> list[tuple[ReceiptIn, Received | None]]:
    """Record many machine receipts in one transaction (the group-commit writer's call); idempotent.

    Set-based: one read, one conditional update and one bulk log insert per batch. Returns each receipt with its
    delivery (None when it names nothing of that platform's).
    """
    conds = _named(receipts)
    if not conds:
        return [(r, None) for r in receipts]
    table = Delivery.__table__
    conn = session.connection()
    columns = (table.c.id, table.c.directive_id, table.c.platform_id, table.c.seq, table.c.state, table.c.delivered_at)
    found = [Received(*row) for row in conn.execute(sa.select(*columns).where(sa.or_(*conds)))]
    index_id = {(d.platform_id, d.directive_id): d for d in found}
    index_seq = {(d.platform_id, d.seq): d for d in found}
    results: list[tuple[ReceiptIn, Received | None]] = []
    first_actor: dict[int, str] = {}
    for receipt in receipts:
        if receipt.directive_id is not None:
            delivery = index_id.get((receipt.platform_id, receipt.directive_id))
        else:
            delivery = index_seq.get((receipt.platform_id, receipt.seq))
        results.append((receipt, delivery))
        if delivery is not None and delivery.state == DeliveryState.PENDING:
            first_actor.setdefault(delivery.id, receipt.actor)
    if first_actor:
        _mark_delivered(session, now, first_actor, {d.id: d for d in found})
    return results


def _named(receipts: list[ReceiptIn]) -> list[sa.ColumnElement[bool]]:
    """What the receipts name: deliveries by (directive, platform) and by (platform, seq)."""
    table = Delivery.__table__
    by_id = [r for r in receipts if r.directive_id is not None]
    by_seq = [r for r in receipts if r.directive_id is None and r.seq is not None]
    conds = []
    if by_id:
        # Two plain INs use the (directive_id, platform_id) index on SQLite, where a row-value IN scans the table;
        # the exact pairs are picked by record_receipts.
        conds.append(
            sa.and_(
                table.c.directive_id.in_({r.directive_id for r in by_id}),
                table.c.platform_id.in_({r.platform_id for r in by_id}),
            )
        )
    if by_seq:
        conds.append(
            sa.and_(
                table.c.platform_id.in_({r.platform_id for r in by_seq}),
                table.c.seq.in_({r.seq for r in by_seq}),
            )
        )
    return conds


def _mark_delivered(session: Session, now: datetime, actors: dict[int, str], rows: dict[int, Received]) -> None:
    """Move pending deliveries to delivered (only those still pending) and log one event for each."""
    table = Delivery.__table__
    conn = session.connection()
    changed = conn.execute(
        table.update()
        .where(table.c.id.in_(list(actors)), table.c.state == DeliveryState.PENDING.value)
        .values(state=DeliveryState.DELIVERED.value, delivered_at=now)
        .returning(table.c.id)
    ).scalars()
    changed = sorted(changed)
    org = Organisation.__table__
    platform_ids = {rows[i].platform_id for i in changed}
    provinces = dict(conn.execute(sa.select(org.c.id, org.c.province).where(org.c.id.in_(platform_ids))).all())
    events = []
    for delivery_id in changed:
        row = rows[delivery_id]
        row.state, row.delivered_at, row.changed = DeliveryState.DELIVERED.value, now, True
        events.append(
            log.EventDraft(
                "delivered",
                actors[delivery_id],
                now,
                org_id=row.platform_id,
                province=provinces.get(row.platform_id),
                directive_id=row.directive_id,
                delivery_id=row.id,
                details={"seq": row.seq},
            )
        )
    log.append_many(session, events)


def receipt(
    session: Session, principal: Principal, now: datetime, *, directive_id: int | None = None, seq: int | None = None
) -> Change:
    """Record that the platform's system has received a delivery (by directive id or by its own sequence number)."""
    require_platform(principal)
    if (directive_id is None) == (seq is None):
        raise InvalidInput("delivery_target_missing")
    ((_, found),) = record_receipts(session, now, [ReceiptIn(principal.org_id, principal.label, directive_id, seq)])
    if found is None:
        raise NotFound("delivery_not_in_inbox")
    delivery = session.get(Delivery, found.id, populate_existing=True)
    return Change(delivery, found.changed, ("delivered",) if found.changed else ())
