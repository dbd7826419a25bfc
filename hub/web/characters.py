"""Characters no text of the hub may hold: NUL (PostgreSQL refuses it in text, so it would surface as a 500) and
unpaired surrogates (not encodable as UTF-8). Refused at the edge, once: every form field through the forms' shared
filter, every page's query string here (the JSON API validates its own query parameters, answering 422)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, abort, request
from flask_babel import lazy_gettext as _l

_BAD = re.compile("[\x00\ud800-\udfff]")
MESSAGE = _l("The text contains a character that is not allowed (a NUL or an unpaired surrogate).")


def has_bad_characters(value: Any) -> bool:
    """True for a string (or a list of them) holding a NUL or an unpaired surrogate."""
    if isinstance(value, str):
        return _BAD.search(value) is not None
    if isinstance(value, list | tuple):
        return any(has_bad_characters(item) for item in value)
    return False


def refuse_bad_characters(value: Any) -> Any:
    """A WTForms filter: the field gets the message as its error instead of the value reaching the database."""
    if has_bad_characters(value):
        raise ValueError(MESSAGE)
    return value


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_bad_query() -> None:
        # Filters in a page's query string (console, log, dashboard, audience count) answer 400 instead of a 500.
        if request.path.startswith("/api/"):
            return
        for key, values in request.args.lists():
            if has_bad_characters(key) or has_bad_characters(values):
                abort(400, description=str(MESSAGE))
