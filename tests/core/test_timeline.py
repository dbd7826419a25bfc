"""The timeline names who acted and which platform each event is about, never ``user:login`` or bare ids."""

from __future__ import annotations

from sqlmodel import select

from hub.core import deliveries, timeline
from hub.core import sweep as core_sweep
from hub.db import read_session, write_session
from hub.models import Event, OrgKind, Priority, Role, User
from tests import factories as f
from tests.conftest import T0


def test_each_event_names_the_person_the_platforms_system_or_the_hub_and_the_platform(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    hanoi = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    saigon = f.org(engine, T0, OrgKind.PLATFORM, "HCM")
    editor = f.user(engine, T0, hanoi, Role.EDITOR)
    machine, _ = f.machine(engine, T0, saigon)
    d = f.published(
        engine, T0, officer, priority=Priority.FLASH, ack_due_at=T0 + f.hours(1), implement_due_at=T0 + f.hours(2)
    ).directive
    with write_session(engine) as s:
        deliveries.acknowledge(s, editor, T0, d.id)
        deliveries.set_status(s, machine, T0, d.id, "declined", "We publish no news.")
    core_sweep.sweep(engine, T0 + f.hours(2), f.SIGNER)  # the Hanoi platform is reminded of its implementation
    late = f.org(engine, T0 + f.hours(3), OrgKind.PLATFORM, "DNG")

    with read_session(engine) as s:
        events = s.exec(select(Event).where(Event.directive_id == d.id).order_by(Event.id)).all()
        entries = timeline.describe(s, events)
        name = {u.id: u.display_name for u in s.exec(select(User))}
    seen = [(e.event.kind, e.platform, e.actor.kind, e.actor.name, e.actor.organisation) for e in entries]
    assert seen == [
        ("drafted", None, "user", name[officer.user_id], regulator.name),
        ("published", None, "user", name[officer.user_id], regulator.name),
        ("delivered", hanoi.name, "user", name[editor.user_id], hanoi.name),
        ("acknowledged", hanoi.name, "user", name[editor.user_id], hanoi.name),
        ("status_changed", saigon.name, "token", "machine", saigon.name),
        ("reminded", hanoi.name, "system", "scheduler", None),
        ("delivered_to_new_platform", late.name, "system", "", None),
    ]
    assert all(":" not in (e.actor.name or "") for e in entries)
