"""Answers to client events: every handler returns ``{"ok": true, ...}`` or ``{"ok": false, "error", "message"}``
and no exception ever reaches python-socketio (which would leave the client waiting, or drop the socket)."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

import orjson

from hub.core.errors import HubError, InvalidInput, Unavailable
from hub.core.limits import MAX_INT, unstorable_text

log = logging.getLogger(__name__)

MAX_EVENT_BYTES = 64_000


def failure(exc: HubError) -> dict[str, Any]:
    """The error answer: its kind (``error``), its stable ``code`` and the English message with its values."""
    return {"ok": False, "error": exc.kind, "code": exc.code, "message": exc.message}


def answered(handler: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Wrap a client-event handler: check the payload's shape and size, translate errors into an answer.

    Keyword arguments of the call (the socket id, for a handler registered on python-socketio directly) are
    passed through to the handler."""

    @functools.wraps(handler)
    def wrapper(*args: Any, **context: Any) -> dict[str, Any]:
        try:
            if len(args) != 1:
                raise InvalidInput("event_arguments")
            data = args[0]
            if not isinstance(data, dict):
                raise InvalidInput("event_not_object")
            if _size(data) > MAX_EVENT_BYTES:
                raise InvalidInput("event_too_large", max=MAX_EVENT_BYTES)
            if unstorable_text(data):
                raise InvalidInput("event_text_unstorable")
            return handler(data, **context)
        except HubError as exc:
            return failure(exc)
        except Exception:
            log.exception("socket handler %s failed", handler.__name__)
            return failure(Unavailable("event_unavailable"))

    return wrapper


def _size(data: dict[str, Any]) -> int:
    try:
        return len(orjson.dumps(data, default=str))
    except TypeError:  # orjson refuses what JSON allows, e.g. integers beyond 64 bits
        pass
    try:
        return len(json.dumps(data, default=str))
    except (TypeError, ValueError):
        raise InvalidInput("event_not_json") from None


def whole_number(data: dict[str, Any], name: str, *, minimum: int = 1) -> int:
    """A required integer field within the 32-bit columns it is stored in or compared with (booleans are not
    numbers here)."""
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_INT:
        raise InvalidInput("number_invalid", field=name, min=minimum, max=MAX_INT)
    return value


def text(data: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise InvalidInput("text_required", field=name)
    return value


def only(data: dict[str, Any], *names: str) -> None:
    extra = data.keys() - names
    if extra:
        raise InvalidInput("fields_unknown", fields=", ".join(sorted(extra)))
