"""The dashboard's filters (hub.core.dashboard with a DirectiveFilter) on SQLite and PostgreSQL: province, kind,
exercises and period narrow every figure; trends month by month."""

from __future__ import annotations

from datetime import timedelta

from hub.core import dashboard, deliveries
from hub.core.dashboard import REAL
from hub.core.directive_filter import DirectiveFilter
from hub.db import read_session, write_session
from hub.models import OrgKind, Role
from tests import factories as f
from tests.conftest import T0

LATER = T0 + timedelta(days=40)


def test_filters_narrow_every_figure_and_months_follow_publication(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    hanoi = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    f.org(engine, T0, OrgKind.PLATFORM, "DNG")
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    manager = f.user(engine, T0, regulator, Role.MANAGER)
    editor = f.user(engine, T0, hanoi, Role.EDITOR)
    march = f.published(engine, T0, officer).directive.id
    f.published(engine, T0 + timedelta(days=31), officer, kind="orientation")  # April, both platforms
    f.published(engine, T0, officer, exercise=True)
    with write_session(engine) as s:
        deliveries.acknowledge(s, editor, T0 + timedelta(hours=1), march)

    def figures(where: DirectiveFilter) -> dashboard.Dashboard:
        with read_session(engine) as s:
            return dashboard.dashboard(s, manager, LATER, 0.15, where=where)

    everything = figures(REAL)
    assert everything.totals["deliveries"] == 4
    assert [(m.day.isoformat(), m.deliveries, m.acknowledged) for m in everything.months] == [
        ("2026-03-01", 2, 1),
        ("2026-04-01", 2, 0),
    ]
    assert figures(DirectiveFilter(exercise=False, province="DNG")).totals["deliveries"] == 2
    assert dict(figures(DirectiveFilter(exercise=False, province="DNG")).overdue_by_province) == {"DNG": 1}
    assert figures(DirectiveFilter(exercise=False, kind="orientation")).totals["deliveries"] == 2
    assert figures(DirectiveFilter(exercise=True)).totals["deliveries"] == 2
    assert figures(DirectiveFilter()).totals["deliveries"] == 6
    april = figures(DirectiveFilter(exercise=False, since=T0 + timedelta(days=20), until=T0 + timedelta(days=35)))
    assert april.totals["deliveries"] == 2 and [m.day.month for m in april.months] == [4]
    assert april.totals["acknowledged"] == 0
