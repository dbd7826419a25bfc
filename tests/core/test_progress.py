"""An issuer's follow-through: the progress counts of a directive."""

from __future__ import annotations

from hub.core import deliveries, progress
from hub.db import read_session, write_session
from tests.conftest import T0


def test_progress_counts_read_as_a_funnel(setup):
    engine, officer, editor, _other_editor, d = setup
    with write_session(engine) as s:
        deliveries.set_status(s, editor, T0, d.id, "implemented", "done")
    with read_session(engine) as s:
        p = progress.progress(s, officer, [d.id], T0)[d.id]
        late = progress.progress(s, officer, [d.id], d.ack_due_at.replace(year=2030))[d.id]
    assert (p.total, p.delivered, p.acknowledged, p.implemented, p.pending) == (2, 1, 1, 1, 1)
    assert late.overdue == 1
