"""One log line per HTTP request (who, which organisation, result, duration) under a request id that the client may
give (``X-Request-ID``) and always gets back, and every unexpected error logged with its traceback under that id.

The line names the path without its query string and never a header or a body: a token or a password sent with the
request stays out of the log.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

from hub.web import orgnames

logger = logging.getLogger("hub.request")
HEADER = "X-Request-ID"
ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def current_request_id() -> str | None:
    """This request's id (None outside a request's hooks)."""
    return g.get("request_id")


def _begin() -> None:
    given = request.headers.get(HEADER, "")
    g.request_id = given if ACCEPTED_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    rid = g.get("request_id")
    if rid is None:  # a response made before our first hook ran (another hook failed early)
        _begin()
        rid = g.request_id
    response.headers[HEADER] = rid
    started = g.get("request_started", time.perf_counter())
    fields = {
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "ip": request.remote_addr or "",
        **who(g.get("principal")),
    }
    logger.log(logging.WARNING if response.status_code >= 500 else logging.INFO, "request", extra={"fields": fields})
    return response


def who(principal) -> dict[str, str]:
    """The acting party of a log line: user or token id, role and organisation code (anonymous when none)."""
    if principal is None:
        return {"who": "anonymous"}
    acting = f"user:{principal.user_id}" if principal.user_id is not None else f"token:{principal.token_id}"
    fields = {"who": acting, "role": str(principal.role.value), "org": orgnames.code_of(principal.org_id)}
    if principal.user_id is not None and principal.token_id is not None:
        fields["token"] = str(principal.token_id)  # a user's personal token
    return fields


def init_app(app: Flask) -> None:
    # A URL value preprocessor runs before every before-request hook, whatever order they were added in, so that a
    # request refused by one of them (401 before the body is read) still has its id in the error body.
    app.url_value_preprocessor(lambda _endpoint, _values: _begin())
    app.after_request(_finish)
    app.log_exception = _log_exception  # type: ignore[method-assign]


def _log_exception(exc_info) -> None:
    """Flask's hook for an unhandled error: logged with its traceback and the request id (the page shows the id)."""
    logger.error(
        "unhandled error",
        exc_info=exc_info,
        extra={"fields": {"method": request.method, "path": request.path, **who(g.get("principal"))}},
    )
