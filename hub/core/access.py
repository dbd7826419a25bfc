"""Who may see and do what: roles, and the organisation and province scope of every read and write.

Every core function that acts for somebody takes a :class:`Principal` and asks this module; adapters never decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core.errors import Forbidden, NotFound
from hub.models import Delivery, Directive, Organisation, OrgKind, Role


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

# The role groups every adapter asks about (pages, API, sockets), defined once.
ISSUER_ROLES = frozenset({Role.OFFICER, Role.ADMIN})
READER_ROLES = frozenset({Role.OFFICER, Role.ADMIN, Role.MANAGER})


@dataclass(frozen=True, slots=True)
class Scope:
    """What a reader sees: every platform (``province`` and ``org_id`` both None), one province's platforms, or one
    platform (``org_id``). A console room has a scope without anybody acting, so counting for it needs no principal."""

    province: str | None = None
    org_id: int | None = None

    @property
    def everything(self) -> bool:
        return self.province is None and self.org_id is None


EVERYTHING = Scope()


def scope_of(principal: Principal) -> Scope:
    """The principal's scope: the central regulator everything, a department its province, a platform itself."""
    if principal.is_regulator:
        return EVERYTHING
    if principal.is_province:
        return Scope(province=principal.province)
    return Scope(org_id=principal.org_id)


def _scope(who: Principal | Scope) -> Scope:
    return who if isinstance(who, Scope) else scope_of(who)


def may_issue(principal: Principal) -> bool:
    """Officers (and admins) of the regulator or a provincial department issue directives."""
    return principal.role in ISSUER_ROLES and not principal.is_platform


def may_read(principal: Principal) -> bool:
    """Regulator and province staff (officers, managers, admins) read follow-through."""
    return principal.role in READER_ROLES and not principal.is_platform


def is_platform_member(principal: Principal) -> bool:
    """A platform's editors and machine tokens work its inbox."""
    return principal.is_platform and principal.role == Role.EDITOR


def is_admin(principal: Principal) -> bool:
    """Admins manage the registry: organisations, users and tokens."""
    return principal.role == Role.ADMIN and not principal.is_platform


def may_manage(principal: Principal, directive: Directive) -> bool:
    """Whether the principal may act on a directive (publish, amend, revoke, review, answer): an issuer of the central
    regulator any, a provincial department's issuer only those its department issued."""
    return may_issue(principal) and (principal.is_regulator or directive.issuer_id == principal.org_id)


def issuer_province(principal: Principal) -> str | None:
    """The province an issuer's audiences are confined to (None: the central regulator, not confined)."""
    return scope_of(principal).province


def confined_to(issuer: Organisation) -> str | None:
    """The province an issuing organisation's audiences are confined to (a department's own; else None)."""
    return issuer.province if issuer.kind == OrgKind.PROVINCE else None


def require_role(principal: Principal, *roles: Role) -> None:
    """Refuse unless the principal holds one of ``roles``."""
    if principal.role not in roles:
        raise Forbidden("role_not_allowed")


def require_issuer(principal: Principal) -> None:
    """Only officers (and admins) of the regulator or a provincial department may issue directives."""
    if not may_issue(principal):
        raise Forbidden("officers_only")


def require_reader(principal: Principal) -> None:
    """Regulator and province staff (officers, managers, admins) read follow-through."""
    if not may_read(principal):
        raise Forbidden("own_inbox_only")


def require_platform(principal: Principal) -> None:
    """Inbox operations belong to a platform's editors and machine tokens."""
    if not is_platform_member(principal):
        raise Forbidden("platforms_only")


def platform_scope(who: Principal | Scope) -> sa.ColumnElement[bool]:
    """A condition on :class:`Organisation` rows: the platforms this principal (or scope) may see."""
    scope = _scope(who)
    cond = Organisation.kind == OrgKind.PLATFORM
    if scope.everything:
        return cond
    if scope.province is not None:
        return sa.and_(cond, Organisation.province == scope.province)
    return sa.and_(cond, Organisation.id == scope.org_id)


def may_see_platform(principal: Principal | Scope, platform: Organisation) -> bool:
    """The same rule as :func:`platform_scope`, for one loaded platform."""
    scope = _scope(principal)
    if platform.kind != OrgKind.PLATFORM:
        return False
    if scope.everything:
        return True
    if scope.province is not None:
        return platform.province == scope.province
    return platform.id == scope.org_id


def get_visible_platform(session: Session, principal: Principal, platform_id: int) -> Organisation:
    """Load a platform of the principal's scope, or raise NotFound (a foreign one is not even confirmed)."""
    platform = session.get(Organisation, platform_id)
    if platform is None or not may_see_platform(principal, platform):
        raise NotFound("platform_not_found")
    return platform


def _issued_in(province: str) -> sa.ColumnElement[bool]:
    """Directives issued by the department of ``province`` (one department per province)."""
    departments = sa.select(Organisation.id).where(
        Organisation.kind == OrgKind.PROVINCE, Organisation.province == province
    )
    return Directive.issuer_id.in_(departments)


def directive_scope(who: Principal | Scope) -> sa.ColumnElement[bool]:
    """A condition on :class:`Directive` rows a regulator-side reader may list.

    The central regulator sees every directive; a provincial department sees its own and those whose deliveries
    reach a platform of its province.
    """
    scope = _scope(who)
    if scope.everything:
        return sa.true()
    if scope.province is None:
        return sa.false()
    reaches = (
        sa.select(Delivery.id)
        .join(Organisation, Organisation.id == Delivery.platform_id)
        .where(Delivery.directive_id == Directive.id, Organisation.province == scope.province)
        .exists()
    )
    return sa.or_(_issued_in(scope.province), reaches)


def provinces_seeing(session: Session, directive_ids: list[int]) -> dict[int, set[str]]:
    """For each directive, the provinces whose scope sees it (:func:`directive_scope` turned around, set-based): the
    provinces its deliveries reach and its issuing department's. The central regulator sees them all."""
    out: dict[int, set[str]] = {i: set() for i in directive_ids}
    if not directive_ids:
        return out
    reached = session.execute(
        sa.select(Delivery.directive_id, Organisation.province)
        .join(Organisation, Organisation.id == Delivery.platform_id)
        .where(Delivery.directive_id.in_(directive_ids))
        .distinct()
    )
    issued = session.execute(
        sa.select(Directive.id, Organisation.province)
        .join(Organisation, Organisation.id == Directive.issuer_id)
        .where(Directive.id.in_(directive_ids), Organisation.kind == OrgKind.PROVINCE)
    )
    for directive_id, province in [*reached, *issued]:
        if province:
            out[directive_id].add(province)
    return out


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
    if may_manage(principal, directive):
        return directive
    if principal.is_province and session.scalar(
        sa.select(directive_scope(principal)).select_from(Directive).where(Directive.id == directive_id)
    ):
        raise Forbidden("directive_of_another_organisation")
    raise NotFound("directive_not_found")
