"""The delivery audit reads each delivery's state back from its events, for every move of the state machine's table;
on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hub.core import deliveries, delivery_audit, receipts
from hub.core.deliveries import MOVES
from hub.db import read_session, write_session
from hub.models import Delivery, DeliveryState, OrgKind, Role
from tests import factories as f
from tests.conftest import T0

REPORT = {DeliveryState.IMPLEMENTED: "done", DeliveryState.DECLINED: "not ours"}


@pytest.fixture
def people(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    platform = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    return engine, officer, f.user(engine, T0, platform, Role.EDITOR)


def _reach(session, editor, directive_id: int, state: DeliveryState) -> None:
    """Bring a fresh delivery to ``state`` the way a platform does."""
    if state == DeliveryState.DELIVERED:
        receipts.receipt(session, editor, T0, directive_id=directive_id)
    elif state != DeliveryState.PENDING:
        deliveries.set_status(session, editor, T0, directive_id, state, REPORT.get(state))


def _make(session, officer, editor, directive_id: int, target: DeliveryState, move) -> deliveries.Change:
    """Make the move through the verb that owns it."""
    if move.by == "receipt":
        return receipts.receipt(session, editor, T0 + f.hours(1), directive_id=directive_id)
    if move.by == "issuer":
        delivery_id = session.scalar(sa.select(Delivery.id).where(Delivery.directive_id == directive_id))
        return deliveries.review_report(session, officer, T0 + f.hours(1), delivery_id, "returned", "more, please")
    return deliveries.set_status(session, editor, T0 + f.hours(1), directive_id, target, REPORT.get(target))


@pytest.mark.parametrize(("start", "target"), list(MOVES), ids=[f"{a}->{b}" for a, b in MOVES])
def test_each_move_of_the_table_leaves_the_state_its_events_name(people, start, target):
    engine, officer, editor = people
    directive = f.published(engine, T0, officer, {"provinces": ["HNI"]}).directive
    with write_session(engine) as s:
        _reach(s, editor, directive.id, start)
    with write_session(engine) as s:
        change = _make(s, officer, editor, directive.id, target, MOVES[(start, target)])
    assert change.changed and change.delivery.state == target and change.refresh == [directive.id]
    assert change.events
    with read_session(engine) as s:
        assert delivery_audit.audit(s).ok


def test_a_state_written_without_its_event_is_caught(people):
    engine, officer, editor = people
    directive = f.published(engine, T0, officer, {"provinces": ["HNI"]}).directive
    with write_session(engine) as s:
        deliveries.acknowledge(s, editor, T0, directive.id)
        s.execute(sa.update(Delivery).values(state=DeliveryState.IMPLEMENTED))
    with read_session(engine) as s:
        found = delivery_audit.audit(s)
    assert not found.ok and [(d.state, d.logged) for d in found.examples] == [("implemented", "acknowledged")]
