"""Who may still act, and as what: password changes, a user's role, deactivating and reactivating users and
organisations, and an admin's "sign out everywhere". Each returns the :class:`~hub.core.sessions.Cut` that the
adapters push to the sockets."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import log, sessions, users
from hub.core.access import Principal, require_role
from hub.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from hub.core.sessions import Cut
from hub.models import ApiToken, Organisation, OrgKind, Role, User


def own_account(session: Session, who: Principal) -> tuple[User, Organisation]:
    """The caller's own user and organisation (a person's session or personal token; a machine token has none)."""
    if who.user_id is None:
        raise Forbidden("account_needs_person")
    user = session.get(User, who.user_id)
    if user is None:
        raise NotFound("user_not_found")
    return user, session.get(Organisation, user.org_id)


def change_password(session: Session, who: Principal, now: datetime, old: str, new: str) -> Cut:
    """A user changes its own password; every other session of the user ends (ASVS 7.4.3)."""
    if who.user_id is None:
        raise Forbidden("token_has_no_password")
    users.change_password(session, who.user_id, old, new, now)
    return sessions.end_all_of(session, [who.user_id], now, "password_changed", keep=who.session_id)


def set_user_active(session: Session, actor: Principal, now: datetime, user_id: int, active: bool) -> tuple[User, Cut]:
    """Deactivate a user (its sessions end, its personal tokens stop working) or reactivate it."""
    require_role(actor, Role.ADMIN)
    user = _user(session, user_id)
    if user.id == actor.user_id and not active:
        raise Conflict("cannot_deactivate_self")
    cut = Cut()
    if user.active != active:
        user.active = active
        session.add(user)
        if not active:
            cut = sessions.end_all_of(session, [user.id], now, "user_deactivated")
            cut = Cut(sessions=cut.sessions, users=[user.id])
        _log(session, actor, now, user.org_id, "user_" + ("reactivated" if active else "deactivated"), user.login)
    return user, cut


def set_role(session: Session, actor: Principal, now: datetime, user_id: int, role: Role | str) -> tuple[User, Cut]:
    """Give a user another role its organisation's kind allows; its sessions end, so that pages and sockets opened
    with the old role close (its personal tokens act with the new role from their next use)."""
    require_role(actor, Role.ADMIN)
    user = _user(session, user_id)
    if user.id == actor.user_id:
        raise Conflict("cannot_change_own_role")
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput("role_invalid") from None
    org = session.get(Organisation, user.org_id)
    if role not in users.ROLES_BY_KIND[OrgKind(org.kind)]:
        raise Conflict("role_not_for_organisation", kind=str(org.kind), role=str(role))
    if user.role == role:
        return user, Cut()
    before, user.role = user.role, role
    session.add(user)
    ended = sessions.end_all_of(session, [user.id], now, "role_changed")
    _log(session, actor, now, user.org_id, "user_role_changed", user.login, {"from": str(before), "to": str(role)})
    return user, Cut(sessions=ended.sessions)


def reset_password(session: Session, actor: Principal, now: datetime, user_id: int) -> tuple[User, str, Cut]:
    """Give a user a generated temporary password (returned once, stored only hashed) that must be changed at the
    next sign-in; its sessions end. The log says who reset whose password, never the password."""
    require_role(actor, Role.ADMIN)
    user = _user(session, user_id)
    if user.id == actor.user_id:
        raise Conflict("cannot_reset_own_password")
    temporary = secrets.token_urlsafe(12)
    user.password_hash, user.must_change_password = users.hash_password(temporary), True
    session.add(user)
    ended = sessions.end_all_of(session, [user.id], now, "password_reset")
    _log(session, actor, now, user.org_id, "password_reset", user.login)
    return user, temporary, Cut(sessions=ended.sessions)


def set_org_active(
    session: Session, actor: Principal, now: datetime, org_id: int, active: bool
) -> tuple[Organisation, Cut]:
    """Deactivate an organisation (its users' sessions end, its tokens stop working) or reactivate it."""
    require_role(actor, Role.ADMIN)
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound("organisation_not_found")
    if org.id == actor.org_id and not active:
        raise Conflict("cannot_deactivate_own_organisation")
    cut = Cut()
    if org.active != active:
        org.active = active
        session.add(org)
        if not active:
            user_ids = list(session.exec(select(User.id).where(User.org_id == org.id)))
            ended = sessions.end_all_of(session, user_ids, now, "organisation_deactivated")
            cut = Cut(sessions=ended.sessions, orgs=[org.id])
        kind = "organisation_" + ("reactivated" if active else "deactivated")
        _log(session, actor, now, org.id, kind, org.code)
    return org, cut


def sign_out_everywhere(session: Session, actor: Principal, now: datetime, user_id: int) -> tuple[User, Cut]:
    """End every session of a user and revoke its personal tokens (which a stolen session could have issued)."""
    require_role(actor, Role.ADMIN)
    user = _user(session, user_id)
    ended = sessions.end_all_of(session, [user.id], now, "signed_out_everywhere")
    live = ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)
    token_ids = list(session.exec(select(ApiToken.id).where(*live)))
    if token_ids:
        session.exec(sa.update(ApiToken).where(ApiToken.id.in_(token_ids)).values(revoked_at=now))
    details = {"sessions": len(ended.sessions), "tokens": token_ids}
    _log(session, actor, now, user.org_id, "signed_out_everywhere", user.login, details)
    return user, Cut(sessions=ended.sessions, tokens=token_ids)


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user_not_found")
    return user


def _log(
    session: Session, actor: Principal, now: datetime, org_id: int, kind: str, name: str, extra: dict | None = None
) -> None:
    org = session.get(Organisation, org_id)
    details = {"name": name, **(extra or {})}
    log.append(session, log.EventDraft(kind, actor.label, now, org_id=org.id, province=org.province, details=details))
