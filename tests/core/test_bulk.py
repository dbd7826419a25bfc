"""Bulk actions: remind every overdue platform of a directive or of the escalation list, verify several reports —
each delivery changed and logged as one action would, within the officer's scope, all or nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from hub.core import bulk, deliveries
from hub.core import sweep as core_sweep
from hub.core.errors import InvalidInput, InvalidTransition
from hub.db import read_session, write_session
from hub.models import Delivery, Event, OrgKind, Priority, Role
from tests import factories as f
from tests.conftest import T0


@pytest.fixture
def setup(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    hanoi_dept = f.org(engine, T0, OrgKind.PROVINCE, "HNI")
    central = f.user(engine, T0, regulator, Role.OFFICER)
    hanoi = f.user(engine, T0, hanoi_dept, Role.OFFICER)
    platforms = [f.org(engine, T0, OrgKind.PLATFORM, p) for p in ("HNI", "HNI", "HNI", "HCM")]
    machines = [f.machine(engine, T0, p)[0] for p in platforms]
    d = f.published(
        engine, T0, central, priority=Priority.FLASH, ack_due_at=T0 + f.hours(1), implement_due_at=T0 + f.hours(4)
    ).directive
    with write_session(engine) as s:
        deliveries.acknowledge(s, machines[0], T0, d.id)  # owes nothing until the implementation deadline
    return engine, central, hanoi, platforms, machines, d


def reminded_events(engine) -> list[tuple[int, bool]]:
    with read_session(engine) as s:
        rows = s.exec(select(Event).where(Event.kind == "reminded").order_by(Event.id)).all()
    return [(e.org_id, e.details.get("bulk", False)) for e in rows]


def test_remind_overdue_reminds_each_late_platform_in_scope_once_and_logs_each(setup):
    engine, central, hanoi, platforms, _machines, d = setup
    with write_session(engine) as s:
        by_hanoi = bulk.remind_overdue(s, hanoi, T0 + f.hours(2), d.id)
    assert sorted(r.sent.platform_id for r in by_hanoi) == [platforms[1].id, platforms[2].id]  # not HCM's
    assert all(r.sent.payload["manual"] and r.sent.payload["phase"] == "acknowledge" for r in by_hanoi)
    with write_session(engine) as s:
        by_central = bulk.remind_overdue(s, central, T0 + f.hours(2), d.id)
    assert sorted(r.sent.platform_id for r in by_central) == sorted(p.id for p in platforms[1:])
    assert reminded_events(engine) == [(p.id, True) for p in (*platforms[1:3], *platforms[1:])]
    with write_session(engine) as s:
        assert bulk.remind_overdue(s, central, T0 + f.hours(0.5), d.id) == []  # nobody is late yet


def test_remind_escalated_reminds_the_open_escalations_of_the_officers_scope(setup):
    engine, central, hanoi, platforms, machines, d = setup
    core_sweep.sweep(engine, T0 + f.hours(2.5), f.SIGNER)  # acknowledgement an hour and a half late: escalated
    with write_session(engine) as s:
        deliveries.set_status(s, machines[1], T0 + f.hours(2.6), d.id, "implemented", "Done.")  # off the list
    with write_session(engine) as s:
        sent = bulk.remind_escalated(s, hanoi, T0 + f.hours(3))
    assert [r.sent.platform_id for r in sent] == [platforms[2].id]
    with write_session(engine) as s:
        assert sorted(r.sent.platform_id for r in bulk.remind_escalated(s, central, T0 + f.hours(3))) == sorted(
            [platforms[2].id, platforms[3].id]
        )
    with write_session(engine) as s, pytest.raises(InvalidInput):
        bulk.remind_escalated(s, hanoi, T0 + f.hours(3), province="HCM")


def test_verify_reports_verifies_several_at_once_or_none(setup):
    engine, central, _hanoi, _platforms, machines, d = setup
    with write_session(engine) as s:
        for m in machines[:2]:
            deliveries.set_status(s, m, T0, d.id, "implemented", "Removed the items.")
        ids = {m.org_id: s.exec(select(Delivery.id).where(Delivery.platform_id == m.org_id)).one() for m in machines}
    done, pending = [ids[m.org_id] for m in machines[:2]], ids[machines[2].org_id]
    with pytest.raises(InvalidTransition), write_session(engine) as s:  # the error rolls the transaction back
        bulk.verify_reports(s, central, T0, [*done, pending])
    with read_session(engine) as s:
        assert {s.get(Delivery, i).verification for i in done} == {None}  # nothing half done
    with write_session(engine) as s:
        changes = bulk.verify_reports(s, central, T0, [*done, done[0]], d.id)
    assert [c.changed for c in changes] == [True, True]
    with write_session(engine) as s:
        assert not any(c.changed for c in bulk.verify_reports(s, central, T0, done))  # already verified
    with write_session(engine) as s, pytest.raises(InvalidInput):
        bulk.verify_reports(s, central, T0, done, d.id + 1)
    with read_session(engine) as s:
        verified = s.exec(select(Event).where(Event.kind == "report_verified")).all()
    assert sorted(e.delivery_id for e in verified) == sorted(done)
