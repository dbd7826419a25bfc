"""Security headers on every answer (page, API, static file); HSTS and Secure cookies over HTTPS only; and, in real
Chromium, pages that refuse to be framed and run under their Content-Security-Policy without a violation."""

from __future__ import annotations

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser.conftest import artifacts, browser, hub_server  # noqa: F401  (the running hub and Chromium)
from tests.browser.test_live_pages import open_as

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


@pytest.fixture
def framing_site(hub_server):  # noqa: F811
    """Another site on this machine (another origin) whose page puts the hub's sign-in page in an iframe."""
    page = f'<iframe src="{hub_server.url}/login"></iframe>'.encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_a_page_refuses_to_be_framed_by_another_site(browser, framing_site):  # noqa: F811
    page = browser.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(framing_site, wait_until="load")  # the load event waits for the iframe too
    frame = page.frames[-1]
    assert frame is not page.main_frame
    deadline = time.monotonic() + 10
    while not any("frame-ancestors 'none'" in m for m in messages) and time.monotonic() < deadline:
        page.wait_for_timeout(50)  # polling the console with a deadline
    assert any("frame-ancestors 'none'" in m for m in messages), messages
    assert frame.locator("#login").count() == 0
    page.close()


VIOLATIONS = """document.addEventListener("securitypolicyviolation",
  (e) => (window.__csp = window.__csp || []).push(e.violatedDirective + " " + e.blockedURI));"""


def watch(page) -> list[str]:
    """Collect the CSP violations the page reports (its console and its securitypolicyviolation events)."""
    reported: list[str] = []
    page.on("console", lambda m: reported.append(m.text) if "Content Security Policy" in m.text else None)
    page.context.add_init_script(VIOLATIONS)
    return reported


def violations(page, reported: list[str]) -> list[str]:
    return reported + (page.evaluate("window.__csp || []"))


@pytest.mark.browser
def test_the_composer_works_under_the_csp(browser, hub_server):  # noqa: F811
    from playwright.sync_api import expect

    page = open_as(browser, hub_server, "officer")
    reported = watch(page)
    response = page.goto(hub_server.url + "/console/new")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.fill("#title", "Kiểm tra CSP")
    page.fill("#body", "Một **thử nghiệm**.")
    expect(page.locator("#preview strong")).to_have_text("thử nghiệm")
    page.select_option("#provinces", ["HNI"])
    expect(page.locator("#audience-count")).to_contain_text(re.compile(r"^\d+ platforms match"))
    page.goto(hub_server.url + "/console")
    expect(page.locator(".progress .seg").first).to_be_attached()
    page.click("a[lang=vi]")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    assert violations(page, reported) == []
    page.context.close()


@pytest.mark.browser
def test_the_dashboard_charts_draw_under_the_csp(browser, hub_server):  # noqa: F811
    from playwright.sync_api import expect

    page = open_as(browser, hub_server, "manager")
    reported = watch(page)
    response = page.goto(hub_server.url + "/dashboard")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("#chart-rates")).to_have_attribute("style", re.compile("width"))
    assert page.evaluate("Object.keys(Chart.instances).length") == 4
    assert violations(page, reported) == []
    page.context.close()


@pytest.mark.browser
def test_the_inbox_goes_live_under_the_csp(browser, hub_server):  # noqa: F811
    from playwright.sync_api import expect

    page = open_as(browser, hub_server, "editor.tin01")
    reported = watch(page)
    response = page.goto(hub_server.url + "/inbox")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("#live-status")).to_contain_text("Live")
    page.goto(hub_server.url + "/inbox/ratio")
    page.fill("#items_published", "100")
    page.fill("#negative_items", "20")
    expect(page.locator("#ratio-value")).not_to_have_text("—")
    assert page.evaluate("getComputedStyle(document.querySelector('.ratio-meter .line')).left") != "0px"
    assert violations(page, reported) == []
    page.context.close()


@pytest.mark.browser
def test_the_api_try_it_page_runs_its_script_from_a_file(browser, hub_server):  # noqa: F811
    from playwright.sync_api import expect

    page = browser.new_page()
    reported = watch(page)
    page.goto(hub_server.url + "/api/v1/swagger")
    expect(page.locator(".opblock").first).to_be_visible()
    assert violations(page, reported) == []
    page.close()
