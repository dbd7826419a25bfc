"""The sweep: scheduled publication, reminders, escalation and expiry over a directive's life, batches broken off,
sweepers racing; with explicit times."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from hub.core import deliveries, directives, log
from hub.core import sweep as core_sweep
from hub.core.sweep_batch import Policy
from hub.db import read_session, write_session
from hub.models import Delivery, DirectiveStatus, Event, OrgKind, Role
from tests import factories as f
from tests.conftest import T0
from tests.core.sweeping import at, sweep


def directive_events(engine, directive_id: int, names: dict[int, str]) -> list[tuple]:
    """The log of one directive as (kind, platform name or None, phase) in order."""
    with read_session(engine) as s:
        rows = s.exec(select(Event).where(Event.directive_id == directive_id).order_by(Event.id)).all()
    return [(e.kind, names.get(e.org_id) if e.delivery_id else None, e.details.get("phase"), e.at - T0) for e in rows]


def test_a_directive_lives_its_whole_life_on_time_and_the_log_tells_it(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    a = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    b = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    editor_a, _ = f.machine(engine, T0, a)
    editor_b, _ = f.machine(engine, T0, b)
    with write_session(engine) as s:
        d = directives.create(
            s,
            officer,
            T0,
            f.draft(
                publish_at=at(1),
                ack_due_at=at(3),
                implement_due_at=at(10),
                expires_at=at(20),
                remind_interval_minutes=60,
                remind_limit=2,
                escalate_after_minutes=120,
            ),
        )
    announced: list = []
    assert sweep(engine, at(0, 30), announced).published == 0
    # The hub was down at 1:00; the next sweep publishes it, and the log says how late.
    assert sweep(engine, at(1, 5), announced).published == 1
    with write_session(engine) as s:
        deliveries.acknowledge(s, editor_a, at(2), d.id)
    for hour, minute in [(3, 0), (3, 30), (4, 0), (5, 0), (6, 0)]:
        sweep(engine, at(hour, minute), announced)
    assert f.delivery_of(engine, d.id, b.id).next_reminder_at is None  # limit reached
    with write_session(engine) as s:
        deliveries.acknowledge(s, editor_b, at(7), d.id)
    sweep(engine, at(10), announced)
    with write_session(engine) as s:
        deliveries.set_status(s, editor_a, at(10, 30), d.id, "implemented", "Removed the items.")
    for hour in (11, 12, 20, 30):
        sweep(engine, at(hour), announced)

    names = {a.id: "A", b.id: "B"}
    h = timedelta(hours=1)
    assert directive_events(engine, d.id, names) == [
        ("scheduled", None, None, 0 * h),
        ("published", None, None, 1 * h + timedelta(minutes=5)),
        ("delivered", "A", None, 2 * h),
        ("acknowledged", "A", None, 2 * h),
        ("reminded", "B", "acknowledge", 3 * h),
        ("reminded", "B", "acknowledge", 4 * h),
        ("escalated", "B", "acknowledge", 5 * h),
        ("delivered", "B", None, 7 * h),
        ("acknowledged", "B", None, 7 * h),
        ("reminded", "A", "implement", 10 * h),
        ("reminded", "B", "implement", 10 * h),
        ("status_changed", "A", None, 10 * h + timedelta(minutes=30)),
        ("status_changed", "A", None, 10 * h + timedelta(minutes=30)),
        ("reminded", "B", "implement", 11 * h),
        ("escalated", "B", "implement", 12 * h),
        ("expired", None, None, 20 * h),
    ]
    with read_session(engine) as s:
        published = s.exec(select(Event).where(Event.kind == "published", Event.directive_id == d.id)).one()
        assert published.details["late_by_seconds"] == 300
        assert log.verify(s).ok
    after = f.delivery_of(engine, d.id, b.id)
    assert (after.next_reminder_at, after.due_at, after.escalated_at) == (None, None, at(12))
    kinds = [(k, x.platform_id) for o in announced for k, xs in (("r", o.reminders),) for x in xs]
    assert kinds == [("r", b.id), ("r", b.id), ("r", a.id), ("r", b.id), ("r", b.id)]
    escalated = [e.payload for o in announced for e in o.escalations]
    assert [(e["platform_id"], e["phase"]) for e in escalated] == [(b.id, "acknowledge"), (b.id, "implement")]
    assert [o.published[0].directive.id for o in announced if o.published] == [d.id]
    assert [o.expired for o in announced if o.expired] == [[d.id]]


def test_a_scheduled_directive_whose_audience_is_gone_returns_to_draft_with_a_reason(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    with write_session(engine) as s:
        d = directives.create(s, officer, T0, f.draft({"provinces": ["HCM"]}, publish_at=at(1)))
    report = sweep(engine, at(1))
    assert report.publication_failures == [d.id]
    with read_session(engine) as s:
        failed = s.exec(select(Event).where(Event.kind == "publication_failed")).one()
        assert "no platform" in failed.details["reason"]
        assert s.get(type(d), d.id).status == DirectiveStatus.DRAFT
    assert sweep(engine, at(2)).publication_failures == []


def test_a_sweep_broken_off_between_batches_or_inside_one_reminds_everyone_exactly_once(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    platforms = [f.org(engine, T0, OrgKind.PLATFORM, "HNI") for _ in range(30)]
    pub = f.published(engine, T0, officer, ack_due_at=at(1), remind_interval_minutes=60, remind_limit=5)
    policy = Policy(batch_size=7)
    batches: list = []

    def crash_after_two(outcome) -> None:
        batches.append(outcome)
        if len(batches) == 2:
            raise RuntimeError("the process died")

    with pytest.raises(RuntimeError, match="died"):
        core_sweep.sweep(engine, at(1), f.SIGNER, policy, announce=crash_after_two)
    inserts = {"n": 0}

    def fail_second_event_insert(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO EVENT"):
            inserts["n"] += 1
            if inserts["n"] == 2:
                raise RuntimeError("the database connection dropped")

    sa.event.listen(engine, "before_cursor_execute", fail_second_event_insert)
    with pytest.raises(RuntimeError, match="dropped"):
        core_sweep.sweep(engine, at(1), f.SIGNER, policy)
    sa.event.remove(engine, "before_cursor_execute", fail_second_event_insert)
    core_sweep.sweep(engine, at(1), f.SIGNER, policy)
    core_sweep.sweep(engine, at(1, 30), f.SIGNER, policy)
    with read_session(engine) as s:
        reminded = s.exec(select(Event.delivery_id).where(Event.kind == "reminded")).all()
        rows = s.exec(select(Delivery).where(Delivery.directive_id == pub.directive.id)).all()
        assert log.verify(s).ok
    assert sorted(reminded) == sorted(d.id for d in rows)
    assert {(d.reminders_sent, d.next_reminder_at) for d in rows} == {(1, at(2))}
    assert len(rows) == len(platforms)


def test_two_sweepers_racing_remind_everyone_exactly_once(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    for _ in range(8):
        f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    pubs = [f.published(engine, T0, officer, ack_due_at=at(1), remind_interval_minutes=60) for _ in range(40)]
    policy = Policy(batch_size=25)
    start, errors = threading.Barrier(2), []

    def sweeper() -> None:
        try:
            start.wait()
            for minutes in (0, 0, 1, 2):
                core_sweep.sweep(engine, at(1, minutes), f.SIGNER, policy)
        except Exception as exc:  # reported below: a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    with read_session(engine) as s:
        reminded = s.exec(select(Event.delivery_id).where(Event.kind == "reminded")).all()
        delivery_ids = s.exec(select(Delivery.id)).all()
        assert log.verify(s).ok
    assert len(delivery_ids) == 8 * len(pubs)
    assert sorted(reminded) == sorted(delivery_ids)
