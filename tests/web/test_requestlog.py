"""Errors an operator can trace: an unexpected failure is logged with its traceback under the request's id, and the
person who met it sees that id (on the page, in the JSON body) to quote to the support team."""

from __future__ import annotations

import io
import json
import logging

import pytest

from hub import logs


@pytest.fixture
def log_to():
    """Configure the process log (as ``python app.py`` does) into a buffer; the root's handlers restored after."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level

    def configure(log_format: str) -> io.StringIO:
        buffer = io.StringIO()
        logs.configure(log_format, stream=buffer)
        return buffer

    yield configure
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in before:
        root.addHandler(handler)
    root.setLevel(level)


@pytest.fixture
def json_log(log_to):
    """The JSON lines logged so far, as ``HUB_LOG_FORMAT=json`` writes them."""
    buffer = log_to("json")
    return lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]


@pytest.fixture
def failing(app):
    """An app with two routes that fail unexpectedly (a page and an API path), as a bug would."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken():
        raise RuntimeError("the widget broke")

    app.add_url_rule("/broken-page", "broken_page", broken)
    app.add_url_rule("/api/v1/broken", "broken_api", broken)
    return app.test_client()


def test_an_unexpected_error_page_shows_the_id_its_traceback_is_logged_under(failing, json_log):
    answer = failing.get("/broken-page", headers={"X-Request-ID": "support-case-17", "Accept-Language": "en"})
    assert answer.status_code == 500
    assert "Reference for the support team: support-case-17" in answer.get_data(as_text=True)
    error, request = [x for x in json_log() if x["request_id"] == "support-case-17"]
    assert error["level"] == "ERROR" and "RuntimeError: the widget broke" in error["traceback"]
    assert error["path"] == "/broken-page"
    assert (request["message"], request["status"], request["level"]) == ("request", 500, "WARNING")


def test_an_unexpected_api_error_gives_its_id_in_the_json_body(failing, json_log):
    answer = failing.get("/api/v1/broken")
    body = answer.get_json()
    assert answer.status_code == 500 and body["error"] == "internal_server_error"
    assert body["request_id"] == answer.headers["X-Request-ID"]
    traced = [x for x in json_log() if x["request_id"] == body["request_id"] and "traceback" in x]
    assert len(traced) == 1 and "the widget broke" in traced[0]["traceback"]


def test_the_error_page_in_vietnamese_gives_the_reference_too(failing, json_log):
    answer = failing.get("/broken-page", headers={"X-Request-ID": "ho-tro-18", "Accept-Language": "vi"})
    assert "Mã tham chiếu cho bộ phận hỗ trợ: ho-tro-18" in answer.get_data(as_text=True)


def test_text_lines_carry_the_request_id_and_the_fields(app, log_to):
    buffer = log_to("text")
    app.test_client().get("/healthz", headers={"X-Request-ID": "plain-1"})
    (line,) = [x for x in buffer.getvalue().splitlines() if "[plain-1]" in x]
    assert " INFO hub.request [plain-1] request method=GET path=/healthz status=200 " in line
    assert "who=anonymous" in line


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ValueError, match="HUB_LOG_FORMAT"):
        logs.configure("xml")
