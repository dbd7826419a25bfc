"""Users: creating them in an organisation whose kind fits their role, their passwords, signing in, and the
principal a user acts as."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from hub.core import log, paging
from hub.core.access import Principal, require_role
from hub.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from hub.core.organisations import log_event_about
from hub.models import Organisation, OrgKind, Role, User

_hasher = PasswordHasher()


LOGIN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,99}$")


ROLES_BY_KIND = {
    OrgKind.REGULATOR: {Role.ADMIN, Role.OFFICER, Role.MANAGER},
    OrgKind.PROVINCE: {Role.OFFICER, Role.MANAGER},
    OrgKind.PLATFORM: {Role.EDITOR},
}


def set_hash_cost(*, time_cost: int, memory_cost: int) -> None:
    """Change the Argon2 cost of new hashes (tests and benchmarks lower it; production keeps the defaults)."""
    global _hasher
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < 10:
        raise InvalidInput("password_too_short")
    if len(password) > 256:
        raise InvalidInput("password_too_long")


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
        raise NotFound("organisation_not_found")
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput("role_invalid") from None
    if role not in ROLES_BY_KIND[OrgKind(org.kind)]:
        raise Conflict("role_not_for_organisation", kind=str(org.kind), role=str(role))
    if not LOGIN_RE.match(login or ""):
        raise InvalidInput("login_invalid")
    if not display_name or len(display_name) > 200:
        raise InvalidInput("display_name_invalid")
    if password_hash is None:
        check_password_strength(password)
    if session.exec(select(User.id).where(User.login == login)).first():
        raise Conflict("login_taken", login=login)
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
    log_event_about(session, "user_created", actor, now, org, {"login": login, "role": role.value})
    return user


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
        raise Unauthenticated("wrong_credentials")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    return user


def change_password(session: Session, user_id: int, old: str, new: str, now: datetime) -> None:
    """A user changes its own password, proving the old one."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user_not_found")
    try:
        _hasher.verify(user.password_hash, old)
    except (VerificationError, InvalidHashError):
        raise InvalidInput("password_wrong") from None
    check_password_strength(new)
    user.password_hash, user.must_change_password = hash_password(new), False
    session.add(user)
    org = session.get(Organisation, user.org_id)
    log.append(
        session, log.EventDraft("password_changed", f"user:{user.login}", now, org_id=org.id, province=org.province)
    )


def list_users(
    session: Session,
    principal: Principal,
    *,
    org_id: int | None = None,
    role: Role | str | None = None,
    q: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> paging.Page:
    """(user, organisation) rows by login: an admin sees every user, anybody else its own organisation's. The one
    list the API and the admin's page both show."""
    if principal.is_machine:
        raise Forbidden("token_cannot_list_users")
    query = select(User, Organisation).join(Organisation, Organisation.id == User.org_id).order_by(User.login, User.id)
    if principal.role != Role.ADMIN:
        query = query.where(User.org_id == principal.org_id)
    if org_id is not None:
        query = query.where(User.org_id == org_id)
    if role:
        try:
            query = query.where(User.role == Role(role))
        except ValueError:
            raise InvalidInput("role_invalid") from None
    if q:
        like = f"%{q.strip()[:100]}%"
        query = query.where(sa.or_(User.login.ilike(like), User.display_name.ilike(like)))
    return paging.paginate(session, query, page, per_page, scalars=False)
