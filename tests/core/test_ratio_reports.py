"""Content-ratio reports."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from hub.core import ratio_reports
from hub.core.errors import Conflict, Forbidden
from hub.core.ratio_reports import RatioReportInput
from hub.db import read_session, write_session
from hub.models import OrgKind, Role
from tests import factories as f
from tests.conftest import T0


def report(start, end, items=1000, negative=100) -> RatioReportInput:
    return RatioReportInput(period_start=start, period_end=end, items_published=items, negative_items=negative)


@pytest.fixture
def editors(engine):
    hni = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    hcm = f.org(engine, T0, OrgKind.PLATFORM, "HCM")
    return engine, f.user(engine, T0, hni, Role.EDITOR), f.user(engine, T0, hcm, Role.EDITOR)


def test_ratio_is_computed_and_flagged_at_the_threshold(editors):
    engine, editor, _ = editors
    with write_session(engine) as s:
        under = ratio_reports.submit(s, editor, T0, report(date(2026, 1, 1), date(2026, 1, 31), 1000, 149), 0.15)
        at = ratio_reports.submit(s, editor, T0, report(date(2026, 2, 1), date(2026, 2, 28), 1000, 150), 0.15)
    assert (under.ratio, under.flagged) == (0.149, False)
    assert (at.ratio, at.flagged) == (0.15, True)


def test_overlapping_periods_are_refused(editors):
    engine, editor, other = editors
    with write_session(engine) as s:
        ratio_reports.submit(s, editor, T0, report(date(2026, 1, 1), date(2026, 1, 31)), 0.15)
    with write_session(engine) as s, pytest.raises(Conflict):
        ratio_reports.submit(s, editor, T0, report(date(2026, 1, 31), date(2026, 2, 27)), 0.15)
    with write_session(engine) as s:
        ratio_reports.submit(s, other, T0, report(date(2026, 1, 1), date(2026, 1, 31)), 0.15)


@pytest.mark.parametrize(
    "fields",
    [
        {"period_start": date(2026, 2, 1), "period_end": date(2026, 1, 1), "items_published": 1, "negative_items": 0},
        {"period_start": date(2026, 1, 1), "period_end": date(2026, 1, 2), "items_published": 1, "negative_items": 2},
        {"period_start": date(2026, 1, 1), "period_end": date(2026, 1, 2), "items_published": -1, "negative_items": 0},
    ],
)
def test_inconsistent_figures_are_refused(fields):
    with pytest.raises(ValidationError):
        RatioReportInput(**fields)


def test_scope_of_report_lists(editors):
    engine, editor, other = editors
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    province = f.org(engine, T0, OrgKind.PROVINCE, "HNI")
    manager = f.user(engine, T0, regulator, Role.MANAGER)
    hni_manager = f.user(engine, T0, province, Role.MANAGER)
    with write_session(engine) as s:
        ratio_reports.submit(s, editor, T0, report(date(2026, 1, 1), date(2026, 1, 31)), 0.15)
        ratio_reports.submit(s, other, T0, report(date(2026, 1, 1), date(2026, 1, 31)), 0.15)
    with read_session(engine) as s:
        assert ratio_reports.list_reports(s, manager).total == 2
        assert [o.province for _, o in ratio_reports.list_reports(s, hni_manager).items] == ["HNI"]
        assert [o.id for _, o in ratio_reports.list_reports(s, editor).items] == [editor.org_id]
    with write_session(engine) as s, pytest.raises(Forbidden):
        ratio_reports.submit(s, manager, T0, report(date(2026, 3, 1), date(2026, 3, 31)), 0.15)
