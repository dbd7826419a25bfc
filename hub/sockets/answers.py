"""Answers to client events: every handler returns ``{"ok": true, ...}`` or ``{"ok": false, "error", "message"}``
and no exception ever reaches python-socketio (which would leave the client waiting, or drop the socket)."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

import orjson

from hub.core.errors import HubError, InvalidInput
from hub.core.limits import MAX_INT, unstorable_text

log = logging.getLogger(__name__)

MAX_EVENT_BYTES = 64_000


class Unavailable(HubError):
    """The hub could not do it now (database or writer trouble); the client may retry."""

    code = "unavailable"
    status = 503


def failure(exc: HubError) -> dict[str, Any]:
    return {"ok": False, "error": exc.code, "message": exc.message}


def answered(handler: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Wrap a client-event handler: check the payload's shape and size, translate errors into an answer.

    Keyword arguments of the call (the socket id, for a handler registered on python-socketio directly) are
    passed through to the handler."""

    @functools.wraps(handler)
    def wrapper(*args: Any, **context: Any) -> dict[str, Any]:
        try:
            if len(args) != 1:
                raise InvalidInput("send exactly one object as the event's data")
            data = args[0]
            if not isinstance(data, dict):
                raise InvalidInput("the event's data must be an object")
            if _size(data) > MAX_EVENT_BYTES:
                raise InvalidInput(f"the event's data may have at most {MAX_EVENT_BYTES} bytes")
            if unstorable_text(data):
                raise InvalidInput("text may not contain NUL characters or unpaired surrogates")
            return handler(data, **context)
        except HubError as exc:
            return failure(exc)
        except Exception:
            log.exception("socket handler %s failed", handler.__name__)
            return failure(Unavailable("the hub could not handle this event now; try again"))

    return wrapper


def _size(data: dict[str, Any]) -> int:
    try:
        return len(orjson.dumps(data, default=str))
    except TypeError:  # orjson refuses what JSON allows, e.g. integers beyond 64 bits
        pass
    try:
        return len(json.dumps(data, default=str))
    except (TypeError, ValueError):
        raise InvalidInput("the event's data is not plain JSON") from None


def whole_number(data: dict[str, Any], name: str, *, minimum: int = 1) -> int:
    """A required integer field within the 32-bit columns it is stored in or compared with (booleans are not
    numbers here)."""
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_INT:
        raise InvalidInput(f"{name}: a whole number from {minimum} to {MAX_INT} is required")
    return value


def text(data: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{name}: text is required")
    return value


def only(data: dict[str, Any], *names: str) -> None:
    extra = data.keys() - names
    if extra:
        raise InvalidInput(f"unknown field(s): {', '.join(sorted(extra))}")
