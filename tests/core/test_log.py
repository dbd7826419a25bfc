"""The follow-through log's hash chain: rows changed, removed or inserted behind the service's back are found."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from hub.core import deliveries, log
from hub.db import read_session, write_session
from hub.models import OrgKind, Role
from tests import factories as f
from tests.conftest import T0


@pytest.fixture
def logged(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    platform = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    editor = f.user(engine, T0, platform, Role.EDITOR)
    d = f.published(engine, T0, officer).directive
    with write_session(engine) as s:
        deliveries.acknowledge(s, editor, T0, d.id)
        deliveries.set_status(s, editor, T0, d.id, "implemented", "done")
    with read_session(engine) as s:
        result = log.verify(s)
    assert result.ok and result.checked >= 8
    return engine


def verify(engine) -> log.VerifyResult:
    with read_session(engine) as s:
        return log.verify(s)


def test_an_edited_row_is_found(logged):
    with logged.begin() as conn:
        conn.execute(sa.text("UPDATE event SET actor = 'someone else' WHERE id = 5"))
    result = verify(logged)
    assert not result.ok and result.bad_id == 5 and "altered" in result.problem


def test_edited_details_are_found(logged):
    with logged.begin() as conn:
        conn.execute(sa.text("UPDATE event SET details = :d WHERE id = 6"), {"d": json.dumps({"state": "declined"})})
    assert verify(logged).bad_id == 6


def test_a_deleted_row_is_found(logged):
    with logged.begin() as conn:
        conn.execute(sa.text("DELETE FROM event WHERE id = 4"))
    result = verify(logged)
    assert not result.ok and result.bad_id == 4 and "removed" in result.problem


def test_the_deleted_last_row_is_found(logged):
    with logged.begin() as conn:
        last = conn.execute(sa.text("SELECT max(id) FROM event")).scalar()
        conn.execute(sa.text("DELETE FROM event WHERE id = :id"), {"id": last})
    result = verify(logged)
    assert not result.ok and result.bad_id == last


def test_an_inserted_row_is_found(logged):
    with logged.begin() as conn:
        conn.execute(sa.text("UPDATE event SET id = id + 1000 WHERE id >= 3"))
        conn.execute(sa.text("UPDATE event SET id = id - 999 WHERE id >= 1003"))
        conn.execute(
            sa.text(
                "INSERT INTO event (id, at, kind, actor, details, prev_hash, hash) "
                "VALUES (3, :at, 'acknowledged', 'forger', '{}', :h, :h)"
            ),
            {"at": T0.replace(tzinfo=None), "h": "f" * 64},
        )
    result = verify(logged)
    assert not result.ok and result.bad_id == 3


def test_a_row_forged_with_a_recomputed_hash_at_the_end_is_found(logged):
    with read_session(logged) as s:
        head = s.exec(sa.select(log.LogHead)).scalar_one()
    row = {
        "id": head.last_id + 1,
        "at": T0,
        "kind": "acknowledged",
        "actor": "forger",
        "org_id": None,
        "province": None,
        "directive_id": None,
        "delivery_id": None,
        "details": {},
    }
    forged = log.row_hash(head.last_hash, row)
    insert = sa.text(
        "INSERT INTO event (id, at, kind, actor, details, prev_hash, hash) "
        "VALUES (:id, :at, 'acknowledged', 'forger', '{}', :p, :h)"
    )
    at = T0.replace(tzinfo=None) if logged.dialect.name == "sqlite" else T0
    with logged.begin() as conn:
        conn.execute(insert, {"id": row["id"], "at": at, "p": head.last_hash, "h": forged})
    result = verify(logged)
    assert not result.ok and result.bad_id == row["id"]
