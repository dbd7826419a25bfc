"""Language and time zone of each page: the user's saved choice, then the cookie, then the browser, then Vietnamese."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

LOCALES = ("vi", "en")


def select_locale() -> str:
    if current_user and getattr(current_user, "locale", None) in LOCALES:
        return current_user.locale
    cookie = request.cookies.get("lang")
    if cookie in LOCALES:
        return cookie
    return request.accept_languages.best_match(LOCALES) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]
