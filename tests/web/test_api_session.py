"""The API from the signed-in web pages: the session cookie authenticates, and writes need the CSRF token."""

from __future__ import annotations

import secrets

from itsdangerous import URLSafeTimedSerializer

from hub import clock
from tests import factories as f

API = "/api/v1"
DRAFT = {"title": "From the composer", "body": "Text.", "audience": {"all": True}}


def _sign_in(world, user: str) -> str:
    """Sign in as the web pages do (Flask-Login's session) and return the CSRF token the pages would embed."""
    raw = secrets.token_hex(20)
    engine = world.app.extensions["hub"].engine
    with world.client.session_transaction() as session:
        session.update(f.signed_in(engine, clock.now(), world.ids[f"user_{user}"]))
        session["csrf_token"] = raw
    return URLSafeTimedSerializer(world.app.secret_key, salt="wtf-csrf-token").dumps(raw)


def test_a_signed_in_officer_reads_and_writes_with_the_csrf_token(world):
    token = _sign_in(world, "reg_officer")
    assert world.client.get(f"{API}/directives").status_code == 200
    refused = world.client.post(f"{API}/directives", json=DRAFT)
    assert refused.status_code == 400 and refused.get_json()["error"] == "csrf"
    created = world.client.post(f"{API}/directives", json=DRAFT, headers={"X-CSRFToken": token})
    assert created.status_code == 201 and created.get_json()["author_id"] == world.ids["user_reg_officer"]


def test_without_a_session_or_token_every_call_but_the_signing_key_is_401(world):
    assert world.client.post(f"{API}/directives", json=DRAFT).status_code == 401
    refused = world.client.get(f"{API}/inbox")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert world.client.get(f"{API}/inbox", headers={"Authorization": "Bearer dh_wrong"}).status_code == 401
    assert world.client.get(f"{API}/inbox", headers={"Authorization": "Basic abc"}).status_code == 401
    assert world.client.get(f"{API}/signing-key").status_code == 200
