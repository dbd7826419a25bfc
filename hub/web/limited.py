"""The rate limit of a view: the caller's budget of a kind of call (``hub/throttle.py``), spent through Flask-Limiter
before the view runs, keyed by who is signed in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub.extensions import limiter
from hub.throttle import caller_key, limit_value
from hub.web.auth import current_principal


def limited(kind: str, **options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a view: refuse with 429 (see ``hub/web/errors.py``) once the caller's ``kind`` budget is spent;
    ``options`` go to Flask-Limiter (``methods``, ``exempt_when``)."""
    return limiter.shared_limit(lambda: limit_value(kind), scope=kind, key_func=_current_key, **options)


def _current_key() -> str:
    # Nobody signed in: no budget to spend (an empty key makes Flask-Limiter skip the limit); the view then refuses.
    principal = current_principal(required=False)
    return caller_key(principal) if principal is not None else ""
