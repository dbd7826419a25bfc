"""The adapters' clock. The core never reads the time itself: adapters pass ``now()`` in, so tests can move it."""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
