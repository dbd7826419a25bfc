"""The receipt writer (``hub/sockets/writer.py``): concurrent receipts are recorded in one group commit and each is
answered with its own sequence number."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from sqlmodel import select

from hub import clock
from hub.core.receipts import ReceiptIn
from hub.db import make_engine, read_session
from hub.models import Delivery, DeliveryState, OrgKind, Role
from hub.sockets.writer import GroupWriter
from tests import factories as f


def test_concurrent_receipts_are_recorded_together_and_each_answered_with_its_own_seq(sqlite_url):
    engine = make_engine(sqlite_url)
    now = clock.now()
    regulator = f.org(engine, now, OrgKind.REGULATOR)
    officer = f.user(engine, now, regulator, Role.OFFICER)
    platforms = [f.org(engine, now, OrgKind.PLATFORM, "HNI") for _ in range(8)]
    directive = f.published(engine, now, officer).directive
    announced: list[list[int]] = []
    writer = GroupWriter(
        SimpleNamespace(engine=engine),
        lambda task: threading.Thread(target=task, daemon=True).start(),
        announced.append,
    )
    answers: dict[int, object] = {}

    def send(platform_id: int) -> None:
        answers[platform_id] = writer.submit(ReceiptIn(platform_id, "machine", directive.id, None))

    threads = [threading.Thread(target=send, args=(p.id,)) for p in platforms]
    threads.append(threading.Thread(target=send, args=(regulator.id,)))  # not an addressee
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert all(answers[p.id].directive_id == directive.id and answers[p.id].seq == 1 for p in platforms)
    assert answers[regulator.id].directive_id is None
    assert announced and all(ids == [directive.id] for ids in announced)  # the consoles hear of the progress
    with read_session(engine) as session:
        states = session.exec(select(Delivery.state).where(Delivery.directive_id == directive.id)).all()
    assert states == [DeliveryState.DELIVERED] * len(platforms)
    engine.dispose()
