"""Post/Redirect/Get for the pages' forms: a refused form's input and messages are kept under a random key and the
browser is sent to the page that shows the form, with ``?held=<key>``; that address can be reloaded, bookmarked for
the hour the input is kept, or reopened in the other language, and the form comes back as it was sent.

Passwords and the CSRF token are never kept. Field messages are found again by validating the kept input (so they
follow the language of the page); messages the view added (refusals of the core) are kept as codes."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlmodel import select
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms import PasswordField

from hub import clock
from hub.db import read_session, write_session
from hub.models import HeldForm
from hub.runtime import current_hub
from hub.web.messages import Note

QUERY = "held"
KEPT_FOR = timedelta(hours=1)
KEY_LENGTH = 32  # characters of token_urlsafe(24)


def _user_id() -> int | None:
    return int(current_user.get_id()) if current_user and current_user.is_authenticated else None


def _secret(field: Any) -> bool:
    return isinstance(field, PasswordField) or field.name == "csrf_token"


def _notes(messages: list[Any]) -> list[dict[str, Any]]:
    return [(m if isinstance(m, Note) else Note(text=str(m))).to_json() for m in messages]


def _content(form: FlaskForm) -> str:
    names = {f.name for f in form if not _secret(f)}
    data = {k: v for k, v in request.form.to_dict(flat=False).items() if k in names}
    added = {f.name: _notes([e for e in f.errors if isinstance(e, Note)]) for f in form}
    secrets_errors = {f.name: _notes(list(f.errors)) for f in form if isinstance(f, PasswordField) and f.errors}
    fields = {name: notes for name, notes in (added | secrets_errors).items() if notes}
    return json.dumps({"data": data, "notes": _notes(list(form.form_errors)), "fields": fields})


def hold(form: FlaskForm, endpoint: str, anchor: str = "", **values: Any) -> Response:
    """Keep a refused form and answer 303 to the page (``endpoint`` with ``values``) that shows it again."""
    key, now = secrets.token_urlsafe(24), clock.now()
    with write_session(current_hub().engine) as session:
        session.exec(sa.delete(HeldForm).where(HeldForm.created_at < now - KEPT_FOR))
        session.add(
            HeldForm(key=key, user_id=_user_id(), form=type(form).__name__, content=_content(form), created_at=now)
        )
    return redirect(url_for(endpoint, **values, **{QUERY: key}) + anchor, code=303)


def _held(form: FlaskForm) -> dict[str, Any] | None:
    key = request.args.get(QUERY, "")
    if not key or len(key) > KEY_LENGTH:
        return None
    with read_session(current_hub().engine) as session:
        row = session.exec(select(HeldForm).where(HeldForm.key == key)).first()
    if row is None or row.form != type(form).__name__ or row.user_id != _user_id():
        return None
    if row.created_at < clock.now() - KEPT_FOR:
        return None
    return json.loads(row.content)


def restore(form: FlaskForm) -> bool:
    """On the page after :func:`hold`: refill ``form`` (its choices already set) with the kept input and messages.

    Returns whether it did (the page answers 422 then, as the refused POST did)."""
    held = _held(form)
    if held is None:
        return False
    form.process(formdata=MultiDict([(k, v) for k, values in held["data"].items() for v in values]))
    form.validate()
    for f in form:
        if _secret(f):
            f.errors = []
    form.form_errors = [*form.form_errors, *(Note.from_json(n) for n in held["notes"])]
    for name, notes in held["fields"].items():
        if name in form:
            form[name].errors = [*form[name].errors, *(Note.from_json(n) for n in notes)]
    return True
