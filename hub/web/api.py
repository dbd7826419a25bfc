"""The JSON API (/api/v1): thin adapters over the core, described by the same pydantic schemas that validate them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify
from flask_openapi3 import APIBlueprint, OpenAPI

from hub.db import read_session
from hub.state import current_hub

api = APIBlueprint("api", __name__, url_prefix="/api/v1")


def healthz():
    """Liveness and database reachability."""
    try:
        with read_session(current_hub().engine) as session:
            session.scalar(sa.text("SELECT 1"))
    except Exception as exc:  # reported, not raised: this is what a load balancer asks
        return jsonify({"status": "error", "database": str(exc)[:200]}), 503
    return jsonify({"status": "ok", "database": "ok"})


def init_app(app: OpenAPI) -> None:
    app.register_api(api)
    app.add_url_rule("/healthz", "healthz", healthz)
