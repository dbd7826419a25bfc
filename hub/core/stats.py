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


def _counted_deliveries(principal: Principal) -> sa.Select:
    """Deliveries of published, non-exercise directives to platforms in the reader's scope (as a FROM + WHERE)."""
    return (
        sa.select()
        .select_from(Delivery)
        .join(Directive, Directive.id == Delivery.directive_id)
        .join(Organisation, Organisation.id == Delivery.platform_id)
        .where(
            Directive.exercise.is_(False),
            Directive.status.in_([DirectiveStatus.PUBLISHED, DirectiveStatus.EXPIRED]),
            platform_scope(principal),
        )
    )


def rates_over_time(session: Session, principal: Principal, now: datetime, days: int = 30) -> list[DayRate]:
    """Share of deliveries acknowledged and implemented, by the local day their directive was published."""
    require_reader(principal)
    since = now - timedelta(days=days)
    query = (
        _counted_deliveries(principal)
        .add_columns(
            Directive.published_at,
            sa.func.count(Delivery.id),
            sa.func.count(Delivery.acknowledged_at),
            sa.func.count(Delivery.implemented_at),
        )
        .where(Directive.published_at >= since)
        .group_by(Directive.id, Directive.published_at)
    )
    by_day: dict[date, DayRate] = {}
    for published_at, total, acked, done in session.execute(query):
        day = published_at.astimezone(LOCAL_TZ).date() if published_at.tzinfo else published_at.date()
        rate = by_day.setdefault(day, DayRate(day))
        rate.deliveries += total
        rate.acknowledged += acked
        rate.implemented += done
    return [by_day[d] for d in sorted(by_day)]


def _seconds_between(session: Session, start: sa.ColumnElement, end: sa.ColumnElement) -> sa.ColumnElement:
    if session.get_bind().dialect.name == "sqlite":
        return (sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0
    return sa.func.extract("epoch", end - start)


def time_to_acknowledge(session: Session, principal: Principal, now: datetime, days: int = 30) -> tuple[list[int], int]:
    """How long platforms took to acknowledge (counts per bucket of ``ACK_BUCKETS``), and how many have not yet."""
    require_reader(principal)
    seconds = _seconds_between(session, Delivery.created_at, Delivery.acknowledged_at)
    whens = [(seconds < limit, i) for i, limit in enumerate(ACK_BUCKETS)]
    bucket = sa.case((Delivery.acknowledged_at.is_(None), -1), *whens, else_=len(ACK_BUCKETS))
    query = (
        _counted_deliveries(principal)
        .add_columns(bucket.label("bucket"), sa.func.count())
        .where(Directive.published_at >= now - timedelta(days=days))
        .group_by(bucket)
    )
    counts = [0] * (len(ACK_BUCKETS) + 1)
    missing = 0
    for index, count in session.execute(query):
        if index == -1:
            missing = count
        else:
            counts[index] = count
    return counts, missing


def overdue_by_province(session: Session, principal: Principal, now: datetime) -> list[tuple[str, int]]:
    """Platforms with at least one overdue delivery, counted per province, most first."""
    require_reader(principal)
    query = (
        _counted_deliveries(principal)
        .add_columns(Organisation.province, sa.func.count(sa.distinct(Delivery.platform_id)))
        .where(Delivery.due_at < now, Delivery.state.in_([s.value for s in _open_states()]))
        .group_by(Organisation.province)
        .order_by(sa.func.count(sa.distinct(Delivery.platform_id)).desc(), Organisation.province)
    )
    return [(province or "", count) for province, count in session.execute(query)]


def _open_states() -> tuple[DeliveryState, ...]:
    from hub.models import OPEN_STATES

    return OPEN_STATES


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
    query = _counted_deliveries(principal).add_columns(
        sa.func.count(Delivery.id),
        sa.func.count(Delivery.acknowledged_at),
        sa.func.count(Delivery.implemented_at),
        sa.func.sum(sa.case((Delivery.due_at < now, 1), else_=0)),
    )
    total, acked, done, overdue = session.execute(query).one()
    return {"deliveries": total or 0, "acknowledged": acked or 0, "implemented": done or 0, "overdue": overdue or 0}


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
