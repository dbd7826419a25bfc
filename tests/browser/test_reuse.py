"""Real Chromium: an officer duplicates a directive as a new draft, saves one as a template and starts a new draft
from the template — in Vietnamese."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_live_pages import open_as

pytestmark = pytest.mark.browser

DEMO_DIRECTIVE = "Đẩy mạnh tuyên truyền"


def test_duplicate_and_templates_make_new_drafts(browser, hub_server, artifacts):
    officer = open_as(browser, hub_server, "officer", lang="vi")
    officer.goto(hub_server.url + "/console")
    officer.locator(".directive-card a", has_text=DEMO_DIRECTIVE).first.click()
    source_url = officer.url
    title = officer.locator("h1").inner_text()

    officer.click("#duplicate")
    expect(officer.locator(".flash.success")).to_have_text("Đã tạo bản nháp mới từ văn bản này.")
    assert officer.url != source_url and re.search(r"/console/directives/\d+$", officer.url)
    expect(officer.locator("h1")).to_have_text(title)
    expect(officer.locator("hgroup p strong")).to_have_text("Bản nháp")
    expect(officer.locator("ol.timeline li[data-event=duplicated]")).to_be_visible()

    officer.goto(source_url)
    officer.click("#reuse summary")
    officer.fill("#template-name", "Tuyên truyền hằng tháng")
    officer.click("#save-template")
    expect(officer.locator(".flash.success")).to_have_text("Đã lưu thành mẫu.")
    row = officer.locator("#templates tr", has_text="Tuyên truyền hằng tháng")
    expect(row).to_contain_text(title)
    officer.screenshot(path=artifacts / "console-templates.png", full_page=True)
    row.locator("button", has_text="Bản nháp mới").click()
    expect(officer.locator(".flash.success")).to_have_text("Đã tạo bản nháp mới từ mẫu.")
    expect(officer.locator("h1")).to_have_text(title)
    expect(officer.locator("ol.timeline li[data-event=drafted_from_template]")).to_be_visible()
    officer.context.close()
