"""The directive filters of the list and the dashboard, read from the query string: the same arguments select the
same directives on both, so a dashboard figure links to the list behind it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import request

from hub.core.directive_filter import DirectiveFilter
from hub.models import DirectiveKind, DirectiveStatus
from hub.provinces import PROVINCES
from hub.web.forms import LOCAL_TZ

# Arguments that narrow the list beyond its own form (set by the dashboard's links): shown as removable notes.
DRILL = ("counted", "overdue", "province", "since", "until")


def _local_day(value: str) -> date | None:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL_TZ)


def directive_filter(now: datetime, exercise: bool | None = None) -> tuple[DirectiveFilter, dict[str, str]]:
    """The filter from the query string (dates are local days), and the raw values that were understood (to refill
    the form and build links); values not understood are dropped. ``exercise`` is the default when the query does
    not choose (``exercise=any`` chooses both)."""
    raw = {k: (request.args.get(k) or "").strip()[:20] for k in ("status", "kind", "exercise", *DRILL)}
    keep: dict[str, Any] = {}
    if raw["status"] in {s.value for s in DirectiveStatus}:
        keep["status"] = raw["status"]
    if raw["kind"] in {k.value for k in DirectiveKind}:
        keep["kind"] = raw["kind"]
    keep["exercise"] = {"0": False, "1": True, "any": None}.get(raw["exercise"], exercise)
    keep["counted"] = raw["counted"] == "1"
    if raw["province"] in PROVINCES:
        keep["province"] = raw["province"]
    if raw["overdue"] == "1":
        keep["overdue_at"] = now
    since, until = _local_day(raw["since"]), _local_day(raw["until"])
    if since:
        keep["since"] = _local_midnight(since)
    if until:
        keep["until"] = _local_midnight(until + timedelta(days=1))
    understood = {
        "status": "status" in keep,
        "kind": "kind" in keep,
        "exercise": raw["exercise"] in ("0", "1", "any"),
        "counted": keep["counted"],
        "province": "province" in keep,
        "overdue": "overdue_at" in keep,
        "since": since is not None,
        "until": until is not None,
    }
    return DirectiveFilter(**keep), {k: raw[k] for k, ok in understood.items() if ok}
