"""In real Chromium: a hub page refuses to be framed by another site, and the main pages run under the hub's
Content-Security-Policy without a single violation (their scripts and styles come from files)."""

from __future__ import annotations

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser.test_live_pages import open_as


@pytest.fixture
def framing_site(hub_server):
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
def test_a_page_refuses_to_be_framed_by_another_site(browser, framing_site):
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
def test_the_composer_works_under_the_csp(browser, hub_server):
    from playwright.sync_api import expect

    page = open_as(browser, hub_server, "officer")
    reported = watch(page)
    response = page.goto(hub_server.url + "/console/new")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.fill("#title", "Kiểm tra CSP")
    page.fill("#body", "Một **thử nghiệm**.")
    expect(page.locator("#preview strong")).to_have_text("thử nghiệm")
    page.check("#provinces input[value=HNI]")
    expect(page.locator("#audience-count")).to_contain_text(re.compile(r"^\d+ platforms match"))
    page.goto(hub_server.url + "/console")
    expect(page.locator(".progress .seg").first).to_be_attached()
    page.click("a[lang=vi]")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    assert violations(page, reported) == []
    page.context.close()


@pytest.mark.browser
def test_the_dashboard_charts_draw_under_the_csp(browser, hub_server):
    from playwright.sync_api import expect

    page = open_as(browser, hub_server, "manager")
    reported = watch(page)
    response = page.goto(hub_server.url + "/dashboard")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("#chart-rates")).to_have_attribute("style", re.compile("width"))
    assert page.evaluate("Object.keys(Chart.instances).length") == 5  # with the month-by-month trend
    assert violations(page, reported) == []
    page.context.close()


@pytest.mark.browser
def test_the_inbox_goes_live_under_the_csp(browser, hub_server):
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
def test_the_api_try_it_page_runs_its_script_from_a_file(browser, hub_server):
    from playwright.sync_api import expect

    page = browser.new_page()
    reported = watch(page)
    page.goto(hub_server.url + "/api/v1/swagger")
    expect(page.locator(".opblock").first).to_be_visible()
    assert violations(page, reported) == []
    page.close()
