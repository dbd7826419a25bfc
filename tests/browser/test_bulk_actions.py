"""Real Chromium: an officer reminds every overdue platform of a directive with one button, and verifies several
implementation reports at once; the log names each platform."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_live_pages import open_as

pytestmark = pytest.mark.browser

DEMO_DIRECTIVE = "Đẩy mạnh tuyên truyền"  # the demo's directive to every platform, most of them overdue


def test_one_button_reminds_every_overdue_platform_and_another_verifies_the_ticked_reports(
    browser, hub_server, artifacts
):
    officer = open_as(browser, hub_server, "officer", lang="vi")
    officer.goto(hub_server.url + "/console")
    officer.locator(".directive-card a", has_text=DEMO_DIRECTIVE).first.click()
    button = officer.locator("#remind-overdue")
    overdue = int(re.search(r"\((\d+)\)", button.inner_text()).group(1))
    assert overdue > 1
    button.click()
    expect(officer.locator(".flash.success")).to_have_text(f"Đã nhắc nhở {overdue} nền tảng.")
    reminded = officer.locator("ol.timeline li[data-event=reminded]")
    expect(reminded.first.locator(".platform")).not_to_be_empty()
    expect(reminded.first.locator(".actor")).not_to_contain_text("user:")

    ticks = officer.locator("#table-wrap input[name=delivery_id]")
    if ticks.count() < 2:
        officer.select_option("select[name=state]", "implemented")
        officer.click("form.filters button[type=submit]")
    assert ticks.count() >= 2
    ticks.nth(0).check()
    ticks.nth(1).check()
    officer.click("#verify-selected")
    expect(officer.locator(".flash.success")).to_have_text("Đã xác minh 2 báo cáo.")
    officer.screenshot(path=artifacts / "console-bulk-actions.png", full_page=True)
    officer.click("#verify-selected")  # nothing ticked: a clear message, nothing done
    expect(officer.locator(".flash.error")).to_have_text("Hãy chọn các báo cáo cần xác minh trước.")
    officer.context.close()
