"""The manager's dashboard: charts, the follow-through log with filters and CSV export, a printable report."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _

from hub import checkpointing, clock
from hub.core import access, checkpoints, log
from hub.core import dashboard as core_dashboard
from hub.core import progress as core_progress
from hub.core.access import get_visible_directive
from hub.core.errors import HubError
from hub.db import read_session
from hub.models import Organisation
from hub.provinces import PROVINCES
from hub.runtime import current_hub
from hub.web.forms import LOCAL_TZ, ConfirmForm
from hub.web.limited import limited
from hub.web.messages import error_text
from hub.web.pages.base import (
    EVENT_LABELS,
    allowed_if,
    bp,
    engine,
    int_arg,
    principal,
    province_choices,
    province_name,
)
from hub.web.pages.filters import directive_filter

reader_only = allowed_if(access.may_read)
CSV_COLUMNS = (
    "id",
    "at",
    "kind",
    "event",
    "actor",
    "organisation_code",
    "organisation",
    "province",
    "province_name",
    "reference_no",
    "directive_id",
    "details",
)


@bp.get("/dashboard")
@reader_only
def dashboard():
    now = clock.now()
    where, raw = directive_filter(now, exercise=False)
    threshold = current_hub().settings.ratio_threshold
    with read_session(engine()) as session:
        figures = core_dashboard.dashboard(session, principal(), now, threshold, where=where)
    drill = {k: v for k, v in raw.items() if k in ("kind", "exercise", "province", "since", "until")}
    drill.setdefault("exercise", "0")
    if drill["exercise"] == "any":
        del drill["exercise"]

    def link(**more: Any) -> str:
        return url_for("pages.console", counted=1, **{**drill, **more})

    return render_template(
        "dashboard/index.html",
        figures=figures,
        charts=_charts(figures, link),
        raw=raw,
        provinces=province_choices(),
        links={"counted": link(), "overdue": link(overdue=1)},
    )


def _charts(figures: core_dashboard.Dashboard, link: Callable[..., str]) -> dict[str, Any]:
    """The figures as the page's charts read them, each bar with the link to the directives behind it."""
    return {
        "days": [d.day.isoformat() for d in figures.days],
        "ack": [round(d.ack_rate * 100, 1) for d in figures.days],
        "implemented": [round(d.implement_rate * 100, 1) for d in figures.days],
        "ackBuckets": figures.ack_buckets,
        "ackLabels": [_("< 1 h"), _("1–4 h"), _("4–24 h"), _("1–3 days"), _("> 3 days")],
        "overdueProvinces": [province_name(p) for p, _n in figures.overdue_by_province],
        "overdueCounts": [n for _p, n in figures.overdue_by_province],
        "overdueLinks": [link(overdue=1, province=p) for p, _n in figures.overdue_by_province],
        "dayLinks": [link(since=d.day, until=d.day) for d in figures.days],
        "months": [m.day.strftime("%Y-%m") for m in figures.months],
        "monthAck": [round(m.ack_rate * 100, 1) for m in figures.months],
        "monthImplemented": [round(m.implement_rate * 100, 1) for m in figures.months],
        "monthLinks": [link(since=m.day, until=_month_end(m.day)) for m in figures.months],
        "ackLink": link(),
        "ratioPlatforms": [name for name, *_rest in figures.ratio_reports],
        "ratios": [round(r * 100, 2) for _n, r, *_rest in figures.ratio_reports],
        "ratioLinks": [url_for("pages.platform_page", platform_id=i) for *_rest, i in figures.ratio_reports],
        "threshold": round(figures.threshold * 100, 2),
        "labels": {
            "ack": _("Acknowledged (%)"),
            "implemented": _("Implemented (%)"),
            "deliveries": _("Deliveries"),
            "platforms": _("Platforms with overdue work"),
            "ratio": _("Negative items (%)"),
            "threshold": _("Threshold"),
        },
    }


def _month_end(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _log_filters(session) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """The log's filters from the query string as a person fills them (words, an event's name, a reference number,
    local days), the raw values to refill the form, and a message for each value that names nothing (never
    ignored)."""
    names = ("kind", "province", "since", "until", "directive", "q")
    raw = {k: (request.args.get(k) or "").strip()[:100] for k in names}
    filters: dict[str, Any] = {"q": raw["q"]} if raw["q"] else {}
    problems: list[str] = []
    if raw["kind"] in EVENT_LABELS:
        filters["kind"] = raw["kind"]
    elif raw["kind"]:
        problems.append(_("There is no event type “%(kind)s”; choose one from the list.", kind=raw["kind"]))
    if raw["province"] in PROVINCES:
        filters["province"] = raw["province"]
    if raw["directive"]:
        filters["directive_ids"] = log.directives_named(session, principal(), raw["directive"])
        if not filters["directive_ids"]:
            problems.append(_("No directive you may read has the reference number “%(ref)s”.", ref=raw["directive"]))
    for name, shift in (("since", 0), ("until", 1)):
        try:
            day = datetime.strptime(raw[name], "%Y-%m-%d").date()
        except ValueError:
            raw[name] = ""
            continue
        filters[name] = datetime.combine(day + timedelta(days=shift), time(), LOCAL_TZ)
    if problems:
        filters["directive_ids"] = []  # show nothing rather than everything for a filter that names nothing
    return filters, raw, problems


@bp.get("/dashboard/log")
@reader_only
def event_log():
    with read_session(engine()) as session:
        filters, raw, problems = _log_filters(session)
        page = log.list_events(session, principal(), page=int_arg("page", 1), per_page=50, **filters)
        orgs, named = log.describe(session, page.items)
        checkpoint = checkpoints.latest(session)
    return render_template(
        "dashboard/log.html",
        page=page,
        raw=raw,
        problems=problems,
        orgs=orgs,
        named=named,
        kinds=sorted(((code, str(label)) for code, label in EVENT_LABELS.items()), key=lambda k: k[1]),
        provinces=province_choices(),
        checkpoint=checkpoint,
    )


@bp.post("/dashboard/log/checkpoint")
@allowed_if(access.is_admin)
def take_checkpoint():
    """The admin's button: sign the log's head now (it is also signed at intervals by the scheduler)."""
    ConfirmForm()
    try:
        taken = checkpointing.take(current_hub(), principal(), clock.now())
    except HubError as exc:
        flash(error_text(exc), "error")
    else:
        if taken is None:
            flash(_("The log has not moved since the last checkpoint; nothing to sign."), "info")
        else:
            flash(_("Checkpoint signed: event %(id)d.", id=taken["last_id"]), "success")
    return redirect(url_for("pages.event_log"))


@bp.get("/dashboard/log.csv")
@limited("exports")
@reader_only
def event_log_csv():
    """The filtered log as CSV, streamed in batches (never the whole log in memory): Hanoi time with its offset,
    organisations and directives by code, name and reference number, as the page shows them."""
    with read_session(engine()) as session:
        filters, _raw, _problems = _log_filters(session)
    who, hub_engine = principal(), engine()

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        yield "\ufeff"  # spreadsheet programs then read the file as UTF-8
        writer.writerow(CSV_COLUMNS)
        with read_session(hub_engine) as session:
            for batch in _batches(log.iter_events(session, who, **filters), 500):
                orgs, named = log.describe(session, batch)
                writer.writerows(_csv_row(event, orgs, named) for event in batch)
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()

    stamp = clock.now().astimezone(LOCAL_TZ).strftime("%Y%m%d-%H%M")
    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="follow-through-{stamp}.csv"'},
    )


def _batches(items, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _csv_row(event, orgs: dict, named: dict) -> tuple:
    org = orgs.get(event.org_id)
    directive = named.get(event.directive_id)
    return (
        event.id,
        event.at.astimezone(LOCAL_TZ).isoformat(timespec="seconds"),
        event.kind,
        str(EVENT_LABELS.get(event.kind, event.kind)),
        _safe(event.actor),
        org.code if org else "",
        _safe(org.name) if org else "",
        event.province or "",
        province_name(event.province),
        _safe(directive.ref_no or "") if directive else "",
        event.directive_id or "",
        _safe(json.dumps(event.details, ensure_ascii=False, sort_keys=True, default=str)),
    )


def _safe(text: str) -> str:
    """A cell a spreadsheet must not run as a formula."""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


@bp.get("/dashboard/directives/<int:directive_id>/report")
@reader_only
def printable_report(directive_id: int):
    """One directive's follow-through on paper: summary, by province, and the rows (pages of 500)."""
    who, now = principal(), clock.now()
    with read_session(engine()) as session:
        directive = get_visible_directive(session, who, directive_id)
        issuer = session.get(Organisation, directive.issuer_id)
        progress = core_progress.progress(session, who, [directive_id], now)[directive_id]
        breakdown = core_progress.province_breakdown(session, who, directive_id)
        rows = core_progress.directive_deliveries(
            session, who, directive_id, sort="province", page=int_arg("page", 1), per_page=500
        )
        checkpoint = checkpoints.latest(session)
    by_province: dict[str, dict[str, int]] = {}
    for province, state, count in breakdown:
        by_province.setdefault(province, {})[state] = count
    return render_template(
        "dashboard/report.html",
        directive=directive,
        issuer=issuer,
        progress=progress,
        by_province=by_province,
        rows=rows,
        now=now,
        checkpoint=checkpoint,
    )
