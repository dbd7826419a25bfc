"""The log page in Chromium, as a manager audits it in Vietnamese: an event chosen by its translated name, a
directive by the reference number the page shows, the organisation of each row; a reference that names nothing
is said, not ignored. Also at a phone's width."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from hub.db import make_engine
from tests.browser.test_live_pages import open_as

pytestmark = pytest.mark.browser


def a_published_reference(hub_server) -> str:
    engine = make_engine(hub_server.database_url)
    with engine.connect() as conn:
        ref = conn.execute(
            sa.text(
                "SELECT ref_no FROM directive WHERE status = 'published' AND ref_no IS NOT NULL ORDER BY id LIMIT 1"
            )
        ).scalar_one()
    engine.dispose()
    return ref


@pytest.mark.parametrize("width", [1280, 390])
def test_a_manager_filters_the_log_by_translated_event_and_reference_number(browser, hub_server, artifacts, width):
    ref = a_published_reference(hub_server)
    page = open_as(browser, hub_server, "manager", lang="vi")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(hub_server.url + "/dashboard/log")
    page.select_option("#log-kind", label="Đã phát hành")
    page.fill("#log-directive", ref)
    page.click("#log-filters button[type=submit]")
    rows = page.locator("table tbody tr")
    expect(rows.first).to_contain_text(ref)
    assert rows.count() >= 1
    for n in range(rows.count()):
        expect(rows.nth(n)).to_contain_text("Đã phát hành")
        expect(rows.nth(n)).to_contain_text(ref)
    expect(page.locator(".log-org").first).not_to_be_empty()
    expect(page.locator("#log-kind")).to_have_value("published")
    page.screenshot(path=artifacts / f"log-filtered-{width}.png", full_page=True)

    page.fill("#log-directive", "999/KHONG-CO")
    page.click("#log-filters button[type=submit]")
    expect(page.locator(".log-filter-problem")).to_contain_text("999/KHONG-CO")
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table tbody")).to_contain_text("Không có sự kiện phù hợp.")
    page.context.close()
