"""The monthly request for content-ratio reports: issued once a month, even by two schedulers at once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from hub.core import directives, report_requests
from hub.core import sweep as core_sweep
from hub.db import read_session
from hub.models import DirectiveKind, OrgKind
from tests import factories as f
from tests.conftest import T0
from tests.core.sweeping import sweep


def test_the_monthly_report_request_is_issued_once_per_month(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    f.org(engine, T0, OrgKind.PROVINCE, "HNI")
    platforms = [f.org(engine, T0, OrgKind.PLATFORM, "HNI") for _ in range(3)]
    fired = datetime(2026, 4, 1, 1, 0, tzinfo=UTC)  # 08:00 in Hanoi
    first = sweep(engine, fired, report_due_at=fired)
    for minutes in (1, 2, 30):
        assert sweep(engine, fired + timedelta(minutes=minutes), report_due_at=fired).report_request is None
    with read_session(engine) as s:
        issued = s.exec(select(directives.Directive).where(directives.Directive.kind == DirectiveKind.REPORT_REQUEST))
        issued = issued.all()
    assert [d.id for d in issued] == [first.report_request]
    (request,) = issued
    assert request.issuer_id == regulator.id and request.audience_size == len(platforms)
    assert "03/2026" in request.title
    assert report_requests.period_before(fired) == (datetime(2026, 3, 1).date(), datetime(2026, 3, 31).date())
    nxt = datetime(2026, 5, 1, 1, 0, tzinfo=UTC)
    assert sweep(engine, nxt, report_due_at=nxt).report_request is not None


def test_two_schedulers_at_the_first_of_the_month_issue_one_report_request(engine):
    f.org(engine, T0, OrgKind.REGULATOR)
    for _ in range(3):
        f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    fired = datetime(2026, 4, 1, 1, 0, tzinfo=UTC)
    start, issued, errors = threading.Barrier(2), [], []

    def scheduler() -> None:
        try:
            start.wait()
            issued.append(core_sweep.sweep(engine, fired, f.SIGNER, report_due_at=fired).report_request)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert len([i for i in issued if i is not None]) == 1
    with read_session(engine) as s:
        kinds = s.exec(select(directives.Directive.kind)).all()
    assert kinds == [DirectiveKind.REPORT_REQUEST]
