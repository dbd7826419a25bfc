"""API tokens: issuing (the secret shown once), resolving a bearer token to a principal, revoking, recording use,
and listing them."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import paging
from hub.core.access import Principal, require_role
from hub.core.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from hub.core.limits import storable
from hub.core.organisations import log_event_about
from hub.core.users import principal_for_user
from hub.models import ApiToken, Organisation, OrgKind, Role, User

TOKEN_PREFIX = "dh_"  # nosec B105 # the public prefix that marks the hub's tokens, not a secret


LAST_USED_GRANULARITY = timedelta(minutes=1)


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
        raise InvalidInput("token_owner_ambiguous")
    if not label or len(label) > 100:
        raise InvalidInput("token_label_invalid")
    if platform_id is not None:
        org = session.get(Organisation, platform_id)
        if org is None or org.kind != OrgKind.PLATFORM:
            raise NotFound("platform_not_found")
        if not (actor.role == Role.ADMIN or (actor.org_id == org.id and actor.user_id is not None)):
            raise (NotFound if actor.org_id != org.id else Forbidden)("platform_not_found")
    else:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("user_not_found")
        if not (actor.role == Role.ADMIN or actor.user_id == user.id):
            raise NotFound("user_not_found")
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
    log_event_about(
        session, "token_issued", actor, now, org, {"token_id": token.id, "label": label, "user_id": user_id}
    )
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
        raise NotFound("token_not_found")
    if actor.is_machine:
        raise Forbidden("token_cannot_revoke")
    if token.revoked_at is None:
        token.revoked_at = now
        session.add(token)
        org = session.get(Organisation, token.org_id)
        log_event_about(session, "token_revoked", actor, now, org, {"token_id": token.id, "label": token.label})
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
        raise Unauthenticated("token_malformed")
    token = session.connection().execute(_TOKEN_WITH_ORG, {"secret_hash": _token_hash(secret)}).first()
    if token is None or token.revoked_at is not None:
        raise Unauthenticated("token_unknown")
    if token.org_id is None or not token.org_active:
        raise Unauthenticated("token_organisation_inactive")
    if token.user_id is not None:
        user = session.get(User, token.user_id)
        if user is None or not user.active:
            raise Unauthenticated("token_user_inactive")
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


def tokens_page(session: Session, principal: Principal, *, page: int = 1) -> paging.Page:
    """Every API token with its organisation, newest first, for the admin."""
    require_role(principal, Role.ADMIN)
    query = (
        select(ApiToken, Organisation)
        .join(Organisation, Organisation.id == ApiToken.org_id)
        .order_by(ApiToken.id.desc())
    )
    return paging.paginate(session, query, page, 50, scalars=False)
