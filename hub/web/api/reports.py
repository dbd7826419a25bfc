"""Content-ratio reports: platforms submit their own figures; the regulator and provinces read them in scope."""

from __future__ import annotations

from pydantic import BaseModel, Field

from hub import sockets
from hub.core import ratio_reports
from hub.core.ratio_reports import RatioReportInput
from hub.runtime import current_hub
from hub.web.api import schemas
from hub.web.api.base import (
    ID,
    LIMITED,
    BodyID,
    PageQuery,
    Province,
    blueprint,
    now,
    ok,
    ok_page,
    principal,
    reading,
    writing,
)
from hub.web.limited import limited

bp = blueprint("ratio_reports", __name__, "ratio-reports", "the platforms' negative-content ratio per period")


class RatioReportBody(RatioReportInput):
    directive_id: BodyID | None = Field(default=None, description="the report request this answers, if any")


class RatioReportQuery(PageQuery):
    flagged: bool | None = None
    province: Province | None = None
    platform_id: ID | None = None


@bp.post("/ratio-reports", summary="Submit a platform's figures", responses={201: schemas.RatioReportOut, **LIMITED})
@limited("reports")
def submit(body: RatioReportBody):
    """Answering a report request (``directive_id``) also reports that request implemented."""
    with writing() as session:
        filed = ratio_reports.file(session, principal(), now(), body, current_hub().settings.ratio_threshold)
        out = schemas.RatioReportOut.model_validate(filed.report)
    if filed.refresh:
        sockets.push_progress(filed.refresh)
    return ok(out, 201)


class ReportPath(BaseModel):
    report_id: ID


@bp.put(
    "/ratio-reports/<int:report_id>",
    summary="Correct one of your reports (the log keeps the original figures)",
    responses={200: schemas.RatioReportOut, **LIMITED},
)
@limited("reports")
def correct(path: ReportPath, body: RatioReportInput):
    with writing() as session:
        report = ratio_reports.correct(
            session, principal(), now(), path.report_id, body, current_hub().settings.ratio_threshold
        )
        out = schemas.RatioReportOut.model_validate(report)
    return ok(out)


@bp.get("/ratio-reports", summary="Reports in your scope, newest first", responses={200: schemas.RatioReportPage})
def index(query: RatioReportQuery):
    with reading() as session:
        page = ratio_reports.list_reports(
            session,
            principal(),
            flagged=query.flagged,
            province=query.province,
            platform_id=query.platform_id,
            page=query.page,
            per_page=query.per_page,
        )
        items = [
            schemas.RatioReportRow(
                **schemas.RatioReportOut.model_validate(r).model_dump(), platform=schemas.PlatformRef.model_validate(p)
            )
            for r, p in page.items
        ]
    return ok_page(schemas.RatioReportPage, items, page)
