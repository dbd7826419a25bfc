"""Acknowledgements many at a time: the second thing every platform sends for every directive, all at once.

The common case — a delivery still pending or delivered, of a directive in force, acknowledged once in the batch —
is set-based like the receipts: one narrow locked read, each deadline from :mod:`hub.core.reminder_policy`, one
UPDATE per deadline (and implied receipt) with who acknowledged bound per row, and one bulk log insert. The move and
its events are :data:`hub.core.deliveries.MOVES`' own. Anything else (a repeat, a final state, a directive no longer
in force, a delivery the platform does not have) is left to :func:`hub.core.deliveries.apply_changes`, which says
why.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import delivery_rows, log
from hub.core.access import is_platform_member
from hub.core.deliveries import ACKNOWLEDGED, DELIVERED, MOVES, PENDING, Applied, ChangeIn, apply_changes, step_events
from hub.core.directives import in_force
from hub.core.errors import HubError
from hub.core.reminder_policy import deadlines_for
from hub.models import Delivery, Directive, Organisation

_MOVE = {state.value: MOVES[(state, ACKNOWLEDGED)] for state in (PENDING, DELIVERED)}  # from the open states


def plain(change: ChangeIn) -> bool:
    """An acknowledgement this module may record (the state machine decides everything else)."""
    return change.state in (ACKNOWLEDGED, ACKNOWLEDGED.value) and change.report is None


def record_acknowledgements(session: Session, now: datetime, acks: list[ChangeIn]) -> list[Applied | None]:
    """Record the common case of each acknowledgement (all :func:`plain`); None for the others, to be applied by
    :func:`hub.core.deliveries.apply_changes` afterwards in the same transaction."""
    rows, directives = _locked(session, acks)
    in_force_ids = {i for i, directive in directives.items() if in_force(directive)}
    dues: dict[tuple[int, datetime], datetime | None] = {}  # a directive's deliveries were mostly made together
    groups: dict[tuple[str, datetime | None], list[tuple[sa.Row, str]]] = {}  # one UPDATE each
    results: list[Applied | None] = []
    drafts: list[log.EventDraft] = []
    for ack in acks:
        row = rows.pop((ack.principal.org_id, ack.directive_id), None) if is_platform_member(ack.principal) else None
        # popped: a second acknowledgement of the delivery in the batch is a repeat, for the state machine
        if (
            row is None
            or row.acknowledged_at is not None
            or row.state not in _MOVE
            or row.directive_id not in in_force_ids
        ):
            results.append(None)
            continue
        key = (row.directive_id, row.created_at)
        if key not in dues:
            dues[key] = deadlines_for(directives[row.directive_id], row.created_at)[1]
        groups.setdefault((row.state, dues[key]), []).append((row, ack.principal.label))
        events = step_events(row, ack.principal.label, now, _MOVE[row.state], None)
        drafts += events
        results.append(
            Applied(row.id, row.directive_id, row.seq, ACKNOWLEDGED.value, True, tuple(e.kind for e in events))
        )
    for (state, due), members in groups.items():
        alike = {"state": ACKNOWLEDGED.value, "acknowledged_at": now, "due_at": due, "next_reminder_at": due}
        alike |= {"reminders_sent": 0} | ({"delivered_at": now} if state == PENDING.value else {})
        actors = {"acknowledged_by": [actor for _, actor in members]}
        delivery_rows.update_each(session, alike, actors, [row.id for row, _ in members])
    log.append_many(session, drafts)
    return results


def _locked(session: Session, acks: list[ChangeIn]) -> tuple[dict[tuple[int, int], sa.Row], dict[int, Directive]]:
    """The acknowledged deliveries' few columns an acknowledgement needs (and their platforms' provinces), locked
    until the commit as :func:`hub.core.delivery_rows.locked` does; and their directives."""
    table, org = Delivery.__table__, Organisation.__table__
    columns = (table.c.id, table.c.directive_id, table.c.platform_id, table.c.seq, table.c.state, table.c.created_at)
    query = (
        sa.select(*columns, table.c.acknowledged_at, org.c.province)
        .join_from(table, org, org.c.id == table.c.platform_id)
        .where(table.c.directive_id.in_({a.directive_id for a in acks}))
        .where(table.c.platform_id.in_({a.principal.org_id for a in acks if a.principal.org_id is not None}))
        .order_by(table.c.id)
        .with_for_update(of=table)
    )
    rows = {(r.platform_id, r.directive_id): r for r in session.execute(query)}
    ids = {r.directive_id for r in rows.values()}
    directives = {d.id: d for d in session.exec(select(Directive).where(Directive.id.in_(ids)))} if ids else {}
    return rows, directives


def apply_batch(session: Session, now: datetime, changes: list[ChangeIn]) -> list[Applied | HubError]:
    """Every change of a batch (the group-commit writer's call), as :func:`hub.core.deliveries.apply_changes` would
    apply them in order: the common acknowledgements set-based, the rest through the state machine afterwards. An
    acknowledgement of a delivery that another change of the batch touches keeps its place among those."""
    others = {(c.principal.org_id, c.directive_id) for c in changes if not plain(c)}
    at_plain = [i for i, c in enumerate(changes) if plain(c) and (c.principal.org_id, c.directive_id) not in others]
    results: list[Applied | HubError | None] = [None] * len(changes)
    for i, done in zip(at_plain, record_acknowledgements(session, now, [changes[i] for i in at_plain]), strict=True):
        results[i] = done
    rest = [i for i, done in enumerate(results) if done is None]
    for i, done in zip(rest, apply_changes(session, now, [changes[i] for i in rest]), strict=True):
        results[i] = done
    return results  # type: ignore[return-value]  # every place filled
