"""The delivery state machine (``MOVES``), idempotency and the issuer's review; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select

from hub.core import deliveries, receipts
from hub.core.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from hub.core.reminder_policy import deadlines_for
from hub.db import read_session, write_session
from hub.models import Delivery, DeliveryState, Event, OrgKind, Role
from tests import factories as f
from tests.conftest import T0


def test_acknowledging_implies_delivered_and_is_idempotent(setup):
    engine, _, editor, _, d = setup
    with write_session(engine) as s:
        change = deliveries.acknowledge(s, editor, T0, d.id)
    assert change.changed
    row = f.delivery_of(engine, d.id, editor.org_id)
    assert row.state == DeliveryState.ACKNOWLEDGED and row.delivered_at == T0 and row.acknowledged_by == editor.label
    assert row.due_at == d.implement_due_at
    before = f.event_count(engine)
    with write_session(engine) as s:
        assert not deliveries.acknowledge(s, editor, T0, d.id).changed
    assert f.event_count(engine) == before


def test_full_forward_path_logs_each_step(setup):
    engine, _, editor, _, d = setup
    with write_session(engine) as s:
        receipts.receipt(s, editor, T0, directive_id=d.id)
        deliveries.acknowledge(s, editor, T0, d.id)
        deliveries.set_status(s, editor, T0, d.id, "in_progress", "working on it")
        deliveries.set_status(s, editor, T0, d.id, "implemented", "removed 12 items")
    row = f.delivery_of(engine, d.id, editor.org_id)
    assert row.state == DeliveryState.IMPLEMENTED and row.report == "removed 12 items" and row.due_at is None
    with read_session(engine) as s:
        kinds = list(s.exec(select(Event.kind).where(Event.delivery_id == row.id).order_by(Event.id)))
    assert kinds == ["delivered", "acknowledged", "status_changed", "status_changed"]


@pytest.mark.parametrize(
    ("state", "report", "error"),
    [
        ("declined", None, InvalidInput),
        ("implemented", "", InvalidInput),
        ("pending", None, InvalidInput),
        ("bogus", None, InvalidInput),
    ],
)
def test_bad_status_requests_are_refused_and_change_nothing(setup, state, report, error):
    engine, _, editor, _, d = setup
    before = f.event_count(engine)
    with write_session(engine) as s, pytest.raises(error):
        deliveries.set_status(s, editor, T0, d.id, state, report)
    assert f.delivery_of(engine, d.id, editor.org_id).state == DeliveryState.PENDING
    assert f.event_count(engine) == before


def test_states_never_go_back_and_final_states_stay_final(setup):
    engine, _, editor, _, d = setup
    with write_session(engine) as s:
        deliveries.set_status(s, editor, T0, d.id, "in_progress")
    with write_session(engine) as s:
        assert not deliveries.acknowledge(s, editor, T0, d.id).changed  # implied already: a repeat, not an error
    assert f.delivery_of(engine, d.id, editor.org_id).state == DeliveryState.IN_PROGRESS
    with write_session(engine) as s:
        deliveries.set_status(s, editor, T0, d.id, "declined", "not applicable: we publish no video")
    with write_session(engine) as s, pytest.raises(InvalidTransition):
        deliveries.set_status(s, editor, T0, d.id, "implemented", "done")
    with write_session(engine) as s, pytest.raises(InvalidTransition):
        deliveries.set_status(s, editor, T0, d.id, "in_progress")


def test_platform_cannot_touch_another_platforms_delivery(setup):
    engine, officer, _editor, _, d = setup
    outsider_platform = f.org(engine, T0, OrgKind.PLATFORM, "HCM")
    outsider = f.user(engine, T0, outsider_platform, Role.EDITOR)
    with write_session(engine) as s, pytest.raises(NotFound):
        deliveries.acknowledge(s, outsider, T0, d.id)
    with write_session(engine) as s, pytest.raises(Forbidden):
        deliveries.acknowledge(s, officer, T0, d.id)


def test_revoked_directive_needs_no_more_work(setup):
    engine, officer, editor, _, d = setup
    from hub.core import directives

    with write_session(engine) as s:
        directives.revoke(s, officer, T0, d.id, "withdrawn")
    with write_session(engine) as s, pytest.raises(InvalidTransition, match="revoked"):
        deliveries.acknowledge(s, editor, T0, d.id)


def test_issuer_verifies_or_returns_a_report(setup):
    engine, officer, editor, _, d = setup
    with write_session(engine) as s:
        deliveries.set_status(s, editor, T0, d.id, "implemented", "done")
    row = f.delivery_of(engine, d.id, editor.org_id)
    with write_session(engine) as s, pytest.raises(InvalidInput):
        deliveries.review_report(s, officer, T0, row.id, "returned")
    with write_session(engine) as s:
        returned = deliveries.review_report(s, officer, T0, row.id, "returned", "attach the list of removed items")
    assert returned.delivery.state == DeliveryState.IN_PROGRESS and returned.delivery.due_at is not None
    with write_session(engine) as s:
        deliveries.set_status(s, editor, T0, d.id, "implemented", "done, list attached")
        verified = deliveries.review_report(s, officer, T0, row.id, "verified")
    assert verified.delivery.verification == "verified"
    with write_session(engine) as s, pytest.raises(Forbidden):
        deliveries.review_report(s, editor, T0, row.id, "verified")


def test_a_batch_of_changes_leaves_each_row_as_one_change_at_a_time_would(engine):
    """The writer's batch: rows that share a change are written in one statement with what differs per row bound
    (who, which report, a deadline counted from a later delivery); each row must hold its own values."""
    officer = f.user(engine, T0, f.org(engine, T0, OrgKind.REGULATOR), Role.OFFICER)
    editors = [f.user(engine, T0, f.org(engine, T0, OrgKind.PLATFORM, "HNI"), Role.EDITOR) for _ in range(7)]
    d = f.published(engine, T0, officer, {"provinces": ["HNI"]}).directive
    late = {editors[4].org_id, editors[5].org_id}  # reached later: their deadlines count from their own delivery
    with engine.begin() as conn:
        table = Delivery.__table__
        conn.execute(table.update().where(table.c.platform_id.in_(late)).values(created_at=T0 + f.hours(3)))
    with write_session(engine) as s:
        receipts.receipt(s, editors[1], T0, directive_id=d.id)
        deliveries.set_status(s, editors[6], T0, d.id, "implemented", "gỡ 2 bài")
    asked = [
        (0, "acknowledged", None),
        (1, "acknowledged", None),
        (2, "implemented", "gỡ 3 bài"),
        (3, "declined", "không áp dụng"),
        (4, "acknowledged", None),
        (5, "in_progress", None),
        (6, "implemented", "gỡ 2 bài, thêm 1"),
    ]
    now = T0 + f.hours(4)
    with write_session(engine) as s:
        changes = [deliveries.ChangeIn(editors[i], d.id, state, report) for i, state, report in asked]
        applied = deliveries.apply_changes(s, now, changes)
    assert [a.state for a in applied] == [state for _, state, _ in asked]
    rows = [f.delivery_of(engine, d.id, e.org_id) for e in editors]
    said = [e.label for e in editors]
    assert [r.acknowledged_by for r in rows] == [*said[:3], None, *said[4:]]  # declining is no acknowledgement
    assert [r.delivered_at for r in rows] == [now, T0, now, None, now, now, T0]
    assert [r.report for r in rows] == [None, None, "gỡ 3 bài", None, None, None, "gỡ 2 bài, thêm 1"]
    assert rows[3].decline_reason == "không áp dụng" and rows[3].due_at is None
    implement_due = [deadlines_for(d, r.created_at)[1] for r in rows]
    assert [r.due_at for r in rows] == [implement_due[0], implement_due[1], None, None, *implement_due[4:6], None]
    assert implement_due[4] == implement_due[0] + f.hours(3)
    assert [r.next_reminder_at for r in rows] == [r.due_at for r in rows]
