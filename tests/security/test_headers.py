"""Security headers on every answer (page, API, static file); HSTS and Secure cookies over HTTPS only. What Chromium
makes of them (a page that refuses to be framed, pages that run under their Content-Security-Policy) is in
tests/browser/test_csp.py, beside the running hub and browser it shares with the other browser tests."""

from __future__ import annotations

import re

import pytest

ANSWERS = ["/login", "/api/v1/directives", "/static/js/hub.js", "/healthz"]


@pytest.fixture
def app(tmp_path, sqlite_url):
    from hub import create_app

    built = []

    def build(**settings):
        config = {"instance_path": str(tmp_path / "i"), "database_url": sqlite_url, "scheduler_enabled": False}
        built.append(create_app({**config, "TESTING": True, **settings}, environ=False))
        return built[-1]

    yield build
    for hub in built:
        hub.extensions["hub"].engine.dispose()


@pytest.mark.parametrize("path", ANSWERS)
def test_every_answer_carries_the_security_headers(app, path):
    response = app().test_client().get(path, buffered=True)
    assert response.status_code in (200, 401)
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "default-src 'self'",
    ):
        assert directive in csp, directive
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert re.search(r"connect-src 'self' ws://localhost wss://localhost", csp)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def session_cookie(response) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))


def test_over_plain_http_there_is_no_hsts_and_the_cookie_is_not_secure(app):
    response = app().test_client().get("/login")
    assert "Strict-Transport-Security" not in response.headers
    assert "secure" not in session_cookie(response).lower()


def test_over_https_the_answer_has_hsts_and_every_cookie_is_secure(app):
    client = app().test_client()
    response = client.get("/login", base_url="https://hub.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "; Secure" in session_cookie(response)
    language = client.get("/lang/en", base_url="https://hub.example")
    assert all("; Secure" in c for c in language.headers.getlist("Set-Cookie"))


def test_behind_a_tls_proxy_hub_https_turns_on_hsts_and_secure_cookies(app):
    response = app(https=True).test_client().get("/login")
    assert "Strict-Transport-Security" in response.headers
    assert "; Secure" in session_cookie(response)


def test_x_forwarded_proto_counts_only_through_a_configured_proxy(app):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.1"}
    assert "Strict-Transport-Security" not in app().test_client().get("/login", headers=forwarded).headers
    trusted = app(proxy_count=1).test_client().get("/login", headers=forwarded)
    assert "Strict-Transport-Security" in trusted.headers
