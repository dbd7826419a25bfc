"""The writer's batch of acknowledgements (set-based for the common case) leaves every delivery, answer and log event
exactly as the state machine applying the same changes one by one does; on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from hub.core import acknowledgements, deliveries, directives, receipts
from hub.core.deliveries import Applied, ChangeIn
from hub.core.errors import HubError
from hub.db import write_session
from hub.models import Delivery, Event, OrgKind, Role
from tests import factories as f
from tests.conftest import T0

# What each of the seven platforms has before the batch, and what the batch holds for it: every case the common
# path takes, and every case it must leave to the state machine.
BEFORE = ["pending", "delivered", "pending", "declined", "pending", "delivered", "pending"]
LATE = {4}  # its delivery was made three hours after the others: its deadline is counted from then


def _batch(editors, outsider, directive_id: int) -> list[ChangeIn]:
    ack = [ChangeIn(e, directive_id, "acknowledged") for e in editors]
    return [
        ack[0],
        ack[1],
        ack[2],
        ack[2],  # a repeat within the batch
        ack[3],  # of a declined delivery: refused
        ChangeIn(editors[5], directive_id, "in_progress"),  # a status before the acknowledgement of the same one
        ack[5],
        ack[4],
        ChangeIn(outsider, directive_id, "acknowledged"),  # a platform the directive was not sent to
        ChangeIn(editors[6], directive_id, "acknowledged", "đã đọc"),  # with a report: the state machine's
    ]


def _world(engine, officer, editors, revoked: bool = False) -> int:
    """A directive to the seven platforms, each brought to its state of BEFORE."""
    d = f.published(engine, T0, officer, {"provinces": ["HNI"]}).directive
    late = [editors[i].org_id for i in LATE]
    with engine.begin() as conn:
        table = Delivery.__table__
        where = sa.and_(table.c.directive_id == d.id, table.c.platform_id.in_(late))
        conn.execute(table.update().where(where).values(created_at=T0 + f.hours(3)))
    with write_session(engine) as s:
        for editor, state in zip(editors, BEFORE, strict=True):
            if state == "delivered":
                receipts.receipt(s, editor, T0, directive_id=d.id)
            elif state == "declined":
                deliveries.set_status(s, editor, T0, d.id, "declined", "không áp dụng")
        if revoked:
            directives.revoke(s, officer, T0, d.id, "thu hồi")
    return d.id


def _outcome(engine, directive_id: int, answers: list[Applied | HubError]) -> tuple:
    """Everything a reader could tell apart, with the directive's own ids taken out."""
    said = [(a.code,) if isinstance(a, HubError) else (a.state, a.changed, a.events) for a in answers]
    table, events = Delivery.__table__, Event.__table__
    columns = [c for c in table.c if c.name not in ("id", "directive_id", "seq")]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*columns).where(table.c.directive_id == directive_id).order_by(table.c.id))
        query = sa.select(events.c.kind, events.c.actor, events.c.org_id, events.c.details, events.c.at)
        of_deliveries = sa.and_(events.c.directive_id == directive_id, events.c.delivery_id.is_not(None))
        logged = conn.execute(query.where(of_deliveries).order_by(events.c.id))
        # Each delivery's events in their order (a batch's receipts and common acknowledgements are logged before
        # the state machine's changes, as the writer always has for receipts), its seq taken out of the details.
        by_platform: dict[int, list[tuple]] = {}
        for e in logged:
            details = {k: v for k, v in e.details.items() if k != "seq"}
            by_platform.setdefault(e.org_id, []).append((e.kind, e.actor, details, e.at))
        return said, rows.all(), by_platform


def _both_ways(engine, revoked: bool = False) -> None:
    officer = f.user(engine, T0, f.org(engine, T0, OrgKind.REGULATOR), Role.OFFICER)
    editors = [f.user(engine, T0, f.org(engine, T0, OrgKind.PLATFORM, "HNI"), Role.EDITOR) for _ in BEFORE]
    outsider = f.user(engine, T0, f.org(engine, T0, OrgKind.PLATFORM, "HCM"), Role.EDITOR)
    now = T0 + f.hours(5)
    outcomes = []
    for apply in (acknowledgements.apply_batch, deliveries.apply_changes):
        directive_id = _world(engine, officer, editors, revoked)
        with write_session(engine) as s:
            answers = apply(s, now, _batch(editors, outsider, directive_id))
        outcomes.append(_outcome(engine, directive_id, answers))
    assert outcomes[0] == outcomes[1]
    return outcomes[0]


def test_a_batch_leaves_what_the_state_machine_would_leave(engine):
    said, rows, logged = _both_ways(engine)
    assert said[:5] == [
        ("acknowledged", True, ("delivered", "acknowledged")),
        ("acknowledged", True, ("acknowledged",)),
        ("acknowledged", True, ("delivered", "acknowledged")),
        ("acknowledged", False, ()),
        ("delivery_already_final",),
    ]
    assert said[7] == ("acknowledged", True, ("delivered", "acknowledged"))
    assert said[8] == ("directive_not_in_inbox",)
    batch = T0 + f.hours(5)
    kinds = [[kind for kind, _, _, at in events if at == batch] for _, events in sorted(logged.items())]
    assert kinds == [
        ["delivered", "acknowledged"],
        ["acknowledged"],
        ["delivered", "acknowledged"],
        [],
        ["delivered", "acknowledged"],
        ["acknowledged", "status_changed"],
        ["delivered", "acknowledged"],
    ]
    late, on_time = rows[4], rows[0]
    assert late.due_at == on_time.due_at + f.hours(3) and late.acknowledged_at == batch


def test_a_batch_on_a_revoked_directive_changes_nothing_either_way(engine):
    said, _, logged = _both_ways(engine, revoked=True)
    assert said == [("directive_revoked",)] * 8 + [("directive_not_in_inbox",), ("directive_revoked",)]
    assert all(at < T0 + f.hours(5) for events in logged.values() for *_, at in events)  # nothing logged by the batch
