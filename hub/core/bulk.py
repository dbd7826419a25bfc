"""Acting on many deliveries in one action: remind every overdue platform of a directive, remind every open
escalation the officer sees, verify several implementation reports. Each delivery is changed and logged exactly as
one action would do it (the log marks the reminders ``bulk``), all in the caller's one transaction."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import deliveries, reminders
from hub.core.access import Principal, get_visible_directive, platform_scope, require_issuer
from hub.core.errors import InvalidInput
from hub.core.reminders import Reminded
from hub.models import OPEN_STATES, Delivery, Organisation, Verification

BULK_LIMIT = 1000  # deliveries one action may touch; more is done in several actions


def remind_overdue(session: Session, principal: Principal, now: datetime, directive_id: int) -> list[Reminded]:
    """Remind, once each, every platform in the officer's scope whose deadline on this directive has passed."""
    require_issuer(principal)
    get_visible_directive(session, principal, directive_id)
    return _remind(session, principal, now, Delivery.directive_id == directive_id, Delivery.due_at <= now)


def remind_escalated(
    session: Session, principal: Principal, now: datetime, province: str | None = None
) -> list[Reminded]:
    """Remind, once each, every platform on the officer's list of open escalations (of one province if given)."""
    require_issuer(principal)
    if province is not None and principal.is_province and province != principal.province:
        raise InvalidInput("province_scope_only")
    where = [Delivery.escalated_at.is_not(None), Delivery.due_at.is_not(None)]
    if province:
        where.append(Organisation.province == province)
    return _remind(session, principal, now, *where)


def _remind(session: Session, principal: Principal, now: datetime, *where: sa.ColumnElement[bool]) -> list[Reminded]:
    ids = session.exec(
        select(Delivery.id)
        .join(Organisation, Organisation.id == Delivery.platform_id)
        .where(*where, Delivery.state.in_(OPEN_STATES), platform_scope(principal))
        .order_by(Delivery.id)
        .limit(BULK_LIMIT)
    ).all()
    return [reminders.remind(session, principal, now, delivery_id, bulk=True) for delivery_id in ids]


def verify_reports(
    session: Session, principal: Principal, now: datetime, delivery_ids: list[int], directive_id: int | None = None
) -> list[deliveries.Change]:
    """Mark several implementation reports verified (all of one directive, when ``directive_id`` is given); one that
    cannot be (not the officer's, not reported yet) refuses the whole action, so nothing is half done. Already
    verified ones are left as they are."""
    wanted = sorted(set(delivery_ids))
    if not wanted or len(wanted) > BULK_LIMIT:
        raise InvalidInput("bulk_verify_count", max=BULK_LIMIT)
    if directive_id is not None:
        found = session.exec(select(Delivery.id).where(Delivery.id.in_(wanted), Delivery.directive_id == directive_id))
        if len(set(found)) != len(wanted):
            raise InvalidInput("bulk_verify_foreign")
    return [deliveries.review_report(session, principal, now, i, Verification.VERIFIED) for i in wanted]
