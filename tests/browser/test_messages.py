"""Real Chromium, Vietnamese pages: refusals speak Vietnamese with the values a person knows, and a refused form
comes back after a reload or a language switch (Post/Redirect/Get) instead of a 405."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.layout import assert_fits
from tests.browser.login import signed_in_page

pytestmark = pytest.mark.browser


def sign_in(browser, hub_server, login: str, lang: str = "vi", width: int = 1280) -> Page:
    """A new browser context (its own cookies) reading the hub in ``lang``, signed in as ``login``."""
    context = browser.new_context(locale="vi-VN" if lang == "vi" else "en-US", viewport={"width": width, "height": 900})
    return signed_in_page(context, hub_server, login, lang)


def switch_to_english(page: Page):
    with page.expect_navigation() as navigation:
        page.click(".lang a[lang=en]")
    return navigation.value


def test_a_refused_directive_comes_back_after_a_reload_and_a_language_switch(browser, hub_server):
    officer = sign_in(browser, hub_server, "officer")
    officer.goto(hub_server.url + "/console/new")
    title = f"Chỉ đạo {uuid.uuid4().hex[:6]}"
    officer.fill("#title", title)
    officer.fill("#body", "Nội dung chỉ đạo.")
    officer.uncheck("#audience_all")
    officer.fill("#platforms", "P-TIN01, P-KHONGCO")
    officer.click("button[name=action][value=publish]")
    alert = officer.locator(".form-errors")
    expect(alert).to_contain_text("Không có nền tảng nào mang mã: P-KHONGCO")
    expect(officer).to_have_url(re.compile(r"/console/new\?held="))
    reloaded = officer.reload()
    assert reloaded.status == 422  # the refused form again, not "405 Method Not Allowed"
    expect(alert).to_contain_text("Không có nền tảng nào mang mã: P-KHONGCO")
    expect(officer.locator("#title")).to_have_value(title)
    english = switch_to_english(officer)
    assert english.status == 422
    expect(alert).to_contain_text("Unknown platforms: P-KHONGCO")
    expect(officer.locator("#title")).to_have_value(title)
    expect(officer.locator("#platforms")).to_have_value("P-TIN01, P-KHONGCO")
    officer.context.close()


def _published_to_tin01(browser, hub_server) -> int:
    officer = sign_in(browser, hub_server, "officer", lang="en")
    officer.goto(hub_server.url + "/console/new")
    officer.fill("#title", f"Báo cáo việc gỡ tin {uuid.uuid4().hex[:6]}")
    officer.fill("#body", "Gỡ tin và báo cáo.")
    officer.uncheck("#audience_all")
    officer.fill("#platforms", "P-TIN01")
    officer.click("button[name=action][value=publish]")
    expect(officer.locator(".flash.success")).to_be_visible()
    directive_id = int(re.search(r"/console/directives/(\d+)", officer.url).group(1))
    officer.context.close()
    return directive_id


def test_a_refused_status_report_stays_on_the_inbox_page_after_a_reload_and_a_language_switch(browser, hub_server):
    directive_id = _published_to_tin01(browser, hub_server)
    editor = sign_in(browser, hub_server, "editor.tin01", width=390)
    editor.goto(f"{hub_server.url}/inbox/{directive_id}")
    editor.check("#status-form input[value=implemented]")
    editor.click("#status-form button[type=submit]")
    alert = editor.locator("#status-form .form-errors")
    expect(alert).to_contain_text("Báo đã thực hiện cần có báo cáo về việc đã làm")
    expect(editor).to_have_url(re.compile(rf"/inbox/{directive_id}\?held=[\w-]+(#|$)"))
    assert editor.reload().status == 422
    expect(alert).to_contain_text("Báo đã thực hiện cần có báo cáo về việc đã làm")
    expect(editor.locator("#status-form input[value=implemented]")).to_be_checked()
    switch_to_english(editor)
    expect(alert).to_contain_text("Reporting implemented needs a report of what was done")
    editor.context.close()


def test_an_existing_platform_code_is_refused_in_vietnamese_with_the_code(browser, hub_server):
    admin = sign_in(browser, hub_server, "admin")
    admin.goto(hub_server.url + "/admin/organisations")
    admin.fill("#code", "P-TIN01")
    admin.fill("#name", "Trang trùng mã")
    admin.click("#register ~ form button[type=submit]")
    expect(admin.locator(".form-errors")).to_contain_text("Đã có tổ chức mang mã P-TIN01")
    expect(admin.locator("#name")).to_have_value("Trang trùng mã")
    admin.context.close()


def test_a_missing_directive_is_a_vietnamese_page_without_the_internal_id(browser, hub_server):
    officer = sign_in(browser, hub_server, "officer")
    response = officer.goto(hub_server.url + "/console/directives/987654")
    assert response.status == 404
    alert = officer.locator("[role=alert]")
    expect(alert).to_contain_text("Văn bản này không tồn tại hoặc bạn không có quyền xem")
    expect(alert).not_to_contain_text("987654")
    officer.context.close()


def test_opening_a_form_address_directly_is_a_translated_page_with_a_way_back(browser, hub_server):
    editor = sign_in(browser, hub_server, "editor.tin01")
    response = editor.goto(hub_server.url + "/inbox/1/status", referer=hub_server.url + "/inbox")  # a bookmark
    assert response.status == 405
    expect(editor.locator("h1")).to_have_text("Địa chỉ này không mở trực tiếp được")
    expect(editor.locator("[role=alert]")).to_contain_text("chỉ nhận dữ liệu gửi từ biểu mẫu")
    expect(editor.get_by_role("link", name="Quay lại trang trước")).to_have_attribute("href", "/inbox")
    editor.context.close()


def test_a_month_of_figures_is_filed_and_corrected_as_vietnamese_write_numbers(browser, hub_server):
    editor = sign_in(browser, hub_server, "editor.tin01", width=390)
    editor.goto(hub_server.url + "/inbox/ratio")
    editor.fill("#month", "2019-03")
    editor.fill("#items_published", "1.200")
    editor.fill("#negative_items", "300")
    expect(editor.locator("#ratio-value")).to_have_text("25,0 %")
    editor.click("#ratio-form button[type=submit]")
    expect(editor.locator(".flash.success")).to_contain_text("Đã ghi nhận báo cáo: 25,0 %.")
    row = editor.locator("#ratio-history tr", has_text="03/2019")
    expect(row).to_contain_text("1.200")
    row.get_by_role("link", name="Sửa").click()
    expect(editor.locator("#correcting")).to_be_visible()
    expect(editor.locator("#items_published")).to_have_value("1.200")
    editor.fill("#negative_items", "60")
    editor.click("#ratio-form button[type=submit]")
    expect(editor.locator(".flash.success")).to_contain_text("Đã ghi nhận bản sửa: 5,0 %.")
    expect(editor.locator("#ratio-history tr", has_text="03/2019")).to_contain_text("5,0 %")
    assert_fits(editor)
    editor.context.close()


def test_an_admin_changes_a_role_and_revokes_a_token_only_after_saying_yes(browser, hub_server):
    admin = sign_in(browser, hub_server, "admin")
    admin.goto(hub_server.url + "/admin/users?q=manager.hni")
    row = admin.locator("tr", has_text="manager.hni")
    row.get_by_label("Vai trò của manager.hni").select_option("officer")
    row.get_by_role("button", name="Đổi vai trò").click()
    expect(admin.locator(".flash.success")).to_contain_text("Đã đổi vai trò")
    expect(admin.locator("tr", has_text="manager.hni")).to_contain_text("Cán bộ")
    editor = sign_in(browser, hub_server, "editor.tin02")
    editor.goto(hub_server.url + "/inbox/tokens")
    label = f"CMS {uuid.uuid4().hex[:6]}"
    editor.fill("#label", label)
    editor.click("form.inline-form button[type=submit]")
    expect(editor.locator("#token-secret")).to_be_visible()
    editor.context.close()
    admin.goto(hub_server.url + "/admin/tokens")
    live = admin.locator("tbody tr", has_text=label)
    live.get_by_role("button", name="Thu hồi").click()  # the browser asks for the box first: nothing is sent
    expect(admin.locator(".flash.success")).to_have_count(0)
    live.get_by_label(f"Đồng ý thu hồi {label}").check()
    live.get_by_role("button", name="Thu hồi").click()
    expect(admin.locator(".flash.success")).to_be_visible()
    expect(admin.locator("tbody tr", has_text=label)).to_contain_text("Đã thu hồi")
    admin.context.close()
