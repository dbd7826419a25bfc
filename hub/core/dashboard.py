"""Dashboard figures for managers: acknowledgement and implementation rates over time, time to acknowledge, overdue
platforms by province, and content-ratio reports against the threshold.

Every figure stays within the reader's scope and, by default, leaves exercise directives out; a
:class:`DirectiveFilter` narrows them all (period, province, kind, exercises), the same one the directive list takes.
Each is one aggregate query; nothing loads deliveries row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from hub.core.access import EVERYTHING, Principal, platform_scope, require_reader
from hub.core.directive_filter import DirectiveFilter
from hub.models import Delivery, DeliveryState, Directive, Organisation, RatioReport

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
    months: list[DayRate] = field(default_factory=list)
    ack_buckets: list[int] = field(default_factory=list)
    not_acknowledged: int = 0
    overdue_by_province: list[tuple[str, int]] = field(default_factory=list)
    ratio_reports: list[tuple[str, float, bool, int]] = field(default_factory=list)
    threshold: float = 0.15
    totals: dict[str, int] = field(default_factory=dict)


ACKNOWLEDGED_STATES = (DeliveryState.ACKNOWLEDGED, DeliveryState.IN_PROGRESS, DeliveryState.IMPLEMENTED)


REAL = DirectiveFilter(exercise=False)  # the dashboard's default: exercises are not counted


def _counted_directives(where: DirectiveFilter, since: datetime | None = None) -> sa.Select:
    """Ids of the directives that count: published (or since expired) and matching the filter (by default not
    exercises). The filter's province narrows the platforms, not the directives (see :func:`_counted_deliveries`)."""
    about = replace(where, counted=True, province=None, overdue_at=None)
    query = sa.select(Directive.id).where(*about.conditions(EVERYTHING))
    return query if since is None else query.where(Directive.published_at >= since)


def _in_scope(query: sa.Select, principal: Principal, where: DirectiveFilter, need_platform: bool) -> sa.Select:
    """Join the platforms when a condition or a column needs them: the reader's scope, the filter's province."""
    if need_platform or where.province or not principal.is_regulator:
        query = query.join(Organisation, Organisation.id == Delivery.platform_id)
    if not principal.is_regulator:
        query = query.where(platform_scope(principal))
    if where.province:
        query = query.where(Organisation.province == where.province)
    return query


def _counted_deliveries(
    principal: Principal, where: DirectiveFilter = REAL, *, since: datetime | None = None, need_platform: bool = False
) -> sa.Select:
    """Deliveries of the counted directives to platforms in the reader's scope (as a FROM + WHERE).

    The central regulator's scope is every platform, so its queries skip the platforms unless they need a platform's
    column: counting by state then reads only the (directive, state) index.
    """
    query = sa.select().select_from(Delivery).where(Delivery.directive_id.in_(_counted_directives(where, since)))
    return _in_scope(query, principal, where, need_platform)


def _add_state_counts(states: dict[str, int], state: str, count: int) -> None:
    states["deliveries"] = states.get("deliveries", 0) + count
    if state in ACKNOWLEDGED_STATES:
        states["acknowledged"] = states.get("acknowledged", 0) + count
    if state == DeliveryState.IMPLEMENTED:
        states["implemented"] = states.get("implemented", 0) + count


def _window(where: DirectiveFilter, now: datetime, days: int) -> datetime | None:
    """The start of a recent-figures window: the filter's period when it has one, else the last ``days``."""
    return None if where.since else now - timedelta(days=days)


def _rates_by(
    session: Session, principal: Principal, where: DirectiveFilter, since: datetime | None, key
) -> dict[date, dict[str, int]]:
    """Deliveries, acknowledged and implemented, summed by ``key(local publication day)``."""
    published = dict(session.execute(_counted_directives(where, since).add_columns(Directive.published_at)).all())
    query = (
        _counted_deliveries(principal, where, since=since)
        .add_columns(Delivery.directive_id, Delivery.state, sa.func.count())
        .group_by(Delivery.directive_id, Delivery.state)
    )
    out: dict[date, dict[str, int]] = {}
    for directive_id, state, count in session.execute(query):
        day = key(published[directive_id].astimezone(LOCAL_TZ).date())
        _add_state_counts(out.setdefault(day, {}), state, count)
    return out


def rates_over_time(
    session: Session, principal: Principal, now: datetime, days: int = 30, where: DirectiveFilter = REAL
) -> list[DayRate]:
    """Share of deliveries acknowledged and implemented, by the local day their directive was published."""
    require_reader(principal)
    by_day = _rates_by(session, principal, where, _window(where, now, days), lambda d: d)
    return [
        DayRate(day, c.get("deliveries", 0), c.get("acknowledged", 0), c.get("implemented", 0))
        for day, c in sorted(by_day.items())
    ]


def monthly(
    session: Session, principal: Principal, now: datetime, months: int = 12, where: DirectiveFilter = REAL
) -> list[DayRate]:
    """The same rates month by month (``day`` is the month's first day): the last ``months`` or the filter's period."""
    require_reader(principal)
    local = now.astimezone(LOCAL_TZ).date().replace(day=1)
    first = _months_back(local, months - 1)
    since = None if where.since else datetime.combine(first, datetime.min.time(), LOCAL_TZ)
    by_month = _rates_by(session, principal, where, since, lambda d: d.replace(day=1))
    return [
        DayRate(month, c.get("deliveries", 0), c.get("acknowledged", 0), c.get("implemented", 0))
        for month, c in sorted(by_month.items())
    ]


def _months_back(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def _hours_between(session: Session, start: sa.ColumnElement, end: sa.ColumnElement) -> sa.ColumnElement:
    """Whole hours from ``start`` to ``end``, capped at a week (one expression per row, either dialect)."""
    if session.get_bind().dialect.name == "sqlite":
        hours = sa.cast((sa.func.julianday(end) - sa.func.julianday(start)) * 24, sa.Integer)
    else:
        hours = sa.cast(sa.func.floor(sa.func.extract("epoch", end - start) / 3600), sa.Integer)
    return sa.func.min(hours, 24 * 7) if session.get_bind().dialect.name == "sqlite" else sa.func.least(hours, 24 * 7)


def time_to_acknowledge(
    session: Session, principal: Principal, now: datetime, days: int = 30, where: DirectiveFilter = REAL
) -> tuple[list[int], int]:
    """How long platforms took to acknowledge (counts per bucket of ``ACK_BUCKETS``), and how many have not yet."""
    require_reader(principal)
    since = _window(where, now, days)
    hours = _hours_between(session, Delivery.created_at, Delivery.acknowledged_at).label("hours")
    query = (
        _counted_deliveries(principal, where, since=since)
        .add_columns(hours, sa.func.count())
        .where(Delivery.acknowledged_at.is_not(None))
        .group_by(hours)
    )
    counts = [0] * (len(ACK_BUCKETS) + 1)
    for hour, count in session.execute(query):
        seconds = max(hour or 0, 0) * 3600
        counts[next((i for i, limit in enumerate(ACK_BUCKETS) if seconds < limit), len(ACK_BUCKETS))] += count
    waiting = (
        _counted_deliveries(principal, where, since=since)
        .add_columns(sa.func.count())
        .where(Delivery.state.in_([DeliveryState.PENDING, DeliveryState.DELIVERED]))
    )
    return counts, session.execute(waiting).scalar() or 0


def _overdue(
    principal: Principal, now: datetime, where: DirectiveFilter = REAL, *, need_platform: bool = False
) -> sa.Select:
    """Overdue deliveries of the counted directives in scope, found through the partial index of open deadlines
    (``directive_id + 0`` keeps SQLite's planner from walking every delivery of every counted directive instead)."""
    query = (
        sa.select()
        .select_from(Delivery)
        .where(Delivery.due_at < now, (Delivery.directive_id + 0).in_(_counted_directives(where)))
    )
    return _in_scope(query, principal, where, need_platform)


def overdue_by_province(
    session: Session, principal: Principal, now: datetime, where: DirectiveFilter = REAL
) -> list[tuple[str, int]]:
    """Platforms with at least one overdue delivery, counted per province, most first."""
    require_reader(principal)
    platforms = sa.func.count(sa.distinct(Delivery.platform_id))
    query = (
        _overdue(principal, now, where, need_platform=True)
        .add_columns(Organisation.province, platforms)
        .group_by(Organisation.province)
        .order_by(platforms.desc(), Organisation.province)
    )
    return [(province or "", count) for province, count in session.execute(query)]


def _ratio_conditions(now: datetime, days: int, where: DirectiveFilter) -> list[sa.ColumnElement[bool]]:
    """Reports of the filter's period (else periods ending in the last ``days``), province and exercise choice."""
    conds = []
    if where.since or where.until:
        if where.since:
            conds.append(RatioReport.period_end >= where.since.astimezone(LOCAL_TZ).date())
        if where.until:
            conds.append(RatioReport.period_start < where.until.astimezone(LOCAL_TZ).date())
    else:
        conds.append(RatioReport.period_end >= (now - timedelta(days=days)).date())
    if where.province:
        conds.append(Organisation.province == where.province)
    if where.exercise is False:
        conds.append(sa.or_(Directive.id.is_(None), Directive.exercise.is_(False)))
    elif where.exercise:
        conds.append(Directive.exercise.is_(True))
    return conds


def latest_ratio_reports(
    session: Session,
    principal: Principal,
    now: datetime,
    days: int = 62,
    limit: int = 40,
    where: DirectiveFilter = REAL,
) -> list[tuple[str, float, bool, int]]:
    """The highest ratios reported for periods ending in the last ``days``: (platform, ratio, flagged, platform id)."""
    require_reader(principal)
    query = (
        sa.select(Organisation.name, RatioReport.ratio, RatioReport.flagged, Organisation.id)
        .join(Organisation, Organisation.id == RatioReport.platform_id)
        .outerjoin(Directive, Directive.id == RatioReport.directive_id)
        .where(platform_scope(principal), *_ratio_conditions(now, days, where))
        .order_by(RatioReport.ratio.desc(), Organisation.name)
        .limit(limit)
    )
    return [(name, float(ratio), bool(flagged), org_id) for name, ratio, flagged, org_id in session.execute(query)]


def totals(session: Session, principal: Principal, now: datetime, where: DirectiveFilter = REAL) -> dict[str, int]:
    """Headline counts over all counted deliveries in scope (by default: not exercises)."""
    require_reader(principal)
    out = {"deliveries": 0, "acknowledged": 0, "implemented": 0}
    by_state = (
        _counted_deliveries(principal, where).add_columns(Delivery.state, sa.func.count()).group_by(Delivery.state)
    )
    for state, count in session.execute(by_state):
        _add_state_counts(out, state, count)
    overdue = _overdue(principal, now, where).add_columns(sa.func.count())
    out["overdue"] = session.execute(overdue).scalar() or 0
    return out


def dashboard(
    session: Session,
    principal: Principal,
    now: datetime,
    threshold: float,
    days: int = 30,
    where: DirectiveFilter = REAL,
) -> Dashboard:
    """Every figure of the manager's dashboard, for the directives, platforms and period of ``where``."""
    buckets, missing = time_to_acknowledge(session, principal, now, days, where)
    return Dashboard(
        days=rates_over_time(session, principal, now, days, where),
        months=monthly(session, principal, now, 12, where),
        ack_buckets=buckets,
        not_acknowledged=missing,
        overdue_by_province=overdue_by_province(session, principal, now, where),
        ratio_reports=latest_ratio_reports(session, principal, now, where=where),
        threshold=threshold,
        totals=totals(session, principal, now, where),
    )
