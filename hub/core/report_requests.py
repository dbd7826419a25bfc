"""Periodic report requests: every platform is asked for its content-ratio figures of the month before.

The request for a month is issued once, whatever the number of sweeps, restarts or schedulers: a row in the
:class:`Counter` table named after the month is inserted in the same transaction that publishes the request, and a
second writer's insert of that row does nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from hub.core import directives
from hub.core.access import Principal
from hub.core.directive_input import DirectiveInput
from hub.core.signing import Signer
from hub.core.sweep_batch import ACTOR, Outcome
from hub.models import Counter, DirectiveKind, Organisation, OrgKind, Priority, Role

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ANSWER_WITHIN = timedelta(days=7)
LEGAL_BASIS = "Công văn 664/PTTH&TTĐT ngày 29/3/2024"


def period_before(moment: datetime) -> tuple[date, date]:
    """The calendar month (in Vietnam) before the one containing ``moment``: its first and last day."""
    local = moment.astimezone(LOCAL_TZ).date()
    last = local.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def key_for(period_start: date) -> str:
    return f"report_request:{period_start:%Y-%m}"


def issue_due(session: Session, now: datetime, signer: Signer, fired_at: datetime) -> Outcome:
    """Issue the report request of the schedule that fired at ``fired_at``, unless it was issued already."""
    start, end = period_before(fired_at)
    key = key_for(start)
    if session.get(Counter, key) is not None:
        return Outcome()
    regulator = session.exec(
        select(Organisation)
        .where(Organisation.kind == OrgKind.REGULATOR, Organisation.active.is_(True))
        .order_by(Organisation.id)
    ).first()
    has_platforms = session.scalar(
        sa.select(sa.func.count(Organisation.id)).where(
            Organisation.kind == OrgKind.PLATFORM, Organisation.active.is_(True)
        )
    )
    if regulator is None or not has_platforms or not _claim(session, key):
        return Outcome()
    principal = Principal(org_id=regulator.id, org_kind=OrgKind.REGULATOR, role=Role.OFFICER, label=ACTOR)
    month = f"{start:%m/%Y}"
    data = DirectiveInput(
        kind=DirectiveKind.REPORT_REQUEST,
        title=f"Yêu cầu báo cáo tỷ lệ nội dung tiêu cực tháng {month}",
        body=(
            f"Đề nghị các trang thông tin điện tử tổng hợp và mạng xã hội báo cáo số liệu tháng {month} "
            f"(từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}): tổng số tin, bài đã đăng tải hoặc chia sẻ, số tin, bài "
            "tiêu cực và tỷ lệ giữa hai số này (yêu cầu dưới 15%)."
        ),
        priority=Priority.ROUTINE,
        audience={"all": True},
        legal_basis=LEGAL_BASIS,
        implement_due_at=max(now, fired_at) + ANSWER_WITHIN,
    )
    published = directives.issue(session, principal, now, data, signer, publish=True).published
    return Outcome(published=[published], touched={published.directive.id})


def _claim(session: Session, key: str) -> bool:
    """Insert the month's marker; False when another writer already has (or is committing) it."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    inserted = session.execute(
        dialect.insert(Counter)
        .values(name=key, value=1)
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(Counter.name)
    )
    return inserted.first() is not None
