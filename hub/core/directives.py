"""Directives: draft, publish (now or at a time), amend, revoke, expire.

Publishing resolves the audience into one Delivery row per platform, assigns each platform its next sequence
number, signs the text and logs the act — all in the caller's one transaction, with bulk statements, so either the
directive and every delivery exist or nothing does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import audiences, fanout, log, search
from hub.core.access import Principal, confined_to, get_own_directive, issuer_province, require_issuer
from hub.core.directive_input import DirectiveInput
from hub.core.directive_payload import payload as directive_payload
from hub.core.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from hub.core.signing import Signer, content_hash
from hub.models import (
    Delivery,
    Directive,
    DirectiveStatus,
    Organisation,
    Priority,
)

LEGAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")  # reference numbers run per calendar year in Vietnam

# Deadlines (and reminder policy) when the officer sets none, by priority.
DEFAULT_ACK_WITHIN = {
    Priority.FLASH: timedelta(hours=1),
    Priority.URGENT: timedelta(hours=4),
    Priority.ROUTINE: timedelta(hours=24),
}
DEFAULT_IMPLEMENT_WITHIN = {
    Priority.FLASH: timedelta(hours=12),
    Priority.URGENT: timedelta(days=2),
    Priority.ROUTINE: timedelta(days=7),
}


@dataclass(frozen=True)
class Published:
    """What a publish did, for the adapters to announce after commit."""

    directive: Directive
    payload: dict[str, Any]
    platform_ids: list[int] = field(default_factory=list)
    superseded: Directive | None = None


@dataclass(frozen=True)
class Issued:
    """A directive written (a draft, scheduled, or published now) and, when published now, what to announce."""

    directive: Directive
    published: Published | None = None


@dataclass(frozen=True)
class Revoked:
    """A revocation: the directive, whether this call revoked it, and the platforms to tell (those that had it)."""

    directive: Directive
    changed: bool
    platform_ids: list[int] = field(default_factory=list)


IN_FORCE = sa.and_(Directive.status == DirectiveStatus.PUBLISHED, Directive.superseded_by_id.is_(None))


def in_force(directive: Directive) -> bool:
    """Published and not amended: the directive platforms act on (and the only kind that can be amended)."""
    return directive.status == DirectiveStatus.PUBLISHED and directive.superseded_by_id is None


def require_in_force(directive: Directive) -> None:
    """A platform acts only on a directive in force; otherwise say why not (revoked, amended or expired)."""
    if in_force(directive):
        return
    if directive.status == DirectiveStatus.REVOKED:
        raise InvalidTransition("directive_revoked")
    if directive.superseded_by_id is not None:
        raise InvalidTransition("directive_amended", ref_no=_amendment_ref_no(directive))
    raise InvalidTransition("directive_expired")


_AFTER_PUBLICATION = {
    "ack_due_at": "ack_due_before_publication",
    "implement_due_at": "implement_due_before_publication",
    "expires_at": "expires_before_publication",
}


def _amendment_ref_no(directive: Directive) -> str:
    """The reference number of the directive that amended this one (the number a platform's editor knows)."""
    session = Session.object_session(directive)
    amendment = session.get(Directive, directive.superseded_by_id) if session is not None else None
    return (amendment.ref_no if amendment is not None else None) or "—"


def _validate_times(data: DirectiveInput, now: datetime) -> None:
    start = data.publish_at or now
    if data.publish_at is not None and data.publish_at <= now:
        raise InvalidInput("publish_at_past")
    for name, code in _AFTER_PUBLICATION.items():
        value = getattr(data, name)
        if value is not None and value <= start:
            raise InvalidInput(code)
    if data.ack_due_at and data.implement_due_at and data.implement_due_at < data.ack_due_at:
        raise InvalidInput("implement_due_before_ack_due")
    if data.expires_at and data.implement_due_at and data.expires_at < data.implement_due_at:
        raise InvalidInput("expires_before_implement_due")


def create(session: Session, principal: Principal, now: datetime, data: DirectiveInput) -> Directive:
    """Save a draft (or, with ``publish_at``, a scheduled directive) for the principal's organisation."""
    require_issuer(principal)
    audience = audiences.confine(session, audiences.parse(data.audience), issuer_province(principal))
    unknown = audiences.unknown_platforms(session, audience)
    if unknown:
        raise NotFound("platforms_unknown", platforms=", ".join(unknown[:20]))
    _validate_times(data, now)
    values = data.model_dump(exclude={"audience"})
    directive = Directive(
        **values,
        audience=audience.model_dump(mode="json"),
        issuer_id=principal.org_id,
        author_id=principal.user_id,
        status=DirectiveStatus.SCHEDULED if data.publish_at else DirectiveStatus.DRAFT,
        created_at=now,
        updated_at=now,
    )
    search.index(directive)
    session.add(directive)
    session.flush()
    _log(
        session,
        "drafted" if directive.status == DirectiveStatus.DRAFT else "scheduled",
        principal.label,
        now,
        directive,
        {"title": directive.title, "publish_at": directive.publish_at},
    )
    return directive


def issue(
    session: Session, principal: Principal, now: datetime, data: DirectiveInput, signer: Signer, *, publish: bool
) -> Issued:
    """Write a directive and, when asked, publish it at once: in the caller's one transaction, so a refused
    publication leaves no draft behind."""
    directive = create(session, principal, now, data)
    if not publish:
        return Issued(directive)
    published = _publish(session, directive, now, signer, principal.label)
    return Issued(published.directive, published)


def update_draft(
    session: Session, principal: Principal, now: datetime, directive_id: int, data: DirectiveInput
) -> Directive:
    """Replace the content of a draft or scheduled directive; published ones are amended instead."""
    directive = get_own_directive(session, principal, directive_id)
    if directive.status not in (DirectiveStatus.DRAFT, DirectiveStatus.SCHEDULED):
        raise InvalidTransition("only_drafts_editable")
    audience = audiences.confine(session, audiences.parse(data.audience), issuer_province(principal))
    _validate_times(data, now)
    for name, value in data.model_dump(exclude={"audience"}).items():
        setattr(directive, name, value)
    directive.audience = audience.model_dump(mode="json")
    directive.status = DirectiveStatus.SCHEDULED if data.publish_at else DirectiveStatus.DRAFT
    directive.updated_at = now
    search.index(directive)
    session.add(directive)
    _log(session, "draft_updated", principal.label, now, directive, {})
    return directive


def publish(session: Session, principal: Principal, now: datetime, directive_id: int, signer: Signer) -> Published:
    """Publish a draft or scheduled directive now."""
    directive = get_own_directive(session, principal, directive_id)
    if directive.status not in (DirectiveStatus.DRAFT, DirectiveStatus.SCHEDULED):
        raise InvalidTransition("cannot_publish", status=str(directive.status))
    return _publish(session, directive, now, signer, principal.label)


def schedule(session: Session, principal: Principal, now: datetime, directive_id: int, publish_at: datetime) -> Issued:
    """Set or move the publication time of a draft or scheduled directive."""
    directive = get_own_directive(session, principal, directive_id)
    if directive.status not in (DirectiveStatus.DRAFT, DirectiveStatus.SCHEDULED):
        raise InvalidTransition("cannot_schedule", status=str(directive.status))
    if publish_at.tzinfo is None or publish_at <= now:
        raise InvalidInput("publish_at_invalid")
    directive.publish_at, directive.status, directive.updated_at = publish_at, DirectiveStatus.SCHEDULED, now
    session.add(directive)
    _log(session, "scheduled", principal.label, now, directive, {"publish_at": publish_at})
    return Issued(directive)


def publish_scheduled(session: Session, now: datetime, signer: Signer, directive_id: int) -> Published | None:
    """Publish one scheduled directive whose time has come; None when it is not due or another sweeper has it."""
    directive = session.exec(
        select(Directive)
        .where(
            Directive.id == directive_id,
            Directive.status == DirectiveStatus.SCHEDULED,
            Directive.publish_at <= now,
        )
        .with_for_update(skip_locked=True)
    ).first()
    return None if directive is None else _publish(session, directive, now, signer, "system:scheduler")


def _apply_default_deadlines(directive: Directive, now: datetime) -> None:
    priority = Priority(directive.priority)
    if directive.ack_due_at is None or directive.ack_due_at <= now:
        directive.ack_due_at = now + DEFAULT_ACK_WITHIN[priority]
    if directive.implement_due_at is None or directive.implement_due_at < directive.ack_due_at:
        directive.implement_due_at = max(now + DEFAULT_IMPLEMENT_WITHIN[priority], directive.ack_due_at)


def _publish(session: Session, directive: Directive, now: datetime, signer: Signer, actor: str) -> Published:
    # Publishes take the log lock before touching any platform row, so concurrent publishes queue up rather than
    # deadlock on each other's platform rows.
    log.lock(session)
    issuer = session.get(Organisation, directive.issuer_id)
    audience = audiences.parse(directive.audience)
    scope = confined_to(issuer)
    superseded = _supersede(session, directive, now, actor) if directive.supersedes_id else None
    directive.seq = fanout.next_counter(session, "directive_seq")
    year = now.astimezone(LEGAL_TZ).year
    number = fanout.next_counter(session, f"ref:{issuer.id}:{year}")
    directive.ref_no = f"{number}/{issuer.ref_suffix or issuer.code}"
    search.index(directive)  # the reference number is part of what it is found by
    late_by = (now - directive.publish_at).total_seconds() if directive.publish_at else 0
    directive.status, directive.published_at, directive.updated_at = DirectiveStatus.PUBLISHED, now, now
    _apply_default_deadlines(directive, now)
    platform_ids = fanout.create_deliveries(session, directive, audiences.condition(audience, scope), now)
    if not platform_ids:
        raise Conflict("audience_matches_none")  # the registry's state, not the request, decides
    directive.audience_size = len(platform_ids)
    session.refresh(directive, ["official_documents"])  # exactly the documents in the database are signed
    body = directive_payload(directive, issuer)
    directive.content_hash = content_hash(body)
    directive.signature = signer.sign(body)
    session.add(directive)
    session.flush()
    details = {"ref_no": directive.ref_no, "audience_size": len(platform_ids), "content_hash": directive.content_hash}
    if directive.publish_at:
        details["scheduled_for"] = directive.publish_at
        details["late_by_seconds"] = round(max(late_by, 0.0), 3)
    _log(session, "published", actor, now, directive, details)
    return Published(directive, directive_payload(directive, issuer), platform_ids, superseded)


def _supersede(session: Session, amendment: Directive, now: datetime, actor: str) -> Directive:
    old = session.get(Directive, amendment.supersedes_id)
    if old is None or not in_force(old):
        raise InvalidTransition("cannot_amend")
    old.superseded_by_id = amendment.id
    old.updated_at = now
    session.add(old)
    fanout.close_open_deliveries(session, old.id)
    _log(session, "superseded", actor, now, old, {"by": amendment.id})
    return old


def amend(
    session: Session, principal: Principal, now: datetime, directive_id: int, data: DirectiveInput, signer: Signer
) -> Issued:
    """Issue an amendment that supersedes a published directive and needs a fresh acknowledgement.

    Published at once, or scheduled when ``publish_at`` is given (then the old one stays in force until then).
    """
    old = get_own_directive(session, principal, directive_id)
    if not in_force(old):
        raise InvalidTransition("cannot_amend")
    pending = session.exec(
        select(Directive.id).where(Directive.supersedes_id == old.id, Directive.status == DirectiveStatus.SCHEDULED)
    ).first()
    if pending is not None:
        raise Conflict("amendment_pending")
    amendment = create(session, principal, now, data)
    amendment.supersedes_id = old.id
    amendment.legal_basis = amendment.legal_basis or old.legal_basis
    session.add(amendment)
    session.flush()
    if amendment.status == DirectiveStatus.SCHEDULED:
        return Issued(amendment)
    published = _publish(session, amendment, now, signer, principal.label)
    return Issued(published.directive, published)


def revoke(session: Session, principal: Principal, now: datetime, directive_id: int, reason: str) -> Revoked:
    """Withdraw a directive; the platforms that had received it are to be told."""
    directive = get_own_directive(session, principal, directive_id)
    if not reason or not reason.strip() or len(reason) > 2000:
        raise InvalidInput("reason_required")
    if directive.status == DirectiveStatus.REVOKED:
        return Revoked(directive, False)
    if directive.status == DirectiveStatus.EXPIRED:
        raise InvalidTransition("cannot_revoke_expired")
    directive.status, directive.revoked_at, directive.revoke_reason = DirectiveStatus.REVOKED, now, reason.strip()
    directive.updated_at = now
    session.add(directive)
    fanout.close_open_deliveries(session, directive.id)
    _log(session, "revoked", principal.label, now, directive, {"reason": directive.revoke_reason})
    platform_ids = list(session.exec(select(Delivery.platform_id).where(Delivery.directive_id == directive.id)))
    return Revoked(directive, True, platform_ids)


def expire_due(session: Session, now: datetime, limit: int = 200) -> list[Directive]:
    """Mark published directives past ``expires_at`` as expired; nothing is owed on them afterwards."""
    due = session.exec(
        select(Directive)
        .where(Directive.status == DirectiveStatus.PUBLISHED, Directive.expires_at <= now)
        .order_by(Directive.expires_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for directive in due:
        directive.status, directive.updated_at = DirectiveStatus.EXPIRED, now
        session.add(directive)
        fanout.close_open_deliveries(session, directive.id)
        _log(session, "expired", "system:scheduler", now, directive, {"expires_at": directive.expires_at})
    return list(due)


def deliver_standing(session: Session, platform: Organisation, now: datetime) -> list[Directive]:
    """Give a newly registered platform the directives still in force that address it."""
    in_force = session.exec(
        select(Directive, Organisation)
        .join(Organisation, Organisation.id == Directive.issuer_id)
        .where(
            IN_FORCE,
            sa.or_(Directive.expires_at.is_(None), Directive.expires_at > now),
        )
        .order_by(Directive.seq)
    ).all()
    given = []
    for directive, issuer in in_force:
        if audiences.matches(audiences.parse(directive.audience), platform, confined_to(issuer)):
            if fanout.create_deliveries(session, directive, Organisation.id == platform.id, now):
                directive.audience_size += 1
                session.add(directive)
                given.append(directive)
                _log(session, "delivered_to_new_platform", "system", now, directive, {"platform": platform.code})
    return given


def _log(session: Session, kind: str, actor: str, now: datetime, directive: Directive, details: dict) -> None:
    issuer = session.get(Organisation, directive.issuer_id)
    log.append(
        session,
        log.EventDraft(
            kind, actor, now, org_id=issuer.id, province=issuer.province, directive_id=directive.id, details=details
        ),
    )
