"""A publish either writes the directive, all its deliveries and its log event, or nothing at all."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from hub.core import directives
from hub.db import read_session, write_session
from hub.models import Delivery, Directive, DirectiveStatus, Event, Organisation, OrgKind, Role
from tests import factories as f
from tests.conftest import T0

N = 5000


def counts(engine) -> tuple[int, int, int, int]:
    with read_session(engine) as s:
        return (
            s.scalar(select(func.count()).select_from(Delivery)),
            s.scalar(select(func.count()).select_from(Event)),
            s.scalar(select(func.count()).where(Directive.status == DirectiveStatus.PUBLISHED)),
            s.scalar(select(func.sum(Organisation.delivery_seq))),
        )


def test_publish_to_5000_platforms_failing_halfway_leaves_nothing_behind(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    rows = [
        {
            "kind": "platform",
            "code": f"BULK-{i}",
            "name": f"P{i}",
            "province": "HNI",
            "platform_kind": "news_site",
            "domains": [],
            "delivery_seq": 0,
            "active": True,
            "created_at": T0,
        }
        for i in range(N)
    ]
    with engine.begin() as conn:
        conn.execute(Organisation.__table__.insert(), rows)
    with write_session(engine) as s:
        draft = directives.create(s, officer, T0, f.draft())
        middle = s.exec(select(Organisation).where(Organisation.code == f"BULK-{N // 2}")).one()
        blocker = directives.create(s, officer, T0, f.draft())
    # A stale delivery already holding the middle platform's next sequence number: the publish's insert of the
    # 2,501st delivery violates the (platform, seq) uniqueness.
    with engine.begin() as conn:
        conn.execute(
            Delivery.__table__.insert(),
            [
                {
                    "directive_id": blocker.id,
                    "platform_id": middle.id,
                    "seq": 1,
                    "state": "pending",
                    "created_at": T0,
                    "reminders_sent": 0,
                }
            ],
        )
    before = counts(engine)
    with pytest.raises(sa.exc.IntegrityError), write_session(engine) as s:
        directives.publish(s, officer, T0, draft.id, f.SIGNER)
    assert counts(engine) == before
    with read_session(engine) as s:
        d = s.get(Directive, draft.id)
        assert d.status == DirectiveStatus.DRAFT and d.ref_no is None and d.seq is None
        assert s.scalar(select(func.count()).where(Event.directive_id == draft.id, Event.kind == "published")) == 0
    # Once the obstacle is gone, the same publish succeeds in full.
    with engine.begin() as conn:
        conn.execute(sa.delete(Delivery.__table__).where(Delivery.directive_id == blocker.id))
    with write_session(engine) as s:
        published = directives.publish(s, officer, T0, draft.id, f.SIGNER)
    assert len(published.platform_ids) == N
