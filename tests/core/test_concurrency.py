"""Concurrent writers on PostgreSQL: publishes and acknowledgements from several threads at once keep every
platform's sequence gap-free, lose nothing and keep the log chain intact."""

from __future__ import annotations

import threading

from sqlmodel import func, select

from hub.core import deliveries, log, receipts
from hub.db import read_session, write_session
from hub.models import Delivery, Event, OrgKind, Role
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


def test_an_acknowledgement_racing_an_uncommitted_receipt_logs_delivered_once(pg_engine):
    """The acknowledgement waits for the receipt's row instead of reading it as still pending and logging its own
    implied "delivered" on top of the receipt's."""
    engine = pg_engine
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    platform = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    editor = f.user(engine, T0, platform, Role.EDITOR)
    directive = f.published(engine, T0, f.user(engine, T0, regulator, Role.OFFICER)).directive
    acknowledged = threading.Event()
    errors: list[BaseException] = []

    def acknowledge() -> None:
        try:
            with write_session(engine) as s:
                deliveries.acknowledge(s, editor, T0, directive.id)
            acknowledged.set()
        except BaseException as exc:  # reported below
            errors.append(exc)

    with write_session(engine) as receipt_session:
        receipts.record_receipts(receipt_session, T0, [receipts.ReceiptIn(platform.id, "machine", directive.id)])
        racer = threading.Thread(target=acknowledge)
        racer.start()
        assert not acknowledged.wait(0.5), "the acknowledgement did not wait for the uncommitted receipt"
    racer.join(timeout=30)
    assert errors == [] and acknowledged.is_set()
    with read_session(engine) as s:
        kinds = list(s.exec(select(Event.kind).where(Event.directive_id == directive.id).order_by(Event.id)))
        assert kinds.count("delivered") == 1
        assert kinds[-1] == "acknowledged"
        assert s.exec(select(Delivery.state).where(Delivery.directive_id == directive.id)).one() == "acknowledged"
