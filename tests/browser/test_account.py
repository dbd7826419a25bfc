"""Real Chromium, the "My account" page: an editor chooses the daily digest and a language, the page says it was
saved and shows the choice again after a reload, in Vietnamese and in English, and the form fits a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_messages import sign_in

pytestmark = pytest.mark.browser


def choose(page: Page, hub_server, notices: str, language: str) -> None:
    page.goto(hub_server.url + "/account/preferences")
    page.check(f"input[name=notices][value={notices}]")
    page.select_option("select[name=locale]", language)
    with page.expect_navigation():
        page.click("#preferences button[type=submit]")


def test_an_editor_chooses_the_daily_digest_in_vietnamese(browser, hub_server):
    page = sign_in(browser, hub_server, "editor.tin04", "vi")
    page.goto(hub_server.url + "/account/preferences")
    expect(page.locator("h1")).to_have_text("Tài khoản của tôi")
    expect(page.locator("#notices-group")).to_contain_text("Tổng hợp mỗi ngày một thư")
    choose(page, hub_server, "digest", "vi")
    expect(page.get_by_text("Đã lưu tuỳ chọn của bạn.")).to_be_visible()
    page.reload()
    expect(page.locator("input[name=notices][value=digest]")).to_be_checked()
    expect(page.locator("select[name=locale]")).to_have_value("vi")
    expect(page.get_by_text("Đã lưu tuỳ chọn của bạn.")).to_have_count(0)  # said once, not on every visit
    page.context.close()


def test_an_editor_chooses_the_daily_digest_in_english(browser, hub_server):
    page = sign_in(browser, hub_server, "editor.mxh03", "vi")
    choose(page, hub_server, "digest", "en")  # the page follows the language chosen
    expect(page.get_by_text("Your preferences were saved.")).to_be_visible()
    expect(page.locator("h1")).to_have_text("My account")
    page.reload()
    expect(page.locator("input[name=notices][value=digest]")).to_be_checked()
    expect(page.locator("select[name=locale]")).to_have_value("en")
    choose(page, hub_server, "immediate", "")  # as it was: other tests read this editor's pages in Vietnamese
    expect(page.get_by_text("Đã lưu tuỳ chọn của bạn.")).to_be_visible()
    page.context.close()


def test_the_form_is_usable_at_phone_width(browser, hub_server):
    page = sign_in(browser, hub_server, "editor.mxh06", "vi", width=390)
    page.goto(hub_server.url + "/account/preferences")
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths  # no horizontal scroll
    for option in ("immediate", "digest", "off"):
        box = page.locator(f"input[name=notices][value={option}]").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    save = page.locator("#preferences button[type=submit]")
    box = save.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    choose(page, hub_server, "off", "vi")
    expect(page.get_by_text("Đã lưu tuỳ chọn của bạn.")).to_be_visible()
    page.context.close()
