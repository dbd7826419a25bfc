"""Errors, translated in one place: domain errors and HTTP errors become JSON under /api (and for JSON clients),
a page elsewhere. No bad input may surface as a 500."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from hub.core.errors import HubError
from hub.extensions import limiter
from hub.throttle import seconds_until
from hub.web.messages import api_message, error_text


def wants_json() -> bool:
    return (
        request.path.startswith("/api/")
        or request.path in ("/healthz", "/readyz", "/metrics")
        or (request.accept_mimetypes.best == "application/json")
    )


# Each kind of domain refusal as an HTTP status (the core knows no HTTP).
STATUS = {
    "invalid_input": 422,
    "refused_address": 422,
    "malformed_json": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "invalid_transition": 409,
    "unavailable": 503,
}


def json_error(status: int, error: str, message: str, details: Any = None, code: str | None = None, **more: Any):
    body: dict[str, Any] = {"error": error, "message": message, **more}
    if code is not None:
        body["code"] = code
    if details is not None:
        body["details"] = details
    if g.get("request_id"):  # the id under which the log holds this request's lines
        body["request_id"] = g.request_id
    response = jsonify(body)
    response.status_code = status
    return response


def validation_error_response(exc: ValidationError):
    """flask-openapi3 hands request-schema failures here: 422 with the field errors."""
    details = exc.errors(include_url=False, include_context=False, include_input=False)
    first = details[0] if details else {}
    where = ".".join(str(p) for p in first.get("loc", ()))
    message = f"{where}: {first.get('msg', 'invalid')}" if where else first.get("msg", "invalid input")
    return json_error(422, "invalid_input", message, details)


def rate_limited_response(page_message: str | None = None):
    """429 for a caller over a limit: JSON (or a page, with the limit's own message if it has one) saying how many
    seconds to wait, and ``Retry-After``."""
    breached = limiter.current_limit
    wait = seconds_until(breached.window.reset_time) if breached is not None else 60
    if wants_json():
        response = json_error(429, "rate_limited", f"too many requests; try again in {wait} s", retry_after=wait)
    else:
        message = page_message or _("Too many requests. Try again in %(seconds)d seconds.", seconds=wait)
        response = make_response(_page(429, message))
    response.headers["Retry-After"] = str(wait)
    return response


def page_text(status: int) -> str:
    """What a person reads on an error page for an HTTP status (werkzeug's own descriptions are English)."""
    texts = {
        400: _("The request could not be understood. Go back, reload the page and try again."),
        404: _("There is nothing at this address. It may be mistyped, or what it showed was removed."),
        405: _(
            "This address only receives a form and cannot be opened by itself. "
            "Go back to the page you came from; nothing was changed."
        ),
        413: _("What you sent is too large."),
    }
    return texts.get(status, _("Something went wrong on the hub. Try again in a moment."))


def _back() -> str | None:
    """The page the reader came from, if it is one of ours (a link back beats a dead end)."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or not referrer.path.startswith("/") or referrer.path == request.path:
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


def _page(status: int, message: str):
    try:
        return render_template("error.html", status=status, message=message, back=_back()), status
    except Exception:  # the error page must never fail itself
        return f"{status}: {message}", status


def init_app(app: Flask) -> None:
    @app.errorhandler(HubError)
    def _hub_error(exc: HubError):
        status = STATUS.get(exc.kind, 400)
        if wants_json():
            response = json_error(status, exc.kind, api_message(exc), exc.details, exc.code)
            if status == 401:  # tell a refused client how to authenticate (RFC 6750)
                response.headers["WWW-Authenticate"] = 'Bearer realm="directive-hub"'
            return response
        return _page(status, error_text(exc))

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(exc: RateLimitExceeded):
        return rate_limited_response(exc.description if exc.limit.error_message else None)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        if wants_json():
            return json_error(400, "csrf", exc.description)
        return _page(400, exc.description)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        if exc.code == 400 and request.is_json and request.path.startswith("/api/"):
            code = "malformed_request"
        if wants_json():
            response = json_error(exc.code or 500, code, exc.description or exc.name)
            for key, value in exc.get_headers() or []:
                if key.lower() in ("retry-after", "www-authenticate", "allow"):
                    response.headers[key] = value
            return response
        custom = exc.description != type(exc).description  # our own, already in the reader's language
        return _page(exc.code or 500, exc.description if custom else page_text(exc.code or 500))

    @app.errorhandler(ValidationError)
    def _validation(exc: ValidationError):
        return validation_error_response(exc)
