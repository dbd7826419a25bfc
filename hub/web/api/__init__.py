"""The JSON API (/api/v1): thin adapters over the core, described by the same pydantic schemas that validate them.

Every call is authenticated (bearer token or web session) before its body is even looked at, except the hub's
public signing key; errors are JSON with a stable code (see ``hub/web/errors.py``).
"""

from __future__ import annotations

from flask import request
from flask_openapi3 import APIBlueprint, OpenAPI

from hub.runtime import current_hub
from hub.web.api import (
    admin,
    attachments,
    bulk,
    deadlines,
    directives,
    events,
    inbox,
    me,
    reports,
    reuse,
    schemas,
    webhooks,
)
from hub.web.api.base import SECURITY_SCHEMES, check_request, ok, tag, widen_upload_body
from hub.web.auth import current_principal

api = APIBlueprint("api", __name__, url_prefix="/api/v1")
keys = APIBlueprint("keys", __name__, abp_tags=tag("keys", "what platforms need to verify directives"))
PUBLIC_ENDPOINTS = {"api.keys.signing_key"}


@keys.get(
    "/signing-key",
    summary="The hub's Ed25519 public key (PEM) that signs every directive",
    responses={200: schemas.SigningKeyOut},
)
def signing_key():
    return ok(schemas.SigningKeyOut(algorithm="Ed25519", public_key_pem=current_hub().signer.public_pem()))


for group in (
    directives.bp,
    inbox.bp,
    attachments.bp,
    reports.bp,
    events.bp,
    deadlines.bp,
    bulk.bp,
    reuse.bp,
    admin.bp,
    webhooks.bp,
    me.bp,
    keys,
):
    api.register_api(group)
api.before_request(check_request)


def authenticate() -> None:
    """Refuse anonymous API calls with 401 before anything else (CSRF, body parsing) looks at them."""
    if "api" in request.blueprints and request.endpoint not in PUBLIC_ENDPOINTS:
        current_principal()


def init_app(app: OpenAPI) -> None:
    app.security_schemes = SECURITY_SCHEMES
    app.register_api(api)
    app.before_request_funcs.setdefault(None, []).insert(0, authenticate)
    app.before_request_funcs[None].insert(0, widen_upload_body)
