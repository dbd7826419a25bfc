"""The core's errors in the reader's language, translated by code (never by matching English text).

``MESSAGES`` in ``hub.core.errors`` holds the English text of every code (marked for extraction); the catalogues
translate it. Values that are states, statuses, roles or organisation kinds are shown with their labels, dates in
the reader's format."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import request
from flask_babel import LazyString, force_locale, format_date, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import escape
from pydantic import ValidationError

from hub.core.errors import MESSAGES, N_, HubError
from hub.web.i18n import LOCALES, select_locale

ORG_KIND_LABELS = {"regulator": _l("Regulator"), "province": _l("Provincial department"), "platform": _l("Platform")}


def _labels() -> dict[str, dict[str, LazyString]]:
    from hub.web.pages.base import ROLE_LABELS, STATE_LABELS, STATUS_LABELS

    return {
        "status": STATUS_LABELS,
        "state": STATE_LABELS,
        "current": STATE_LABELS,
        "target": STATE_LABELS,
        "role": ROLE_LABELS,
        "kind": ORG_KIND_LABELS,
    }


def _shown(name: str, value: Any, labels: dict[str, dict[str, LazyString]]) -> Any:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return format_date(value, "medium")
    label = labels.get(name, {}).get(str(value))
    return str(label) if label is not None else value


def translate(code: str, values: dict[str, Any] | None = None, *, labelled: bool = True) -> str:
    """The message of ``code`` with its values, in the current locale (states, roles... by their labels, or as the
    API spells them when ``labelled`` is false)."""
    if labelled:
        labels = _labels()
        values = {name: _shown(name, value, labels) for name, value in (values or {}).items()}
    return gettext(MESSAGES[code], **(values or {}))


def error_text(exc: HubError) -> str:
    """A domain error as a sentence for the page."""
    text = translate(exc.code, exc.values)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Note:
    """A message on a form that may be shown again later (after a redirect, in the language chosen then): a domain
    error by its code, or a message of the catalogues by its English text, with its values."""

    code: str | None = None
    text: str | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.code is not None:
            text = translate(self.code, self.values)
            return text[:1].upper() + text[1:]
        return gettext(self.text or "", **self.values)

    def __html__(self) -> str:
        return str(escape(str(self)))

    def to_json(self) -> dict[str, Any]:
        values = {k: {"date": v.isoformat()} if isinstance(v, date) else v for k, v in self.values.items()}
        return {"code": self.code, "text": self.text, "values": values}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Note:
        values = {
            k: date.fromisoformat(v["date"]) if isinstance(v, dict) and "date" in v else v
            for k, v in (data.get("values") or {}).items()
        }
        return cls(data.get("code"), data.get("text"), values)


def error_note(exc: HubError) -> Note:
    """A domain error as a form message that stays translatable."""
    return Note(code=exc.code, values=dict(exc.values))


def validation_note(exc: ValidationError) -> Note:
    """The first problem pydantic found, for the form: by its code when the core typed it, else as pydantic said."""
    first = exc.errors(include_url=False)[0]
    if first.get("type") in MESSAGES:
        return Note(code=first["type"], values=dict(first.get("ctx") or {}))
    where = ".".join(str(p) for p in first.get("loc", ()))
    return Note(text=N_("Check %(field)s: %(problem)s"), values={"field": where, "problem": first.get("msg", "")})


def api_locale() -> str:
    """The language of an API answer: a signed-in browser's choice, else Accept-Language, else English (the language
    of the API's documentation, so that a machine client that asks for nothing reads what it was written against)."""
    if current_user and current_user.is_authenticated:
        return select_locale()
    return request.accept_languages.best_match(LOCALES) or "en"


def api_message(exc: HubError) -> str:
    """A domain error's message for a JSON answer, in the request's language."""
    with force_locale(api_locale()):
        return translate(exc.code, exc.values, labelled=False)
