"""Content-ratio reports: a platform's own figures per period, flagged at or above the threshold (15 % by default).

The hub records only the figures platforms report about themselves; it never reads or classifies their content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from sqlmodel import Session, select

from hub.core import deliveries, log, paging
from hub.core.access import Principal, platform_scope, require_platform, require_reader
from hub.core.directive_input import json_integer
from hub.core.errors import Conflict, InvalidInput, InvalidTransition, NotFound, invalid_field
from hub.models import Delivery, Organisation, RatioReport


class RatioReportInput(BaseModel):
    """A platform's figures for one period."""

    model_config = ConfigDict(extra="forbid")

    period_start: date = Field(description="not after today (422 otherwise)")
    period_end: date = Field(description="from period_start to at most 366 days later")
    items_published: Annotated[
        int, Field(ge=0, le=2**31 - 1), BeforeValidator(json_integer)
    ]  # a 32-bit column on PostgreSQL
    negative_items: Annotated[
        int, Field(ge=0, le=2**31 - 1, description="at most items_published"), BeforeValidator(json_integer)
    ]
    note: str | None = Field(default=None, max_length=5000)
    directive_id: int | None = Field(default=None, description="the report request this answers, if any")

    @model_validator(mode="after")
    def _consistent(self) -> RatioReportInput:
        if self.period_end < self.period_start:
            raise invalid_field("period_ends_before_start")
        if (self.period_end - self.period_start).days > 366:
            raise invalid_field("period_too_long")
        if self.negative_items > self.items_published:
            raise invalid_field("negative_exceeds_published")
        return self


def submit(
    session: Session, principal: Principal, now: datetime, data: RatioReportInput, threshold: float
) -> RatioReport:
    """Record a platform's report; overlapping periods of the same platform are refused."""
    require_platform(principal)
    if data.period_start > now.date():
        raise InvalidInput("period_not_started")
    _refuse_overlap(session, principal, data)
    _refuse_foreign_request(session, principal, data.directive_id)
    ratio = data.negative_items / data.items_published if data.items_published else 0.0
    report = RatioReport(
        platform_id=principal.org_id,
        period_start=data.period_start,
        period_end=data.period_end,
        items_published=data.items_published,
        negative_items=data.negative_items,
        ratio=round(ratio, 6),
        threshold=threshold,
        flagged=ratio >= threshold,
        note=data.note,
        directive_id=data.directive_id,
        submitted_by=principal.label,
        submitted_at=now,
    )
    session.add(report)
    session.flush()
    _log_submitted(session, principal, now, report)
    return report


def _refuse_overlap(session: Session, principal: Principal, data: RatioReportInput, itself: int | None = None) -> None:
    """A platform reports each day of a period once (a correction may keep its own period)."""
    overlap = session.exec(
        select(RatioReport).where(
            RatioReport.platform_id == principal.org_id,
            RatioReport.period_start <= data.period_end,
            RatioReport.period_end >= data.period_start,
            RatioReport.id != (itself or 0),
        )
    ).first()
    if overlap is not None:
        raise Conflict("period_overlaps", start=overlap.period_start, end=overlap.period_end)


def _refuse_foreign_request(session: Session, principal: Principal, directive_id: int | None) -> None:
    """A report answers only a request delivered to the reporting platform."""
    if directive_id is None:
        return
    mine = select(Delivery.id).where(Delivery.directive_id == directive_id, Delivery.platform_id == principal.org_id)
    if session.exec(mine).first() is None:
        raise NotFound("directive_not_in_inbox")


@dataclass
class Filed:
    """A recorded report and the directives whose progress moved (the report request it closed, if any)."""

    report: RatioReport
    refresh: list[int] = field(default_factory=list)


def file(session: Session, principal: Principal, now: datetime, data: RatioReportInput, threshold: float) -> Filed:
    """Record a report and, when it answers a report request, report that request implemented (it is done)."""
    report = submit(session, principal, now, data, threshold)
    if data.directive_id is None:
        return Filed(report)
    summary = f"{report.period_start}..{report.period_end}: {report.negative_items}/{report.items_published}"
    try:
        change = deliveries.set_status(session, principal, now, data.directive_id, "implemented", summary)
    except InvalidTransition:  # the request was revoked, amended or has expired: the figures still count
        return Filed(report)
    return Filed(report, change.refresh)


def correct(
    session: Session, principal: Principal, now: datetime, report_id: int, data: RatioReportInput, threshold: float
) -> RatioReport:
    """Replace the figures of one of the platform's reports; the log keeps what they were."""
    require_platform(principal)
    report = session.get(RatioReport, report_id)
    if report is None or report.platform_id != principal.org_id:
        raise NotFound("ratio_report_not_found")
    if data.period_start > now.date():
        raise InvalidInput("period_not_started")
    _refuse_overlap(session, principal, data, itself=report.id)
    before = _figures(report)
    ratio = data.negative_items / data.items_published if data.items_published else 0.0
    report.period_start, report.period_end = data.period_start, data.period_end
    report.items_published, report.negative_items, report.note = data.items_published, data.negative_items, data.note
    report.ratio, report.threshold, report.flagged = round(ratio, 6), threshold, ratio >= threshold
    session.add(report)
    session.flush()
    draft = log.EventDraft(
        "ratio_report_corrected",
        principal.label,
        now,
        org_id=principal.org_id,
        province=principal.province,
        directive_id=report.directive_id,
        details={"report_id": report.id, "before": before, "after": _figures(report)},
    )
    log.append(session, draft)
    return report


def _figures(report: RatioReport) -> dict[str, Any]:
    return {
        "period": f"{report.period_start}..{report.period_end}",
        "items_published": report.items_published,
        "negative_items": report.negative_items,
        "ratio": report.ratio,
        "flagged": report.flagged,
        "note": report.note,
    }


def _log_submitted(session: Session, principal: Principal, now: datetime, report: RatioReport) -> None:
    """Write the submission to the follow-through log."""
    log.append(
        session,
        log.EventDraft(
            "ratio_report_submitted",
            principal.label,
            now,
            org_id=principal.org_id,
            province=principal.province,
            directive_id=report.directive_id,
            details={
                "report_id": report.id,
                "ratio": report.ratio,
                "flagged": report.flagged,
                "period": f"{report.period_start}..{report.period_end}",
            },
        ),
    )


def list_reports(
    session: Session,
    principal: Principal,
    *,
    flagged: bool | None = None,
    province: str | None = None,
    platform_id: int | None = None,
    page: int = 1,
    per_page: int = 100,
) -> paging.Page:
    """(report, platform) rows, latest period first: a platform sees its own, a province its platforms', the regulator
    all. The one list the API and the pages both show."""
    query = select(RatioReport, Organisation).join(Organisation, Organisation.id == RatioReport.platform_id)
    if principal.is_platform:
        require_platform(principal)
        query = query.where(RatioReport.platform_id == principal.org_id)
    else:
        require_reader(principal)
        query = query.where(platform_scope(principal))
    if flagged is not None:
        query = query.where(RatioReport.flagged.is_(flagged))
    if province:
        query = query.where(Organisation.province == province)
    if platform_id is not None:
        query = query.where(RatioReport.platform_id == platform_id)
    query = query.order_by(RatioReport.period_start.desc(), RatioReport.id.desc())
    return paging.paginate(session, query, page, per_page, scalars=False)
