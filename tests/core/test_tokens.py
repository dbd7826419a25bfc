"""Tokens: what a secret resolves to, when it is refused, and the sockets' set-based bookkeeping."""

from __future__ import annotations

import pytest
from sqlmodel import select

from hub import clock
from hub.core import tokens
from hub.core.access import SYSTEM
from hub.core.errors import Unauthenticated
from hub.db import read_session, write_session
from hub.models import ApiToken, Organisation, OrgKind, Role, User
from tests import factories as f


def resolve(engine, secret: str):
    with read_session(engine) as session:
        return tokens.resolve_token(session, secret, clock.now())


def refusal(engine, secret: str) -> str:
    with pytest.raises(Unauthenticated) as caught:
        resolve(engine, secret)
    return caught.value.message


def test_a_machine_token_stands_for_its_platform_until_revoked_or_the_platform_is_deactivated(engine):
    now = clock.now()
    platform = f.org(engine, now, OrgKind.PLATFORM, "HNI", code="TIN-A")
    _, secret = f.machine(engine, now, platform)
    principal = resolve(engine, secret)
    assert (principal.org_id, principal.org_kind, principal.role, principal.province) == (
        platform.id,
        OrgKind.PLATFORM,
        Role.EDITOR,
        "HNI",
    )
    assert principal.label == "token:TIN-A:machine" and principal.token_last_used is None

    assert refusal(engine, secret[:-1] + ("A" if secret[-1] != "A" else "B")) == "unknown or revoked token"
    assert refusal(engine, "not-a-token") == "missing or malformed token"
    with write_session(engine) as session:
        session.get(Organisation, platform.id).active = False
    assert refusal(engine, secret) == "the token's organisation is inactive"
    with write_session(engine) as session:
        session.get(Organisation, platform.id).active = True
        tokens.revoke_token(session, SYSTEM, now, principal.token_id)
    assert refusal(engine, secret) == "unknown or revoked token"


def test_a_personal_token_stands_for_its_user_and_stops_with_the_user(engine):
    now = clock.now()
    regulator = f.org(engine, now, OrgKind.REGULATOR)
    officer = f.user(engine, now, regulator, Role.OFFICER)
    with write_session(engine) as session:
        _, secret = tokens.issue_token(session, SYSTEM, now, label="laptop", user_id=officer.user_id)
    principal = resolve(engine, secret)
    assert (principal.user_id, principal.role, principal.org_id) == (officer.user_id, Role.OFFICER, regulator.id)
    assert principal.token_id is not None
    with write_session(engine) as session:
        session.get(User, officer.user_id).active = False
    assert refusal(engine, secret) == "the token's user is inactive"


def test_token_use_is_recorded_at_most_once_a_minute_and_revoked_tokens_are_found_among_many(engine):
    now = clock.now()
    platforms = [f.org(engine, now, OrgKind.PLATFORM, "HNI") for _ in range(3)]
    token_ids = [f.machine(engine, now, p)[0].token_id for p in platforms]
    with write_session(engine) as session:
        tokens.touch_tokens(session, token_ids[:2], now)
        tokens.touch_tokens(session, token_ids, now + tokens.LAST_USED_GRANULARITY / 2)
        tokens.revoke_token(session, SYSTEM, now, token_ids[1])
    with read_session(engine) as session:
        used = dict(session.exec(select(ApiToken.id, ApiToken.last_used_at).where(ApiToken.id.in_(token_ids))).all())
        gone = tokens.revoked_among(session, [*token_ids, 10**9])
    assert used[token_ids[0]] == now and used[token_ids[1]] == now  # not moved half a minute later
    assert used[token_ids[2]] == now + tokens.LAST_USED_GRANULARITY / 2
    assert gone == {token_ids[1], 10**9}  # revoked, and one that does not exist
