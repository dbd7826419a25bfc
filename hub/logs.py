"""The process's log: one handler on standard error, lines of text or JSON (``HUB_LOG_FORMAT=json``), each carrying
the id of the request it belongs to.

Lines carry their facts as ``fields`` (``logger.info("request", extra={"fields": {...}})``): the text format writes
them as ``key=value``, the JSON format as keys of the line's object. Only what callers put there is written: no
headers, query strings or bodies, so tokens, passwords and cookies never reach the log. Database errors are logged
without their statement's parameters (``hide_parameters`` on the engine).
"""

from __future__ import annotations

import logging
import sys
import time
from typing import IO, Any

import orjson

FORMATS = ("text", "json")
CONTEXT_MISSING = "-"


def request_id() -> str:
    """The id of the request being served, or ``-`` outside one (the scheduler, a socket event)."""
    from flask import g, has_request_context

    return g.get("request_id", CONTEXT_MISSING) if has_request_context() else CONTEXT_MISSING


class RequestIdFilter(logging.Filter):
    """Give every record the request id of where it was logged (unless the caller set one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        return True


class TextFormatter(logging.Formatter):
    """``2026-03-02T08:00:00.123Z INFO hub.request [req-id] message key=value …`` and the traceback below."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None) or {}
        pairs = "".join(f" {k}={_text(v)}" for k, v in fields.items())
        line = (
            f"{_stamp(record.created)} {record.levelname} {record.name} [{record.request_id}] "
            f"{record.getMessage()}{pairs}"
        )
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request_id, message, the fields, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _stamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "request_id": record.request_id,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def configure(log_format: str = "text", level: str = "INFO", stream: IO[str] | None = None) -> None:
    """Send every logger's records to ``stream`` (standard error) in ``log_format``; replaces the root's handlers."""
    if log_format not in FORMATS:
        raise ValueError(f"HUB_LOG_FORMAT={log_format!r}: use text or json")
    if level.upper() not in logging.getLevelNamesMapping():
        raise ValueError(f"HUB_LOG_LEVEL={level!r}: use DEBUG, INFO, WARNING or ERROR")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Flask's own logger ("hub", the app's import name) would add a second handler in debug mode; let it propagate.
    logging.getLogger("hub").handlers.clear()
    for noisy in ("apscheduler", "engineio", "socketio", "geventwebsocket", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


def _stamp(created: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created)) + f".{int(created % 1 * 1000):03d}Z"


def _text(value: Any) -> str:
    text = str(value)
    return f'"{text}"' if (" " in text or not text) else text
