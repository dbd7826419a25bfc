"""The web pages: sign-in, the officer's console, the editor's inbox, the manager's dashboard and admin.

One blueprint, one module per group of pages; each module adds its routes to :data:`base.bp`.
"""

from __future__ import annotations

from flask import Flask

from hub.web.pages import (
    account,
    admin,
    auth,
    base,
    bulk,
    console,
    dashboard,
    followup,
    inbox,
    platforms,
    ratio,
    reuse,
    webhooks,
)

__all__ = [
    "account",
    "admin",
    "auth",
    "bulk",
    "console",
    "dashboard",
    "followup",
    "inbox",
    "platforms",
    "ratio",
    "reuse",
    "webhooks",
]


def init_app(app: Flask) -> None:
    base.init_app(app)
    app.register_blueprint(base.bp)
