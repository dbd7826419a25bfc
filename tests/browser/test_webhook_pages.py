"""The webhook pages in Chromium: an editor registers its platform's webhook on a phone-sized screen in Vietnamese
and copies the secret shown once; the admin's list shows it in English."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hub.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser
EDITOR = "editor.tin02"
URL = "https://93.184.216.34/a-rather-long-path/for-the-directive-hub/webhook-receiver?token=abcdef0123456789"


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    widest = page.evaluate(
        "Math.max(...Array.from(document.querySelectorAll('body *'), (el) => el.getBoundingClientRect().right))"
    )
    assert widest <= width + 1


def test_an_editor_registers_a_webhook_on_a_phone_in_vietnamese(browser, hub_server, artifacts):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True)
    context.add_cookies([{"name": "lang", "value": "vi", "url": hub_server.url}])
    page = context.new_page()
    page.goto(hub_server.url + "/login")
    page.fill("#login", EDITOR)
    page.fill("#password", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(hub_server.url + "/inbox/webhook")
    expect(page.locator("h1")).to_have_text("Webhook")
    page.fill("#url", "https://10.0.0.8/x")
    page.click("text=Đăng ký webhook")
    expect(page.locator(".form-errors")).to_contain_text("10.0.0.8")
    page.fill("#url", URL)
    page.click("text=Đăng ký webhook")
    expect(page.locator("#webhook-secret")).to_contain_text("whsec_")
    expect(page.locator(".webhook")).to_contain_text("Lần gửi gần nhất")
    page.wait_for_load_state("load")
    fits(page, 390)
    page.screenshot(path=artifacts / "webhook-phone-vi.png", full_page=True)
    page.reload()
    expect(page.locator("#webhook-secret")).to_have_count(0)
    context.close()


def test_the_admin_sees_every_webhook_in_english(browser, hub_server, artifacts):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True)
    context.add_cookies([{"name": "lang", "value": "en", "url": hub_server.url}])
    page = context.new_page()
    page.goto(hub_server.url + "/login")
    page.fill("#login", "admin")
    page.fill("#password", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(hub_server.url + "/admin/webhooks")
    expect(page.locator("h1")).to_have_text("Webhooks")
    expect(page.locator("text=Register a webhook for a platform")).to_be_visible()
    expect(page.locator("label", has_text="Allow internal addresses")).to_be_visible()
    page.wait_for_load_state("load")
    fits(page, 390)
    page.screenshot(path=artifacts / "webhooks-admin-en.png", full_page=True)
    context.close()
