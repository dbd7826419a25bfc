"""Organisations: registering regulators, provincial departments and platforms, and listing them within scope."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import log, paging
from hub.core.access import Principal, platform_scope, require_role
from hub.core.errors import Conflict, InvalidInput, NotFound
from hub.models import Organisation, OrgKind, PlatformKind, Role
from hub.provinces import PROVINCES

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")


def create_organisation(
    session: Session,
    actor: Principal,
    now: datetime,
    *,
    kind: OrgKind,
    code: str,
    name: str,
    province: str | None = None,
    platform_kind: PlatformKind | None = None,
    licence_no: str | None = None,
    domains: list[str] | None = None,
    ref_suffix: str | None = None,
) -> Organisation:
    """Register an organisation; a new platform at once receives the directives still in force that address it."""
    require_role(actor, Role.ADMIN)
    kind = OrgKind(kind)
    province, platform_kind = _checked_fields(kind, code, name, province, platform_kind)
    _refuse_duplicates(session, kind, code, province)
    org = Organisation(
        kind=kind,
        code=code,
        name=name.strip(),
        province=province,
        platform_kind=platform_kind,
        licence_no=licence_no,
        domains=list(domains or []),
        ref_suffix=ref_suffix,
        created_at=now,
    )
    session.add(org)
    session.flush()
    details = {"code": code, "kind": kind.value}
    log.append(
        session,
        log.EventDraft(
            "organisation_registered", actor.label, now, org_id=org.id, province=org.province, details=details
        ),
    )
    if kind == OrgKind.PLATFORM:
        from hub.core.directives import deliver_standing

        deliver_standing(session, org, now)
    return org


def log_event_about(
    session: Session, kind: str, actor: Principal, now: datetime, org: Organisation, details: dict
) -> None:
    """Log an event about an organisation: a user or token of it created, issued or revoked."""
    log.append(
        session,
        log.EventDraft(kind, actor.label, now, org_id=org.id, province=org.province, details=details),
    )


def get_org_by_code(session: Session, code: str) -> Organisation:
    org = session.exec(select(Organisation).where(Organisation.code == code)).first()
    if org is None:
        raise NotFound("organisation_code_unknown", code=code)
    return org


def organisation_scope(principal: Principal) -> sa.ColumnElement[bool]:
    """The organisations a principal may list: the central regulator all, a province itself and its platforms,
    a platform itself."""
    if principal.is_regulator:
        return sa.true()
    if principal.is_province:
        return sa.or_(Organisation.id == principal.org_id, platform_scope(principal))
    return Organisation.id == principal.org_id


def list_organisations(
    session: Session,
    principal: Principal,
    *,
    kind: OrgKind | str | None = None,
    province: str | None = None,
    q: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> paging.Page[Organisation]:
    """Organisations in the principal's scope, by kind, name and id, with filters: the one list the API and the admin's
    page both show."""
    query = select(Organisation).where(organisation_scope(principal))
    if kind:
        try:
            query = query.where(Organisation.kind == OrgKind(kind))
        except ValueError:
            raise InvalidInput("organisation_kind_invalid") from None
    if province:
        query = query.where(Organisation.province == province)
    if q:
        like = f"%{q.strip()[:100]}%"
        query = query.where(sa.or_(Organisation.name.ilike(like), Organisation.code.ilike(like)))
    query = query.order_by(Organisation.kind, Organisation.name, Organisation.id)
    return paging.paginate(session, query, page, per_page)


def _checked_fields(
    kind: OrgKind, code: str, name: str, province: str | None, platform_kind: PlatformKind | None
) -> tuple[str | None, PlatformKind | None]:
    """Refuse a malformed code, name, province or platform kind; the province and platform kind this kind keeps."""
    if not CODE_RE.match(code or ""):
        raise InvalidInput("organisation_code_invalid")
    if not name or not name.strip() or len(name) > 300:
        raise InvalidInput("organisation_name_invalid")
    if kind in (OrgKind.PROVINCE, OrgKind.PLATFORM) and province not in PROVINCES:
        raise InvalidInput("province_invalid", choices=", ".join(sorted(PROVINCES)))
    if kind == OrgKind.REGULATOR:
        province = None
    if kind != OrgKind.PLATFORM:
        return province, None
    if platform_kind is None:
        raise InvalidInput("platform_kind_invalid")
    return province, PlatformKind(platform_kind)


def _refuse_duplicates(session: Session, kind: OrgKind, code: str, province: str | None) -> None:
    """One department per province, one organisation per code."""
    if kind == OrgKind.PROVINCE:
        taken = select(Organisation.id).where(Organisation.kind == OrgKind.PROVINCE, Organisation.province == province)
        if session.exec(taken).first():
            raise Conflict("province_taken", province=province)
    if session.exec(select(Organisation.id).where(Organisation.code == code)).first():
        raise Conflict("organisation_code_taken", code=code)
