"""The sweep at explicit times: ``at(hours, minutes)`` after T0, and one ``sweep`` with the tests' signer."""

from __future__ import annotations

from datetime import datetime, timedelta

from hub.core import sweep as core_sweep
from tests import factories as f
from tests.conftest import T0


def at(hours: float, minutes: float = 0) -> datetime:
    return T0 + timedelta(hours=hours, minutes=minutes)


def sweep(engine, now: datetime, announced: list | None = None, **kw):
    return core_sweep.sweep(engine, now, f.SIGNER, announce=announced.append if announced is not None else None, **kw)
