"""A platform's inbox: its own deliveries, in order, after the sequence number it holds."""

from __future__ import annotations

from hub.core import inbox
from hub.db import read_session
from tests import factories as f
from tests.conftest import T0


def test_inbox_replays_in_order_after_since_and_only_own(setup):
    engine, officer, editor, _other_editor, first = setup
    second = f.published(engine, T0, officer, {"provinces": ["HNI"]}).directive
    with read_session(engine) as s:
        rows = inbox.inbox(s, editor, since=0)
        after = inbox.inbox(s, editor, since=1)
        assert inbox.inbox_head(s, editor.org_id) == 2
    assert [(d.seq, x.id) for d, x, _ in rows] == [(1, first.id), (2, second.id)]
    assert [d.seq for d, _, _ in after] == [2]
    assert all(d.platform_id == editor.org_id for d, _, _ in rows)
