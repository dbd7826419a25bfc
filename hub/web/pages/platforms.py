"""A page per platform, for its overseers: its connection now, its directives with the on-time rate, its ratio
reports month by month, the escalations about it."""

from __future__ import annotations

from flask import abort, render_template

from hub import clock
from hub.core import escalations, platforms, ratio_reports
from hub.core.errors import NotFound
from hub.db import read_session
from hub.sockets import is_online
from hub.web.pages.base import bp, engine, int_arg, principal
from hub.web.pages.console import reader_only


@bp.get("/platforms/<int:platform_id>")
@reader_only
def platform_page(platform_id: int):
    who, now = principal(), clock.now()
    try:
        with read_session(engine()) as session:
            standing = platforms.standing(session, who, platform_id, now)
            history = platforms.history(session, who, platform_id, page=int_arg("page", 1))
            reports = ratio_reports.list_reports(session, who, platform_id=platform_id, per_page=24).items
            escalated = escalations.escalations(session, who, platform_id=platform_id, open_only=False, per_page=20)
    except NotFound:
        abort(404)
    months = [r for r, _p in reversed(reports)]  # oldest first, as a chart reads
    chart = {
        "months": [r.period_start.strftime("%Y-%m") for r in months],
        "ratios": [round(r.ratio * 100, 2) for r in months],
        "threshold": round((months[-1].threshold if months else 0.15) * 100, 2),
    }
    return render_template(
        "platforms/page.html",
        standing=standing,
        online=is_online(platform_id),
        history=history,
        reports=[r for r, _p in reports],
        chart=chart,
        escalated=escalated,
        now=now,
    )
