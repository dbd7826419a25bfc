"""Real Chromium against a real hub: a directive published on the console reaches the right editors live, their
answers move the officer's progress without a reload, and the manager's dashboard and CSV export agree."""

from __future__ import annotations

import csv
import io
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hub.core import dashboard
from hub.core.access import Principal
from hub.db import make_engine, read_session
from hub.demo import DEMO_PASSWORD
from hub.models import OrgKind, Role
from tests.browser.layout import assert_fits
from tests.browser.login import signed_in_page

pytestmark = pytest.mark.browser

HANOI_EDITOR = "editor.tin01"  # platform P-TIN01, Hanoi
HANOI_PLATFORM = "P-TIN01"
HCMC_EDITOR = "editor.mxh03"  # platform P-MXH03, Ho Chi Minh City


def open_as(browser, hub_server, login: str, lang: str = "en") -> Page:
    """A new browser context (its own cookies) signed in as ``login``."""
    context = browser.new_context(locale="en-US" if lang == "en" else "vi-VN", viewport={"width": 1280, "height": 900})
    return signed_in_page(context, hub_server, login, lang)


def wait_live(page: Page) -> None:
    """The inbox page says it is live once its socket has connected."""
    expect(page.locator("#live-status")).to_contain_text("Live")


@pytest.fixture(scope="module")
def published(browser, hub_server, artifacts):
    """Editors wait on their inboxes; the officer composes and publishes to Hanoi from the console."""
    hanoi = open_as(browser, hub_server, HANOI_EDITOR)
    hcmc = open_as(browser, hub_server, HCMC_EDITOR)
    for page in (hanoi, hcmc):
        expect(page).to_have_url(re.compile(r"/inbox$"))
        wait_live(page)
    officer = open_as(browser, hub_server, "officer")
    expect(officer).to_have_url(re.compile(r"/console$"))
    officer.screenshot(path=artifacts / "console-list.png", full_page=True)
    title = f"Gỡ bỏ tin giả {uuid.uuid4().hex[:6]}"
    officer.goto(hub_server.url + "/console/new")
    officer.fill("#title", title)
    officer.fill("#body", "Đề nghị **gỡ ngay** các tin sai sự thật.")
    expect(officer.locator("#preview strong")).to_have_text("gỡ ngay")
    officer.check("#provinces input[value=HNI]")
    expect(officer.locator("#audience-count")).to_contain_text(re.compile(r"^\d+ platforms match"))
    officer.screenshot(path=artifacts / "console-compose.png", full_page=True)
    officer.click("button[name=action][value=publish]")
    expect(officer.locator(".flash.success")).to_contain_text("Published to")
    directive_id = int(re.search(r"/console/directives/(\d+)", officer.url).group(1))
    officer.evaluate("window.__noReload = true")
    return {"title": title, "id": directive_id, "officer": officer, "hanoi": hanoi, "hcmc": hcmc}


def test_editor_in_the_province_sees_the_directive_arrive_without_reloading(published, artifacts):
    hanoi = published["hanoi"]
    hanoi.evaluate("window.__noReload = true")
    row = hanoi.locator("#inbox-rows tr", has_text=published["title"])
    expect(row).to_have_count(1)
    expect(row.locator("mark.new")).to_be_visible()
    expect(hanoi.locator("#toasts .toast", has_text=published["title"])).to_be_visible()
    assert hanoi.evaluate("window.__noReload") is True
    hanoi.screenshot(path=artifacts / "inbox-live.png", full_page=True)


def test_editor_of_another_province_sees_nothing(published):
    hanoi, hcmc = published["hanoi"], published["hcmc"]
    expect(hanoi.locator("#inbox-rows tr", has_text=published["title"])).to_have_count(1)
    hcmc.reload()
    wait_live(hcmc)
    expect(hcmc.locator("#inbox-rows tr", has_text=published["title"])).to_have_count(0)
    assert hcmc.goto(hcmc.url.rsplit("/", 1)[0] + f"/inbox/{published['id']}").status == 404


def test_acknowledge_and_implement_move_the_officers_progress_live(published, artifacts):
    hanoi, officer = published["hanoi"], published["officer"]
    overview = officer.context.new_page()
    overview.goto(officer.url.split("/console/")[0] + "/console")
    listed = overview.locator(f'[data-progress="{published["id"]}"]')
    expect(listed.locator('[data-count="acknowledged"]')).to_have_text("0")
    hanoi.locator("#inbox-rows tr", has_text=published["title"]).locator("a").click()
    hanoi.click("#acknowledge")
    expect(hanoi.locator(".flash.success")).to_have_text("Acknowledged.")
    bar = officer.locator(f'[data-progress="{published["id"]}"]')
    expect(bar.locator('[data-count="acknowledged"]')).to_have_text("1")
    hanoi.check("input[name=state][value=implemented]")
    hanoi.fill("#report", "Đã gỡ 3 bài viết sai sự thật.")
    hanoi.screenshot(path=artifacts / "inbox-directive.png", full_page=True)
    hanoi.click("#status-form button[type=submit]")
    expect(hanoi.locator(".flash.success")).to_be_visible()
    expect(bar.locator('[data-count="implemented"]')).to_have_text("1")
    expect(officer.locator(f'#table-wrap tr[data-platform="{HANOI_PLATFORM}"]')).to_have_attribute(
        "data-state", "implemented"
    )
    expect(listed.locator('[data-count="implemented"]')).to_have_text("1")
    assert officer.evaluate("window.__noReload") is True
    officer.screenshot(path=artifacts / "console-directive.png", full_page=True)
    overview.close()


def test_manager_dashboard_shows_the_figures_and_csv_matches_the_log(published, browser, hub_server, artifacts):
    manager = open_as(browser, hub_server, "manager")
    expect(manager).to_have_url(re.compile(r"/dashboard$"))
    engine = make_engine(hub_server.database_url)
    reader = Principal(org_id=1, org_kind=OrgKind.REGULATOR, role=Role.MANAGER)
    from hub import clock

    with read_session(engine) as session:
        totals = dashboard.totals(session, reader, clock.now())
    engine.dispose()
    for key in ("deliveries", "acknowledged", "implemented"):
        expect(manager.locator(f"#kpi-{key}")).to_have_text(str(totals[key]))
    expect(manager.locator("#chart-rates")).to_be_visible()
    manager.screenshot(path=artifacts / "dashboard.png", full_page=True)

    manager.goto(hub_server.url + f"/dashboard/log?directive={published['id']}")
    shown = manager.locator("table tbody tr").count()
    manager.screenshot(path=artifacts / "dashboard-log.png", full_page=True)
    with manager.expect_download() as download_info:
        manager.click("#csv-export")
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == shown
    assert {r["directive_id"] for r in rows} == {str(published["id"])}
    assert {"published", "acknowledged", "status_changed"} <= {r["kind"] for r in rows}

    manager.goto(hub_server.url + f"/dashboard/directives/{published['id']}/report")
    expect(manager.locator("h1")).to_have_text("Follow-through report")
    manager.emulate_media(media="print")
    manager.screenshot(path=artifacts / "report-print.png", full_page=True)
    manager.context.close()


def test_language_switch_turns_the_pages_vietnamese_and_back(browser, hub_server, artifacts):
    page = open_as(browser, hub_server, "admin")
    expect(page.locator("h1")).to_have_text("Organisations")
    page.click("text=Tiếng Việt")
    expect(page.locator("h1")).to_have_text("Tổ chức")
    page.goto(hub_server.url + "/admin/users")
    expect(page.locator("h1")).to_have_text("Người dùng")
    page.screenshot(path=artifacts / "admin-users-vi.png", full_page=True)
    page.click("text=English")
    expect(page.locator("h1")).to_have_text("Users")
    page.context.close()


def test_phone_sized_screen_keeps_the_inbox_usable(browser, hub_server, artifacts):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True)
    page = context.new_page()
    page.goto(hub_server.url + "/login")
    expect(page.locator("h1")).to_have_text("Đăng nhập")
    page.fill("#login", "editor.tin05")
    page.fill("#password", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Hộp thư")
    page.wait_for_load_state("load")
    assert_fits(page)
    # Nothing hides in a sideways-scrolling box either: the menu and every row of the inbox fit the screen.
    widest = page.evaluate(
        "Math.max(...Array.from(document.querySelectorAll('body *'), (el) => el.getBoundingClientRect().right))"
    )
    assert widest <= 390 + 1
    expect(page.locator("#inbox-rows tr").first.locator("td[data-label]").first).to_be_visible()
    page.screenshot(path=artifacts / "inbox-phone.png", full_page=True)
    context.close()


def test_revoking_asks_for_confirmation_and_tells_the_editor_live(published, artifacts):
    officer, hanoi = published["officer"], published["hanoi"]
    hanoi.goto(hanoi.url.split("/inbox")[0] + "/inbox")
    wait_live(hanoi)
    officer.click("text=Revoke")
    expect(officer.locator("h1")).to_contain_text("Revoke")
    officer.fill("#reason", "Gửi nhầm nội dung")
    officer.click("button.danger")
    expect(officer.locator(".field-error")).to_have_text("Tick the box to confirm.")
    officer.screenshot(path=artifacts / "console-revoke.png", full_page=True)
    officer.check("#confirm")
    officer.click("button.danger")
    expect(officer.locator(".flash.success")).to_have_text("The directive was revoked.")
    expect(hanoi.locator("#toasts .toast", has_text="Gửi nhầm nội dung")).to_be_visible()
