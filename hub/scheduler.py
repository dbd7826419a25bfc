"""APScheduler: the periodic sweep and the cron jobs, each one core call."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Attach the scheduler (started by ``app.py`` or ``flask scheduler``, never at import)."""


def start(app: Flask) -> None:
    """Start the background scheduler in this process (if it wins the scheduler lock)."""


def run_forever(app: Flask) -> None:
    """Run only the scheduler, in the foreground."""
    raise SystemExit("the scheduler is not available yet")
