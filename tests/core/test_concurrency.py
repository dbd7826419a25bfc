"""Concurrent writers on PostgreSQL: publishes and acknowledgements from several threads at once keep every
platform's sequence gap-free, lose nothing and keep the log chain intact."""

from __future__ import annotations

import threading

from sqlmodel import func, select

from hub.core import deliveries, log
from hub.db import read_session, write_session
from hub.models import Delivery, OrgKind, Role
from tests import factories as f
from tests.conftest import T0


def test_concurrent_publishes_and_acknowledgements(pg_engine):
    engine = pg_engine
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    officers = [f.user(engine, T0, regulator, Role.OFFICER) for _ in range(4)]
    platforms = [f.org(engine, T0, OrgKind.PLATFORM, "HNI" if i % 2 else "HCM") for i in range(12)]
    editors = [f.user(engine, T0, p, Role.EDITOR) for p in platforms[:4]]
    first = f.published(engine, T0, officers[0]).directive
    errors: list[BaseException] = []

    def publish_many(officer, audience):
        try:
            for _ in range(5):
                f.published(engine, T0, officer, audience)
        except BaseException as exc:  # reported below
            errors.append(exc)

    def acknowledge(editor):
        try:
            with write_session(engine) as s:
                deliveries.acknowledge(s, editor, T0, first.id)
        except BaseException as exc:
            errors.append(exc)

    audiences = [{"all": True}, {"provinces": ["HNI"]}, {"provinces": ["HCM"]}, {"all": True}]
    threads = [threading.Thread(target=publish_many, args=(o, a)) for o, a in zip(officers, audiences, strict=True)]
    threads += [threading.Thread(target=acknowledge, args=(e,)) for e in editors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with read_session(engine) as s:
        for platform in platforms:
            seqs = list(s.exec(select(Delivery.seq).where(Delivery.platform_id == platform.id).order_by(Delivery.seq)))
            assert seqs == list(range(1, len(seqs) + 1))
            assert len(seqs) == 1 + 10 + 5  # first + two "all" publishers + its own province's publisher
        assert s.scalar(select(func.count()).where(Delivery.state == "acknowledged")) == 4
        assert log.verify(s).ok
