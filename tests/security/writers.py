"""A group-commit writer on a test's own database, driven by threads (one per platform, as sockets would be)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from hub import clock
from hub.models import OrgKind, Role
from hub.sockets.writer import GroupWriter, Outcome
from tests import factories as f


def writer(engine) -> tuple[GroupWriter, list[list[int]]]:
    """A writer whose progress announcements are kept in the returned list."""
    announced: list[list[int]] = []
    start = lambda task: threading.Thread(target=task, daemon=True).start()  # noqa: E731
    return GroupWriter(SimpleNamespace(engine=engine), start, announced.append), announced


def platforms_with_a_directive(engine, count: int):
    """``count`` platforms with machine principals and one directive published to them all."""
    now = clock.now()
    officer = f.user(engine, now, f.org(engine, now, OrgKind.REGULATOR), Role.OFFICER)
    orgs = [f.org(engine, now, OrgKind.PLATFORM, "HNI") for _ in range(count)]
    principals = [f.machine(engine, now, org)[0] for org in orgs]
    directive = f.published(engine, now, officer, {"platforms": [o.code for o in orgs]}).directive
    return principals, directive


def submit_together(writer: GroupWriter, items: list) -> list[Outcome | None]:
    """Submit every item at once from its own thread (so that they share batches); outcomes in the items' order."""
    outcomes: list[Outcome | None] = [None] * len(items)
    barrier = threading.Barrier(len(items))

    def one(i: int) -> None:
        barrier.wait()
        outcomes[i] = writer.submit(items[i])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(items))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes
