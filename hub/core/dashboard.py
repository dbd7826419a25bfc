"""Dashboard figures for managers: acknowledgement and implementation rates over time, time to acknowledge, overdue
platforms by province, and content-ratio reports against the threshold.

Every figure leaves exercise directives out and stays within the reader's scope. Each is one aggregate query;
nothing loads deliveries row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from hub.core.access import Principal, platform_scope, require_reader
from hub.models import Delivery, DeliveryState, Directive, DirectiveStatus, Organisation, RatioReport

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Upper bounds (seconds) of the time-to-acknowledge buckets; the last bucket is open-ended.
ACK_BUCKETS = (3600, 4 * 3600, 24 * 3600, 3 * 24 * 3600)


@dataclass
class DayRate:
    """Deliveries of the directives published on one (local) day, and how many were acknowledged and implemented."""

    day: date
    deliveries: int = 0
    acknowledged: int = 0
    implemented: int = 0

    @property
    def ack_rate(self) -> float:
        return self.acknowledged / self.deliveries if self.deliveries else 0.0

    @property
    def implement_rate(self) -> float:
        return self.implemented / self.deliveries if self.deliveries else 0.0


@dataclass
class Dashboard:
    days: list[DayRate] = field(default_factory=list)
    ack_buckets: list[int] = field(default_factory=list)
    not_acknowledged: int = 0
    overdue_by_province: list[tuple[str, int]] = field(default_factory=list)
    ratio_reports: list[tuple[str, float, bool]] = field(default_factory=list)
    threshold: float = 0.15
    totals: dict[str, int] = field(default_factory=dict)


ACKNOWLEDGED_STATES = (DeliveryState.ACKNOWLEDGED, DeliveryState.IN_PROGRESS, DeliveryState.IMPLEMENTED)


def _counted_directives(since: datetime | None = None) -> sa.Select:
    """Ids of the directives that count: published (or since expired), not exercises."""
    query = sa.select(Directive.id).where(
        Directive.exercise.is_(False),
        Directive.status.in_([DirectiveStatus.PUBLISHED, DirectiveStatus.EXPIRED]),
    )
    return query if since is None else query.where(Directive.published_at >= since)


def _counted_deliveries(
    principal: Principal, *, since: datetime | None = None, need_platform: bool = False
) -> sa.Select:
    """Deliveries of the counted directives to platforms in the reader's scope (as a FROM + WHERE).

    The central regulator's scope is every platform, so its queries skip the platforms unless they need a platform's
    column: counting by state then reads only the (directive, state) index.
    """
    query = sa.select().select_from(Delivery).where(Delivery.directive_id.in_(_counted_directives(since)))
    if need_platform or not principal.is_regulator:
        query = query.join(Organisation, Organisation.id == Delivery.platform_id)
    if not principal.is_regulator:
        query = query.where(platform_scope(principal))
    return query


def _add_state_counts(states: dict[str, int], state: str, count: int) -> None:
    states["deliveries"] = states.get("deliveries", 0) + count
    if state in ACKNOWLEDGED_STATES:
        states["acknowledged"] = states.get("acknowledged", 0) + count
    if state == DeliveryState.IMPLEMENTED:
        states["implemented"] = states.get("implemented", 0) + count


def rates_over_time(session: Session, principal: Principal, now: datetime, days: int = 30) -> list[DayRate]:
    """Share of deliveries acknowledged and implemented, by the local day their directive was published."""
    require_reader(principal)
    since = now - timedelta(days=days)
    published = dict(session.execute(_counted_directives(since).add_columns(Directive.published_at)).all())
    query = (
        _counted_deliveries(principal, since=since)
        .add_columns(Delivery.directive_id, Delivery.state, sa.func.count())
        .group_by(Delivery.directive_id, Delivery.state)
    )
    by_day: dict[date, dict[str, int]] = {}
    for directive_id, state, count in session.execute(query):
        day = published[directive_id].astimezone(LOCAL_TZ).date()
        _add_state_counts(by_day.setdefault(day, {}), state, count)
    return [
        DayRate(day, c.get("deliveries", 0), c.get("acknowledged", 0), c.get("implemented", 0))
        for day, c in sorted(by_day.items())
    ]


def _hours_between(session: Session, start: sa.ColumnElement, end: sa.ColumnElement) -> sa.ColumnElement:
    """Whole hours from ``start`` to ``end``, capped at a week (one expression per row, either dialect)."""
    if session.get_bind().dialect.name == "sqlite":
        hours = sa.cast((sa.func.julianday(end) - sa.func.julianday(start)) * 24, sa.Integer)
    else:
        hours = sa.cast(sa.func.floor(sa.func.extract("epoch", end - start) / 3600), sa.Integer)
    return sa.func.min(hours, 24 * 7) if session.get_bind().dialect.name == "sqlite" else sa.func.least(hours, 24 * 7)


def time_to_acknowledge(session: Session, principal: Principal, now: datetime, days: int = 30) -> tuple[list[int], int]:
    """How long platforms took to acknowledge (counts per bucket of ``ACK_BUCKETS``), and how many have not yet."""
    require_reader(principal)
    since = now - timedelta(days=days)
    hours = _hours_between(session, Delivery.created_at, Delivery.acknowledged_at).label("hours")
    query = (
        _counted_deliveries(principal, since=since)
        .add_columns(hours, sa.func.count())
        .where(Delivery.acknowledged_at.is_not(None))
        .group_by(hours)
    )
    counts = [0] * (len(ACK_BUCKETS) + 1)
    for hour, count in session.execute(query):
        seconds = max(hour or 0, 0) * 3600
        counts[next((i for i, limit in enumerate(ACK_BUCKETS) if seconds < limit), len(ACK_BUCKETS))] += count
    waiting = (
        _counted_deliveries(principal, since=since)
        .add_columns(sa.func.count())
        .where(Delivery.state.in_([DeliveryState.PENDING, DeliveryState.DELIVERED]))
    )
    return counts, session.execute(waiting).scalar() or 0


def _overdue(principal: Principal, now: datetime, *, need_platform: bool = False) -> sa.Select:
    """Overdue deliveries of the counted directives in scope, found through the partial index of open deadlines
    (``directive_id + 0`` keeps SQLite's planner from walking every delivery of every counted directive instead)."""
    query = (
        sa.select()
        .select_from(Delivery)
        .where(Delivery.due_at < now, (Delivery.directive_id + 0).in_(_counted_directives()))
    )
    if need_platform or not principal.is_regulator:
        query = query.join(Organisation, Organisation.id == Delivery.platform_id)
    if not principal.is_regulator:
        query = query.where(platform_scope(principal))
    return query


def overdue_by_province(session: Session, principal: Principal, now: datetime) -> list[tuple[str, int]]:
    """Platforms with at least one overdue delivery, counted per province, most first."""
    require_reader(principal)
    platforms = sa.func.count(sa.distinct(Delivery.platform_id))
    query = (
        _overdue(principal, now, need_platform=True)
        .add_columns(Organisation.province, platforms)
        .group_by(Organisation.province)
        .order_by(platforms.desc(), Organisation.province)
    )
    return [(province or "", count) for province, count in session.execute(query)]


def latest_ratio_reports(
    session: Session, principal: Principal, now: datetime, days: int = 62, limit: int = 40
) -> list[tuple[str, float, bool]]:
    """The highest ratios reported for periods ending in the last ``days``: (platform, ratio, flagged)."""
    require_reader(principal)
    query = (
        sa.select(Organisation.name, RatioReport.ratio, RatioReport.flagged)
        .join(Organisation, Organisation.id == RatioReport.platform_id)
        .outerjoin(Directive, Directive.id == RatioReport.directive_id)
        .where(
            platform_scope(principal),
            RatioReport.period_end >= (now - timedelta(days=days)).date(),
            sa.or_(Directive.id.is_(None), Directive.exercise.is_(False)),
        )
        .order_by(RatioReport.ratio.desc(), Organisation.name)
        .limit(limit)
    )
    return [(name, float(ratio), bool(flagged)) for name, ratio, flagged in session.execute(query)]


def totals(session: Session, principal: Principal, now: datetime) -> dict[str, int]:
    """Headline counts over all non-exercise deliveries in scope."""
    require_reader(principal)
    out = {"deliveries": 0, "acknowledged": 0, "implemented": 0}
    by_state = _counted_deliveries(principal).add_columns(Delivery.state, sa.func.count()).group_by(Delivery.state)
    for state, count in session.execute(by_state):
        _add_state_counts(out, state, count)
    overdue = _overdue(principal, now).add_columns(sa.func.count())
    out["overdue"] = session.execute(overdue).scalar() or 0
    return out


def dashboard(session: Session, principal: Principal, now: datetime, threshold: float, days: int = 30) -> Dashboard:
    """Every figure of the manager's dashboard."""
    buckets, missing = time_to_acknowledge(session, principal, now, days)
    return Dashboard(
        days=rates_over_time(session, principal, now, days),
        ack_buckets=buckets,
        not_acknowledged=missing,
        overdue_by_province=overdue_by_province(session, principal, now),
        ratio_reports=latest_ratio_reports(session, principal, now),
        threshold=threshold,
        totals=totals(session, principal, now),
    )
