"""Content-ratio reports."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError
from sqlmodel import select

from hub.core import ratio_reports
from hub.core.errors import Conflict, Forbidden, NotFound
from hub.core.ratio_reports import RatioReportInput
from hub.db import read_session, write_session
from hub.models import Delivery, DeliveryState, DirectiveKind, Event, OrgKind, Role
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


def test_a_correction_replaces_the_figures_and_the_log_keeps_the_original(editors):
    engine, editor, other = editors
    with write_session(engine) as s:
        filed = ratio_reports.submit(s, editor, T0, report(date(2026, 1, 1), date(2026, 1, 31), 1200, 12), 0.15)
    fixed = report(date(2026, 1, 1), date(2026, 1, 31), 1200, 240)
    with write_session(engine) as s:
        corrected = ratio_reports.correct(s, editor, T0, filed.id, fixed, 0.15)
        assert (corrected.id, corrected.negative_items, corrected.ratio, corrected.flagged) == (
            filed.id,
            240,
            0.2,
            True,
        )
    with read_session(engine) as s:
        event = s.exec(select(Event).where(Event.kind == "ratio_report_corrected")).one()
        assert event.details["before"]["negative_items"] == 12 and event.details["before"]["ratio"] == 0.01
        assert event.details["after"]["negative_items"] == 240
    with write_session(engine) as s, pytest.raises(NotFound):
        ratio_reports.correct(s, other, T0, filed.id, fixed, 0.15)  # another platform's report


def test_a_correction_may_not_overlap_another_period_of_the_platform(editors):
    engine, editor, _ = editors
    with write_session(engine) as s:
        january = ratio_reports.submit(s, editor, T0, report(date(2026, 1, 1), date(2026, 1, 31)), 0.15)
        ratio_reports.submit(s, editor, T0, report(date(2026, 2, 1), date(2026, 2, 28)), 0.15)
    with write_session(engine) as s, pytest.raises(Conflict) as refused:
        ratio_reports.correct(s, editor, T0, january.id, report(date(2026, 1, 15), date(2026, 2, 14)), 0.15)
    assert refused.value.values == {"start": date(2026, 2, 1), "end": date(2026, 2, 28)}


def test_filing_the_report_a_request_asked_for_closes_the_request(editors):
    engine, editor, _ = editors
    officer = f.user(engine, T0, f.org(engine, T0, OrgKind.REGULATOR), Role.OFFICER)
    request = f.published(engine, T0, officer, {"all": True}, kind=DirectiveKind.REPORT_REQUEST).directive
    answer = report(date(2026, 1, 1), date(2026, 1, 31)).model_copy(update={"directive_id": request.id})
    with write_session(engine) as s:
        filed = ratio_reports.file(s, editor, T0, answer, 0.15)
    assert filed.refresh == [request.id] and filed.report.directive_id == request.id
    with read_session(engine) as s:
        delivery = s.exec(
            select(Delivery).where(Delivery.directive_id == request.id, Delivery.platform_id == editor.org_id)
        ).one()
        assert delivery.state == DeliveryState.IMPLEMENTED and "2026-01-01..2026-01-31" in delivery.report
