"""The scheduler adapter: the lease decides which process sweeps; the cron schedule fires report requests."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import time_machine
from sqlmodel import select

from hub import clock, scheduler
from hub.core import directives
from hub.db import read_session, write_session
from hub.models import DirectiveStatus, OrgKind, Role
from tests import factories as f


def test_only_the_lease_holder_sweeps_and_another_takes_over_when_it_stops(app):
    first, second = scheduler.HubScheduler(app), scheduler.HubScheduler(app)
    with time_machine.travel(datetime(2026, 6, 10, 3, 0, tzinfo=UTC), tick=False) as traveller:
        assert first.sweep() is not None
        assert second.sweep() is None
        traveller.shift(first.ttl - timedelta(seconds=1))
        assert first.sweep() is not None  # renewed
        traveller.shift(first.ttl + timedelta(seconds=1))  # the first process died
        assert second.sweep() is not None
        assert first.sweep() is None


def test_the_report_schedule_fires_at_eight_in_hanoi_on_the_first_and_is_caught_up_for_three_days():
    trigger = scheduler.report_trigger("0 8 1 * *", "Asia/Ho_Chi_Minh")
    fired = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert scheduler.last_fire_time(trigger, fired - timedelta(seconds=1)) is None
    assert scheduler.last_fire_time(trigger, fired) == fired
    assert scheduler.last_fire_time(trigger, fired + timedelta(days=2)) == fired
    assert scheduler.last_fire_time(trigger, fired + timedelta(days=4)) is None
    assert scheduler.report_trigger("off", "UTC") is None


def test_a_started_scheduler_publishes_a_scheduled_directive_on_time(tmp_path, sqlite_url):
    from hub import create_app

    app = create_app(
        {"instance_path": str(tmp_path / "i"), "database_url": sqlite_url, "sweep_interval_seconds": 1},
        environ=False,
    )
    engine = app.extensions["hub"].engine
    now = clock.now()
    regulator = f.org(engine, now, OrgKind.REGULATOR)
    officer = f.user(engine, now, regulator, Role.OFFICER)
    f.org(engine, now, OrgKind.PLATFORM, "HNI")
    with write_session(engine) as s:
        d = directives.create(s, officer, now, f.draft(publish_at=now + timedelta(seconds=1)))
    running = scheduler.start(app)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with read_session(engine) as s:
                status = s.exec(select(directives.Directive.status).where(directives.Directive.id == d.id)).one()
            if status == DirectiveStatus.PUBLISHED:
                break
            time.sleep(0.1)
        assert status == DirectiveStatus.PUBLISHED
    finally:
        running.stop()
        engine.dispose()


def test_every_sweep_says_what_it_did_even_when_nothing_was_due(app, caplog):
    engine = app.extensions["hub"].engine
    now = clock.now()
    officer = f.user(engine, now, f.org(engine, now, OrgKind.REGULATOR), Role.OFFICER)
    f.org(engine, now, OrgKind.PLATFORM, "HNI")
    with write_session(engine) as session:
        draft = directives.create(session, officer, now, f.draft(title="Due now"))
        directives.schedule(session, officer, now, draft.id, now + timedelta(minutes=1))
    sweeper = scheduler.HubScheduler(app)
    sweeper.trigger = None  # no monthly report request in the way
    with caplog.at_level("INFO", logger="hub.scheduler"), time_machine.travel(now + timedelta(minutes=2), tick=False):
        sweeper.sweep()
        sweeper.sweep()
    busy, idle = [r.fields for r in caplog.records if r.getMessage() == "sweep"]
    assert busy["published"] == 1 and busy["ms"] >= 0
    assert (idle["published"], idle["reminded"], idle["escalated"], idle["expired"]) == (0, 0, 0, 0)
