"""Security headers on every answer: pages, API and static files.

A small after-request hook rather than flask-talisman: its last release (1.1.0) dates from 2023 and does not say it
supports Flask 3.1, and the policy here needs per-request parts (the page's own websocket, HTTPS behind a proxy).
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask, Response, request

from hub.config import Settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; connect-src 'self'"
)
FIXED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# The API's document pages (flask-openapi3's index, Swagger UI) style themselves inline; their scripts stay external.
DOC_PAGES = ("/api/v1/", "/api/v1/swagger")
DOC_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
HSTS = "max-age=31536000; includeSubDomains"
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


def content_security_policy(path: str, host: str) -> str:
    """The policy, with the page's own websocket allowed (named, for browsers whose 'self' does not cover ws:)."""
    policy = DOC_CSP if path in DOC_PAGES else CSP
    if not _HOST.match(host):
        return policy
    return f"{policy} ws://{host} wss://{host}"


def is_https(settings: Settings) -> bool:
    """Served over HTTPS: seen on this request (through a trusted proxy), or declared with HUB_HTTPS."""
    return settings.https or request.is_secure


def init_app(app: Flask, settings: Settings) -> None:
    """Add the headers to every answer; mark cookies Secure when served over HTTPS."""
    app.config["SESSION_COOKIE_SECURE"] = settings.https
    app.config["SWAGGER_HTML_STRING"] = (Path(app.template_folder) / "api" / "swagger.html").read_text()

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = content_security_policy(request.path, request.host)
        for name, value in FIXED.items():
            response.headers.setdefault(name, value)
        if is_https(settings):
            response.headers["Strict-Transport-Security"] = HSTS
            _secure_cookies(response)
        return response


def _secure_cookies(response: Response) -> None:
    """Mark the cookies a view set (the language choice) Secure; the session cookie is marked by its interface."""
    cookies = response.headers.getlist("Set-Cookie")
    if not cookies:
        return
    del response.headers["Set-Cookie"]
    for cookie in cookies:
        secure = "; secure" in cookie.lower()
        response.headers.add("Set-Cookie", cookie if secure else f"{cookie}; Secure")
