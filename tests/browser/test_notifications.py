"""System notifications on the editor's inbox (issue 11 item 4): an editor who allowed them gets one for a new
directive or a reminder while the inbox is in a background tab; the tab's title carries the unread count; the
control allows and stops them, in both languages. Notifications are observed by wrapping the browser's own
``Notification`` constructor (the real one still runs), in a context granted the ``notifications`` permission."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.layout import assert_fits
from tests.browser.login import signed_in_page

pytestmark = pytest.mark.browser

EDITOR = "editor.tin01"  # platform P-TIN01, Hanoi
PLATFORM = "P-TIN01"
RECORD_NOTIFICATIONS = """
(() => {
  const Real = window.Notification;
  if (typeof Real !== "function") return;
  window.__notes = [];
  window.Notification = class extends Real {
    constructor(title, options) {
      super(title, options);
      window.__notes.push({ title: title, body: (options || {}).body || "", tag: (options || {}).tag || "" });
    }
  };
})();
"""


def editor_inbox(browser, hub_server, lang: str = "en", width: int = 1280, grant: bool = True) -> Page:
    """The editor's inbox in a context that records notifications; the page's focus is the real one (Playwright
    otherwise tells every page it has the focus), so another tab brought to front puts the inbox in the
    background."""
    context = browser.new_context(
        locale="en-US" if lang == "en" else "vi-VN",
        viewport={"width": width, "height": 900},
        permissions=["notifications"] if grant else [],
    )
    context.add_init_script(RECORD_NOTIFICATIONS)
    page = signed_in_page(context, hub_server, EDITOR, lang)
    page.goto(hub_server.url + "/inbox")
    context.new_cdp_session(page).send("Emulation.setFocusEmulationEnabled", {"enabled": False})
    expect(page.locator("#live-status")).to_contain_text("Live" if lang == "en" else "Trực tuyến")
    return page


def to_background(page: Page) -> Page:
    """Another tab of the same browser comes to front; the inbox stays open behind it."""
    other = page.context.new_page()
    other.goto("about:blank")
    other.bring_to_front()
    assert page.evaluate("document.hasFocus()") is False
    return other


def publish_to_hanoi(officer: Page, hub_server, title: str) -> int:
    officer.goto(hub_server.url + "/console/new")
    officer.fill("#title", title)
    officer.fill("#body", "Đề nghị gỡ ngay các tin sai sự thật.")
    officer.check("#provinces input[value=HNI]")
    officer.click("button[name=action][value=publish]")
    expect(officer.locator(".flash.success")).to_be_visible()
    return int(re.search(r"/console/directives/(\d+)", officer.url).group(1))


def notes(page: Page) -> list[dict]:
    return page.evaluate("window.__notes")


def test_an_editor_who_allowed_them_is_notified_in_a_background_tab(browser, hub_server):
    inbox = editor_inbox(browser, hub_server)
    officer = signed_in_page(browser.new_context(viewport={"width": 1280, "height": 900}), hub_server, "officer", "en")
    expect(inbox.locator("#notify-state")).to_have_text("System notifications are off.")
    inbox.click("#notify-toggle")
    expect(inbox.locator("#notify-toggle")).to_have_text("Stop notifications")
    expect(inbox.locator("#notify-state")).to_contain_text("System notifications are on")
    unread = int(inbox.locator("#unread-count").text_content())
    expect(inbox).to_have_title(re.compile(rf"^\({unread}\) Inbox · " if unread else r"^Inbox · "))

    to_background(inbox)
    title = f"Cảnh báo bão số 15 {uuid.uuid4().hex[:6]}"
    directive_id = publish_to_hanoi(officer, hub_server, title)
    inbox.wait_for_function("window.__notes.length === 1")
    assert notes(inbox)[0]["title"] == f"New directive: {title}"
    assert notes(inbox)[0]["tag"] == f"directive-{directive_id}"
    expect(inbox).to_have_title(re.compile(rf"^\({unread + 1}\) Inbox · Directive Hub$"))

    officer.locator(f'tr[data-platform="{PLATFORM}"] button', has_text="Remind").click()
    expect(officer.locator(".flash.success")).to_be_visible()
    inbox.wait_for_function("window.__notes.length === 2")
    assert notes(inbox)[1]["title"] == f"Reminder: {title}"
    assert "Acknowledgement due" in notes(inbox)[1]["body"]

    inbox.bring_to_front()  # in front: the toast says it, no system notification
    officer.locator(f'tr[data-platform="{PLATFORM}"] button', has_text="Remind").click()
    expect(inbox.locator("#toasts .toast", has_text=f"Reminder: {title}")).to_have_count(2)
    assert len(notes(inbox)) == 2

    inbox.click("#notify-toggle")  # stopped: nothing more, even in the background
    expect(inbox.locator("#notify-toggle")).to_have_text("Allow notifications")
    to_background(inbox)
    publish_to_hanoi(officer, hub_server, f"Sau khi tắt thông báo {uuid.uuid4().hex[:6]}")
    expect(inbox).to_have_title(re.compile(rf"^\({unread + 2}\) Inbox"))
    assert len(notes(inbox)) == 2
    inbox.context.close()
    officer.context.close()


def test_the_control_speaks_vietnamese_and_fits_a_phone(browser, hub_server):
    inbox = editor_inbox(browser, hub_server, lang="vi", width=390)

    expect(inbox.locator("#notify-toggle")).to_have_text("Cho phép thông báo")
    expect(inbox.locator("#notify-state")).to_have_text("Thông báo hệ thống đang tắt.")
    inbox.click("#notify-toggle")
    expect(inbox.locator("#notify-toggle")).to_have_text("Tắt thông báo")
    expect(inbox.locator("#notify-state")).to_contain_text("Thông báo hệ thống đang bật")
    expect(inbox).to_have_title(re.compile(r"Hộp thư"))
    assert_fits(inbox)
    inbox.reload()  # the choice is kept in this browser
    expect(inbox.locator("#notify-toggle")).to_have_text("Tắt thông báo")
    inbox.context.close()


def test_a_browser_that_refuses_permission_says_so(browser, hub_server):
    # Headless Chromium refuses a permission the context was not granted, as a browser does once the editor said no.
    inbox = editor_inbox(browser, hub_server, grant=False)

    assert inbox.evaluate("Notification.permission") == "denied"
    expect(inbox.locator("#notify-state")).to_have_text(
        "Notifications are blocked for this site in the browser settings."
    )
    expect(inbox.locator("#notify-toggle")).to_be_hidden()
    inbox.context.close()
