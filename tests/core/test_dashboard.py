"""The dashboard's figures (hub.core.dashboard) on SQLite and PostgreSQL: exercises left out, the reader's province
respected, time to acknowledge bucketed, overdue platforms counted per province."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub.core import dashboard, deliveries
from hub.core.errors import Forbidden
from hub.db import read_session, write_session
from hub.models import OrgKind, Role
from tests import factories as f
from tests.conftest import T0


def test_dashboard_figures(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    hni = f.org(engine, T0, OrgKind.PROVINCE, "HNI")
    hanoi = [f.org(engine, T0, OrgKind.PLATFORM, "HNI") for _ in range(3)]
    dng = f.org(engine, T0, OrgKind.PLATFORM, "DNG")
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    manager = f.user(engine, T0, regulator, Role.MANAGER)
    hni_manager = f.user(engine, T0, hni, Role.MANAGER)
    editors = [f.user(engine, T0, p, Role.EDITOR) for p in [*hanoi, dng]]
    real = f.published(engine, T0, officer, {"all": True}).directive.id
    f.published(engine, T0, officer, {"all": True}, exercise=True)
    with write_session(engine) as s:
        deliveries.acknowledge(s, editors[0], T0 + timedelta(minutes=20), real)
        deliveries.acknowledge(s, editors[1], T0 + timedelta(hours=5), real)
        deliveries.set_status(s, editors[1], T0 + timedelta(hours=6), real, "implemented", "Xong.")
        deliveries.acknowledge(s, editors[3], T0 + timedelta(days=2), real)
    later = T0 + timedelta(days=8)  # past both deadlines of a routine directive (a day, a week)
    with read_session(engine) as s:
        central = dashboard.dashboard(s, manager, later, 0.15)
        hanoi_view = dashboard.dashboard(s, hni_manager, later, 0.15)
        with pytest.raises(Forbidden):
            dashboard.dashboard(s, editors[0], later, 0.15)
    assert central.totals == {"deliveries": 4, "acknowledged": 3, "implemented": 1, "overdue": 3}
    assert central.ack_buckets == [1, 0, 1, 1, 0]  # 20 minutes, 5 hours, 2 days
    assert central.not_acknowledged == 1
    assert [(d.deliveries, d.acknowledged, d.implemented) for d in central.days] == [(4, 3, 1)]
    assert dict(central.overdue_by_province) == {"HNI": 2, "DNG": 1}
    assert hanoi_view.totals == {"deliveries": 3, "acknowledged": 2, "implemented": 1, "overdue": 2}
    assert dict(hanoi_view.overdue_by_province) == {"HNI": 2}
