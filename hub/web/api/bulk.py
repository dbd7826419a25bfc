"""Bulk actions over HTTP: remind every overdue platform of a directive, remind the whole escalation list, verify
several reports. Thin adapters over ``hub.core.bulk``: one transaction, then the pushes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from hub import sockets
from hub.core import bulk
from hub.core.reminders import Reminded
from hub.web.api import schemas
from hub.web.api.base import ID, Province, blueprint, now, ok, principal, writing

bp = blueprint("bulk", __name__, "bulk", "one action on many deliveries: reminders and verification")


class DirectivePath(BaseModel):
    directive_id: ID


class EscalationsQuery(BaseModel):
    province: Province | None = Field(default=None, description="only the escalations of this province")


class VerifyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    delivery_ids: list[ID] = Field(min_length=1, max_length=bulk.BULK_LIMIT)


class RemindedOut(BaseModel):
    reminded: int = Field(description="platforms reminded, one reminder each")
    delivery_ids: list[int]


class VerifiedOut(BaseModel):
    verified: int = Field(description="reports newly marked verified (already verified ones are left as they were)")
    items: list[schemas.DeliveryOut]


def _pushed(sent: list[Reminded]) -> RemindedOut:
    for reminded in sent:
        sockets.push_reminder(reminded.sent.platform_id, reminded.sent.payload)
    return RemindedOut(reminded=len(sent), delivery_ids=[r.delivery.id for r in sent])


@bp.post(
    "/directives/<int:directive_id>/remind-overdue",
    summary=f"Remind every platform whose deadline on this directive has passed (at most {bulk.BULK_LIMIT})",
    responses={200: RemindedOut},
)
def remind_overdue(path: DirectivePath):
    with writing() as session:
        sent = bulk.remind_overdue(session, principal(), now(), path.directive_id)
    return ok(_pushed(sent))


@bp.post(
    "/escalations/remind",
    summary=f"Remind every platform on your list of open escalations (at most {bulk.BULK_LIMIT})",
    responses={200: RemindedOut},
)
def remind_escalated(query: EscalationsQuery):
    with writing() as session:
        sent = bulk.remind_escalated(session, principal(), now(), query.province)
    return ok(_pushed(sent))


@bp.post(
    "/deliveries/verify",
    summary="Mark several implementation reports verified (all or none)",
    responses={200: VerifiedOut},
)
def verify(body: VerifyBody):
    with writing() as session:
        changes = bulk.verify_reports(session, principal(), now(), body.delivery_ids)
        out = VerifiedOut(
            verified=sum(c.changed for c in changes),
            items=[schemas.DeliveryOut.model_validate(c.delivery) for c in changes],
        )
    refresh = sorted({i for c in changes for i in c.refresh})
    if refresh:
        sockets.push_progress(refresh)
    return ok(out)
