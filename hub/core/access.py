"""Who may see and do what: roles, and the organisation and province scope of every read and write.

Every core function that acts for somebody takes a :class:`Principal` and asks this module; adapters never decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core.errors import Forbidden, NotFound
from hub.models import Directive, Organisation, OrgKind, Role


@dataclass(frozen=True, slots=True)
class Principal:
    """The acting party: a signed-in user, a user's personal token, or a platform's machine token.

    A machine token acts with the rights of an editor of its platform, attributed to the token. ``session_id`` is
    the server-side session of a signed-in user (so that what it opened can be cut when that session ends).
    """

    org_id: int
    org_kind: OrgKind
    role: Role
    province: str | None = None
    user_id: int | None = None
    token_id: int | None = None
    label: str = ""
    token_last_used: datetime | None = field(default=None, compare=False)
    session_id: int | None = None

    @property
    def is_regulator(self) -> bool:
        return self.org_kind == OrgKind.REGULATOR

    @property
    def is_province(self) -> bool:
        return self.org_kind == OrgKind.PROVINCE

    @property
    def is_platform(self) -> bool:
        return self.org_kind == OrgKind.PLATFORM

    @property
    def is_machine(self) -> bool:
        return self.token_id is not None and self.user_id is None


SYSTEM = Principal(org_id=0, org_kind=OrgKind.REGULATOR, role=Role.ADMIN, label="system")


def require_role(principal: Principal, *roles: Role) -> None:
    """Refuse unless the principal holds one of ``roles``."""
    if principal.role not in roles:
        raise Forbidden("role_not_allowed")


def require_issuer(principal: Principal) -> None:
    """Only officers (and admins) of the regulator or a provincial department may issue directives."""
    if principal.role not in (Role.OFFICER, Role.ADMIN) or principal.is_platform:
        raise Forbidden("officers_only")


def require_reader(principal: Principal) -> None:
    """Regulator and province staff (officers, managers, admins) read follow-through."""
    if principal.is_platform or principal.role == Role.EDITOR:
        raise Forbidden("own_inbox_only")


def require_platform(principal: Principal) -> None:
    """Inbox operations belong to a platform's editors and machine tokens."""
    if not principal.is_platform or principal.role != Role.EDITOR:
        raise Forbidden("platforms_only")


def platform_scope(principal: Principal) -> sa.ColumnElement[bool]:
    """A condition on :class:`Organisation` rows: the platforms this principal may see."""
    cond = Organisation.kind == OrgKind.PLATFORM
    if principal.is_regulator:
        return cond
    if principal.is_province:
        return sa.and_(cond, Organisation.province == principal.province)
    return sa.and_(cond, Organisation.id == principal.org_id)


def may_see_platform(principal: Principal, platform: Organisation) -> bool:
    if principal.is_regulator:
        return True
    if principal.is_province:
        return platform.province == principal.province
    return platform.id == principal.org_id


def directive_scope(principal: Principal) -> sa.ColumnElement[bool]:
    """A condition on :class:`Directive` rows a regulator-side reader may list.

    The central regulator sees every directive; a provincial department sees its own and those whose deliveries
    reach a platform of its province.
    """
    if principal.is_regulator:
        return sa.true()
    if principal.is_province:
        from hub.models import Delivery

        reaches = (
            sa.select(Delivery.id)
            .join(Organisation, Organisation.id == Delivery.platform_id)
            .where(Delivery.directive_id == Directive.id, Organisation.province == principal.province)
            .exists()
        )
        return sa.or_(Directive.issuer_id == principal.org_id, reaches)
    return sa.false()


def get_visible_directive(session: Session, principal: Principal, directive_id: int) -> Directive:
    """Load a directive the principal may read, or raise NotFound (foreign objects are not even confirmed)."""
    require_reader(principal)
    directive = session.exec(select(Directive).where(Directive.id == directive_id, directive_scope(principal))).first()
    if directive is None:
        raise NotFound("directive_not_found")
    return directive


def get_own_directive(session: Session, principal: Principal, directive_id: int) -> Directive:
    """Load a directive the principal's organisation issued (or any, for the central regulator's officers)."""
    require_issuer(principal)
    directive = session.get(Directive, directive_id)
    if directive is None:
        raise NotFound("directive_not_found")
    if principal.is_regulator or directive.issuer_id == principal.org_id:
        return directive
    if principal.is_province and session.scalar(
        sa.select(directive_scope(principal)).select_from(Directive).where(Directive.id == directive_id)
    ):
        raise Forbidden("directive_of_another_organisation")
    raise NotFound("directive_not_found")
