"""The editor's content-ratio reports: file a month's figures (answering a report request closes it), correct a
month already filed, and the platform's earlier reports."""

from __future__ import annotations

from datetime import timedelta

from babel.numbers import get_group_symbol
from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_number, format_percent, get_locale
from flask_babel import gettext as _
from pydantic import ValidationError

from hub import clock, sockets
from hub.core import access
from hub.core import ratio_reports as core_ratio_reports
from hub.core.errors import HubError
from hub.core.ratio_reports import RatioReportInput
from hub.db import read_session, write_session
from hub.models import RatioReport
from hub.runtime import current_hub
from hub.web.forms import RatioForm
from hub.web.held import hold, restore
from hub.web.limited import limited
from hub.web.messages import error_note, validation_note
from hub.web.pages.base import allowed_if, bp, engine, int_arg, principal

editor_only = allowed_if(access.is_platform_member)
PERCENT = "#,##0.0 %"


def percent(ratio: float) -> str:
    """A ratio as a percentage in the page's language ("12,5 %" in Vietnamese, "12.5 %" in English)."""
    return format_percent(ratio, PERCENT)


def period(report: RatioReport) -> str:
    """A report's period: its month ("01/2026") when it covers one calendar month, else its first and last day."""
    first, last = report.period_start, report.period_end
    whole_month = first.day == 1 and last.month == first.month and (last + timedelta(days=1)).day == 1
    if whole_month:
        return format_date(first, "MM/yyyy")
    return f"{format_date(first, 'dd/MM/yyyy')} – {format_date(last, 'dd/MM/yyyy')}"


def _prefill(form: RatioForm) -> None:
    """A correction starts from the figures filed; an answer to a request carries the request."""
    correcting = int_arg("correct", 0, low=0)
    if correcting:
        with read_session(engine()) as session:
            report = session.get(RatioReport, correcting)
        if report is not None and report.platform_id == principal().org_id:
            form.month.data, form.report_id.data = report.period_start, report.id
            form.items_published.data, form.negative_items.data = report.items_published, report.negative_items
            form.note.data = report.note
    requested = int_arg("request", 0, low=0)
    if requested:
        form.directive_id.data = requested


def _save(form: RatioForm) -> tuple[RatioReport, list[int]] | None:
    """File or correct, in one transaction; on a refusal keep the reason on the form."""
    who, threshold = principal(), current_hub().settings.ratio_threshold
    start, end = form.month.days
    try:
        data = RatioReportInput(
            period_start=start,
            period_end=end,
            items_published=form.items_published.data,
            negative_items=form.negative_items.data,
            note=form.note.data or None,
            directive_id=form.directive_id.data if not form.report_id.data else None,
        )
        with write_session(engine()) as session:
            if form.report_id.data:
                return core_ratio_reports.correct(session, who, clock.now(), form.report_id.data, data, threshold), []
            filed = core_ratio_reports.file(session, who, clock.now(), data, threshold)
            return filed.report, filed.refresh
    except ValidationError as exc:
        form.form_errors.append(validation_note(exc))
    except HubError as exc:
        form.form_errors.append(error_note(exc))
    return None


@bp.route("/inbox/ratio", methods=["GET", "POST"])
@limited("reports", methods=["POST"])
@editor_only
def ratio_reports():
    form = RatioForm()
    if form.validate_on_submit():
        saved = _save(form)
        if saved is not None:
            report, refresh = saved
            if refresh:
                sockets.push_progress(refresh)
            ratio = percent(report.ratio)
            if form.report_id.data:
                flash(_("Correction recorded: %(ratio)s.", ratio=ratio), "success")
            else:
                flash(_("Report recorded: %(ratio)s.", ratio=ratio), "success")
            return redirect(url_for("pages.ratio_reports"))
    if request.method == "POST":
        return hold(form, "pages.ratio_reports")
    refused = restore(form)
    if not refused:
        _prefill(form)
    with read_session(engine()) as session:
        history = [r for r, _platform in core_ratio_reports.list_reports(session, principal(), per_page=24).items]
    threshold, example = current_hub().settings.ratio_threshold, format_number(1200)
    page = render_template(
        "inbox/ratio.html",
        form=form,
        history=history,
        threshold=threshold,
        percent=percent,
        period=period,
        number_group=get_group_symbol(str(get_locale() or "vi")),
        number=format_number,
        number_hint=_("Whole numbers, grouped as you usually write them: %(example)s or 1200.", example=example),
    )
    return page, 422 if refused else 200
