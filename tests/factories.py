"""Small factories for tests: organisations, users, principals, tokens and published directives; and reading back
one delivery or the size of the log."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from hub.core import directives, organisations, sessions, tokens, users
from hub.core.access import SYSTEM, Principal
from hub.core.directive_input import DirectiveInput
from hub.core.signing import Signer
from hub.db import read_session, write_session
from hub.models import Delivery, Event, Organisation, OrgKind, PlatformKind, Role, User

PASSWORD = "correct-horse-battery"
_n = itertools.count(1)
SIGNER = Signer.generate()


def org(
    engine: Engine,
    now: datetime,
    kind: OrgKind,
    province: str | None = None,
    *,
    platform_kind: PlatformKind = PlatformKind.NEWS_SITE,
    code: str | None = None,
) -> Organisation:
    n = next(_n)
    with write_session(engine) as s:
        return organisations.create_organisation(
            s,
            SYSTEM,
            now,
            kind=kind,
            code=code or f"{kind.value[:4].upper()}-{n}",
            name=f"{kind.value} {n}",
            province=province,
            platform_kind=platform_kind if kind == OrgKind.PLATFORM else None,
            ref_suffix=f"R{n}",
        )


def user(engine: Engine, now: datetime, org: Organisation, role: Role) -> Principal:
    n = next(_n)
    with write_session(engine) as s:
        u = users.create_user(
            s,
            SYSTEM,
            now,
            org_id=org.id,
            role=role,
            login=f"{role.value}{n}",
            display_name=f"{role.value} {n}",
            password=PASSWORD,
        )
        return users.principal_for_user(s, u)


def signed_in(engine: Engine, now: datetime, user_id: int) -> dict[str, object]:
    """What the session cookie of a browser signed in as this user holds, with a live server-side session behind it."""
    with write_session(engine) as s:
        _, key = sessions.begin(s, s.get(User, user_id), now)
    return {"_user_id": str(user_id), "_fresh": True, "hub_session": key}


def machine(engine: Engine, now: datetime, platform: Organisation) -> tuple[Principal, str]:
    with write_session(engine) as s:
        _, secret = tokens.issue_token(s, SYSTEM, now, label="machine", platform_id=platform.id)
        return tokens.resolve_token(s, secret, now), secret


def draft(audience: dict | None = None, **kw) -> DirectiveInput:
    return DirectiveInput(
        title=kw.pop("title", "Test directive"),
        body=kw.pop("body", "Do the thing."),
        audience=audience or {"all": True},
        **kw,
    )


def published(engine: Engine, now: datetime, officer: Principal, audience: dict | None = None, **kw):
    with write_session(engine) as s:
        d = directives.create(s, officer, now, draft(audience, **kw))
        return directives.publish(s, officer, now, d.id, SIGNER)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def delivery_of(engine: Engine, directive_id: int, platform_id: int) -> Delivery:
    """The platform's delivery of a directive, as the database holds it now."""
    with read_session(engine) as s:
        return s.exec(
            select(Delivery).where(Delivery.directive_id == directive_id, Delivery.platform_id == platform_id)
        ).one()


def event_count(engine: Engine) -> int:
    """How many events the log holds."""
    with read_session(engine) as s:
        return s.scalar(sa.select(sa.func.count()).select_from(Event))
