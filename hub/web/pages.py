"""The web pages (regulator console, platform inbox, manager dashboard, admin)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    return "Directive Hub"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
