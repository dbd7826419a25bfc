"""Organisations, users and credentials (passwords and API tokens)."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from hub.core import log, paging
from hub.core.access import Principal, platform_scope, require_role
from hub.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from hub.core.limits import storable
from hub.models import ApiToken, Organisation, OrgKind, PlatformKind, Role, User
from hub.provinces import PROVINCES

_hasher = PasswordHasher()
TOKEN_PREFIX = "dh_"  # nosec B105 # the public prefix that marks the hub's tokens, not a secret
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
LOGIN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,99}$")
ROLES_BY_KIND = {
    OrgKind.REGULATOR: {Role.ADMIN, Role.OFFICER, Role.MANAGER},
    OrgKind.PROVINCE: {Role.OFFICER, Role.MANAGER},
    OrgKind.PLATFORM: {Role.EDITOR},
}
LAST_USED_GRANULARITY = timedelta(minutes=1)


def set_hash_cost(*, time_cost: int, memory_cost: int) -> None:
    """Change the Argon2 cost of new hashes (tests and benchmarks lower it; production keeps the defaults)."""
    global _hasher
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < 10:
        raise InvalidInput("a password needs at least 10 characters")
    if len(password) > 256:
        raise InvalidInput("a password may have at most 256 characters")


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
    if not CODE_RE.match(code or ""):
        raise InvalidInput("code: 2-64 letters, digits, '.', '_' or '-'")
    if not name or not name.strip() or len(name) > 300:
        raise InvalidInput("name: 1-300 characters")
    if kind in (OrgKind.PROVINCE, OrgKind.PLATFORM) and province not in PROVINCES:
        raise InvalidInput(f"province: one of {', '.join(sorted(PROVINCES))}")
    if kind == OrgKind.REGULATOR:
        province = None
    if kind == OrgKind.PLATFORM:
        if platform_kind is None:
            raise InvalidInput("platform_kind: news_site or social_network")
        platform_kind = PlatformKind(platform_kind)
    else:
        platform_kind = None
    if (
        kind == OrgKind.PROVINCE
        and session.exec(
            select(Organisation.id).where(Organisation.kind == OrgKind.PROVINCE, Organisation.province == province)
        ).first()
    ):
        raise Conflict(f"province {province} already has a department")
    if session.exec(select(Organisation.id).where(Organisation.code == code)).first():
        raise Conflict(f"an organisation with code {code} exists")
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
    log.append(
        session,
        log.EventDraft(
            "organisation_registered",
            actor.label,
            now,
            org_id=org.id,
            province=org.province,
            details={"code": code, "kind": kind.value},
        ),
    )
    if kind == OrgKind.PLATFORM:
        from hub.core.directives import deliver_standing

        deliver_standing(session, org, now)
    return org


def list_platforms(session: Session, principal: Principal) -> list[Organisation]:
    """The platforms the principal may see, by name."""
    return list(session.exec(select(Organisation).where(platform_scope(principal)).order_by(Organisation.name)))


def get_org_by_code(session: Session, code: str) -> Organisation:
    org = session.exec(select(Organisation).where(Organisation.code == code)).first()
    if org is None:
        raise NotFound(f"organisation {code} not found")
    return org


def create_user(
    session: Session,
    actor: Principal,
    now: datetime,
    *,
    org_id: int,
    role: Role,
    login: str,
    display_name: str,
    password: str,
    email: str | None = None,
    password_hash: str | None = None,
) -> User:
    """Create a user whose role fits its organisation's kind (e.g. editors belong to platforms)."""
    require_role(actor, Role.ADMIN)
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(f"organisation {org_id} not found")
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput("role: admin, officer, editor or manager") from None
    if role not in ROLES_BY_KIND[OrgKind(org.kind)]:
        raise Conflict(f"a {org.kind} organisation cannot have the role {role}")
    if not LOGIN_RE.match(login or ""):
        raise InvalidInput("login: 2-100 letters, digits, '.', '_', '@' or '-'")
    if not display_name or len(display_name) > 200:
        raise InvalidInput("display_name: 1-200 characters")
    if password_hash is None:
        check_password_strength(password)
    if session.exec(select(User.id).where(User.login == login)).first():
        raise Conflict(f"the login {login} is taken")
    user = User(
        org_id=org.id,
        role=role,
        login=login,
        display_name=display_name,
        email=email,
        password_hash=password_hash or hash_password(password),
        created_at=now,
    )
    session.add(user)
    session.flush()
    _log(session, "user_created", actor, now, org, {"login": login, "role": role.value})
    return user


def _log(session: Session, kind: str, actor: Principal, now: datetime, org: Organisation, details: dict) -> None:
    log.append(
        session,
        log.EventDraft(kind, actor.label, now, org_id=org.id, province=org.province, details=details),
    )


def principal_for_user(session: Session, user: User) -> Principal:
    org = session.get(Organisation, user.org_id)
    return Principal(
        org_id=org.id,
        org_kind=OrgKind(org.kind),
        role=Role(user.role),
        province=org.province,
        user_id=user.id,
        label=f"user:{user.login}",
    )


def authenticate(session: Session, login: str, password: str, now: datetime) -> User:
    """Check a login and password (of an active user of an active organisation); a failure is logged (in the
    caller's transaction) and raised."""
    user = session.exec(select(User).where(User.login == login)).first()
    org = session.get(Organisation, user.org_id) if user else None
    ok = False
    if user is not None and user.active and org.active:
        try:
            ok = _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        _hasher.hash("timing-equaliser")  # the same cost whether or not the login exists
    if not ok:
        log.append(
            session,
            log.EventDraft(
                "login_failed",
                f"login:{login[:100]}",
                now,
                org_id=org.id if org else None,
                province=org.province if org else None,
            ),
        )
        raise Unauthenticated("wrong login or password")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    return user


def change_password(session: Session, user_id: int, old: str, new: str, now: datetime) -> None:
    """A user changes its own password, proving the old one."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user not found")
    try:
        _hasher.verify(user.password_hash, old)
    except (VerificationError, InvalidHashError):
        raise InvalidInput("the current password is wrong") from None
    check_password_strength(new)
    user.password_hash = hash_password(new)
    session.add(user)
    org = session.get(Organisation, user.org_id)
    log.append(
        session, log.EventDraft("password_changed", f"user:{user.login}", now, org_id=org.id, province=org.province)
    )


def _token_hash(secret: str) -> str:
    # Token secrets are 256-bit random, so a fast hash is as safe as a slow one and costs nothing per request.
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(
    session: Session,
    actor: Principal,
    now: datetime,
    *,
    label: str,
    platform_id: int | None = None,
    user_id: int | None = None,
) -> tuple[ApiToken, str]:
    """Issue a machine token for a platform or a personal token for a user; the secret is returned once."""
    if (platform_id is None) == (user_id is None):
        raise InvalidInput("give exactly one of platform_id and user_id")
    if not label or len(label) > 100:
        raise InvalidInput("label: 1-100 characters")
    if platform_id is not None:
        org = session.get(Organisation, platform_id)
        if org is None or org.kind != OrgKind.PLATFORM:
            raise NotFound(f"platform {platform_id} not found")
        if not (actor.role == Role.ADMIN or (actor.org_id == org.id and actor.user_id is not None)):
            raise (NotFound if actor.org_id != org.id else Forbidden)(f"platform {platform_id} not found")
    else:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} not found")
        if not (actor.role == Role.ADMIN or actor.user_id == user.id):
            raise NotFound(f"user {user_id} not found")
        org = session.get(Organisation, user.org_id)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        org_id=org.id,
        user_id=user_id,
        label=label,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        secret_hash=_token_hash(secret),
        created_by_id=actor.user_id,
        created_at=now,
    )
    session.add(token)
    session.flush()
    _log(session, "token_issued", actor, now, org, {"token_id": token.id, "label": label, "user_id": user_id})
    return token, secret


def list_tokens(session: Session, actor: Principal) -> list[ApiToken]:
    """Admins see every token; others see their platform's machine tokens and their own personal ones."""
    query = select(ApiToken).order_by(ApiToken.id)
    if actor.role != Role.ADMIN:
        # A machine token has no user: comparing with None would match every machine token of every platform.
        personal = ApiToken.user_id == actor.user_id if actor.user_id is not None else sa.false()
        query = query.where(
            sa.or_(
                sa.and_(ApiToken.org_id == actor.org_id, ApiToken.user_id.is_(None), sa.literal(actor.is_platform)),
                personal,
            )
        )
    return list(session.exec(query))


def revoke_token(session: Session, actor: Principal, now: datetime, token_id: int) -> ApiToken:
    """Revoke a token (idempotent). Live sockets using it are cut off by the adapter that sees the result."""
    token = session.get(ApiToken, token_id)
    if token is None or token not in list_tokens(session, actor):
        raise NotFound(f"token {token_id} not found")
    if actor.is_machine:
        raise Forbidden("a machine token cannot revoke tokens")
    if token.revoked_at is None:
        token.revoked_at = now
        session.add(token)
        org = session.get(Organisation, token.org_id)
        _log(session, "token_revoked", actor, now, org, {"token_id": token.id, "label": token.label})
    return token


def _token_with_org() -> sa.Select:
    # Built once: every request with a token and every connecting socket looks one up.
    tokens, orgs = ApiToken.__table__, Organisation.__table__
    return (
        sa.select(
            tokens.c.id,
            tokens.c.user_id,
            tokens.c.label,
            tokens.c.revoked_at,
            tokens.c.last_used_at,
            orgs.c.id.label("org_id"),
            orgs.c.active.label("org_active"),
            orgs.c.code.label("org_code"),
            orgs.c.province,
        )
        .select_from(tokens.outerjoin(orgs, orgs.c.id == tokens.c.org_id))
        .where(tokens.c.secret_hash == sa.bindparam("secret_hash"))
    )


_TOKEN_WITH_ORG = _token_with_org()


def resolve_token(session: Session, secret: str, now: datetime) -> Principal:
    """The principal a bearer token stands for; unknown, revoked or inactive tokens are refused."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200 or not storable(secret):
        raise Unauthenticated("missing or malformed token")
    token = session.connection().execute(_TOKEN_WITH_ORG, {"secret_hash": _token_hash(secret)}).first()
    if token is None or token.revoked_at is not None:
        raise Unauthenticated("unknown or revoked token")
    if token.org_id is None or not token.org_active:
        raise Unauthenticated("the token's organisation is inactive")
    if token.user_id is not None:
        user = session.get(User, token.user_id)
        if user is None or not user.active:
            raise Unauthenticated("the token's user is inactive")
        principal = principal_for_user(session, user)
        return dataclasses.replace(principal, token_id=token.id, token_last_used=token.last_used_at)
    return Principal(
        org_id=token.org_id,
        org_kind=OrgKind.PLATFORM,
        role=Role.EDITOR,
        province=token.province,
        token_id=token.id,
        token_last_used=token.last_used_at,
        label=f"token:{token.org_code}:{token.label}",
    )


def revoked_among(session: Session, token_ids: list[int]) -> set[int]:
    """Which of these tokens are revoked or gone (live sockets authenticated with them must be cut off).

    One plain read of every usable token id, whatever the number of sockets: cheaper than thousands of
    parameters, and tokens are few (a handful per platform and user)."""
    table = ApiToken.__table__
    usable = set(session.connection().execute(sa.select(table.c.id).where(table.c.revoked_at.is_(None))).scalars())
    return {token_id for token_id in token_ids if token_id not in usable}


def token_needs_touch(principal: Principal, now: datetime) -> bool:
    """Whether the token's last-use time is stale enough to be worth a write."""
    if principal.token_id is None:
        return False
    return principal.token_last_used is None or now - principal.token_last_used > LAST_USED_GRANULARITY


def touch_token(session: Session, token_id: int, now: datetime) -> None:
    """Record that a token was used (at most once a minute, so busy clients do not write on every call)."""
    touch_tokens(session, [token_id], now)


def touch_tokens(session: Session, token_ids: list[int], now: datetime) -> None:
    """Record that many tokens were used (the sockets' periodic bookkeeping): one statement per thousand."""
    for start in range(0, len(token_ids), 1000):
        session.exec(
            sa.update(ApiToken)
            .where(
                ApiToken.id.in_(token_ids[start : start + 1000]),
                sa.or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - LAST_USED_GRANULARITY),
            )
            .values(last_used_at=now)
        )


def require_same_org_or_admin(actor: Principal, org_id: int) -> None:
    if actor.role != Role.ADMIN and actor.org_id != org_id:
        raise Forbidden("not your organisation")


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
    """Organisations in the principal's scope, by kind and name, with filters."""
    query = select(Organisation).where(organisation_scope(principal))
    if kind:
        try:
            query = query.where(Organisation.kind == OrgKind(kind))
        except ValueError:
            raise InvalidInput("kind: regulator, province or platform") from None
    if province:
        query = query.where(Organisation.province == province)
    if q:
        like = f"%{q.strip()[:100]}%"
        query = query.where(sa.or_(Organisation.name.ilike(like), Organisation.code.ilike(like)))
    query = query.order_by(Organisation.kind, Organisation.name, Organisation.id)
    return paging.paginate(session, query, page, per_page)


def list_users(
    session: Session,
    principal: Principal,
    *,
    org_id: int | None = None,
    role: Role | str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> paging.Page[User]:
    """Users an admin may see (all), or the users of one's own organisation for everybody else."""
    if principal.is_machine:
        raise Forbidden("a machine token cannot list users")
    query = select(User).order_by(User.org_id, User.login)
    if principal.role != Role.ADMIN:
        query = query.where(User.org_id == principal.org_id)
    if org_id is not None:
        query = query.where(User.org_id == org_id)
    if role:
        try:
            query = query.where(User.role == Role(role))
        except ValueError:
            raise InvalidInput("role: admin, officer, editor or manager") from None
    return paging.paginate(session, query, page, per_page)
