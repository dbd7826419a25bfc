"""Real Chromium: an editor sees what each directive is due by, which are overdue, and sorts and filters the inbox by
deadline and state — in English and in Vietnamese, and on a phone."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.layout import assert_fits
from tests.browser.test_live_pages import HANOI_EDITOR, open_as
from tests.browser.test_questions import publish_to_hanoi

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def fresh_title(browser, hub_server) -> str:
    """A directive to Hanoi with the default (future) deadlines, beside the demo's overdue ones."""
    officer = open_as(browser, hub_server, "officer")
    title = f"Hạn mới {uuid.uuid4().hex[:6]}"
    publish_to_hanoi(officer, hub_server, title)
    officer.context.close()
    return title


@pytest.mark.parametrize(
    ("lang", "due", "overdue", "soonest"),
    [("en", "Due", "Overdue", "Due soonest"), ("vi", "Hạn", "Quá hạn", "Hạn gần nhất trước")],
)
def test_the_inbox_shows_deadlines_and_overdue_and_sorts_by_deadline(
    browser, hub_server, artifacts, fresh_title, lang, due, overdue, soonest
):
    editor = open_as(browser, hub_server, HANOI_EDITOR, lang=lang)
    editor.goto(hub_server.url + "/inbox")
    expect(editor.locator("table.inbox thead th").nth(4)).to_have_text(due)
    fresh = editor.locator("#inbox-rows tr", has_text=fresh_title)
    expect(fresh.locator("td.due")).not_to_contain_text(overdue)
    late = editor.locator("#inbox-rows tr[data-overdue]")
    expect(late.first.locator("td.due mark.state.overdue")).to_have_text(overdue)

    editor.select_option("select[name=sort]", label=soonest)
    editor.click("form.filters button[type=submit]")
    expect(editor).to_have_url(re.compile(r"/inbox\?(q=&)?state=&sort=due$"))
    dues = [d for d in editor.locator("#inbox-rows tr").evaluate_all("rows => rows.map(r => r.dataset.due)")]
    owed = [d for d in dues if d]
    assert owed and owed == sorted(owed) and dues[: len(owed)] == owed  # soonest first, nothing owed at the end

    editor.select_option("select[name=state]", "overdue")
    editor.click("form.filters button[type=submit]")
    rows = editor.locator("#inbox-rows tr")
    expect(rows.first).to_have_attribute("data-overdue", "")
    assert rows.count() == late.count() and editor.locator("#inbox-rows tr", has_text=fresh_title).count() == 0
    editor.screenshot(path=artifacts / f"inbox-deadlines-{lang}.png", full_page=True)
    editor.context.close()


def test_on_a_phone_each_row_shows_its_deadline_without_widening_the_page(browser, hub_server, artifacts, fresh_title):
    editor = open_as(browser, hub_server, HANOI_EDITOR, lang="vi")
    editor.set_viewport_size({"width": 390, "height": 844})
    editor.goto(hub_server.url + "/inbox?sort=due")
    cell = editor.locator("#inbox-rows tr", has_text=fresh_title).locator("td.due")
    expect(cell).to_be_visible()
    expect(cell).to_have_attribute("data-label", "Hạn")
    assert_fits(editor)
    widest = editor.evaluate(
        "Math.max(...Array.from(document.querySelectorAll('body *'), (el) => el.getBoundingClientRect().right))"
    )
    assert widest <= 390 + 1  # nothing hides in a sideways-scrolling box either
    editor.screenshot(path=artifacts / "inbox-deadlines-phone.png", full_page=True)
    editor.context.close()
