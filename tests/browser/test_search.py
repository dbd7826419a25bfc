"""The search boxes in Chromium, in English and Vietnamese: the officer's directive list, the editor's inbox and the
manager's log find the demo directives by words typed without diacritics (or in capitals). The words are chosen so
that the long demo dispatch (sent to all) does not hold them all."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.layout import assert_fits
from tests.browser.login import signed_in_page

pytestmark = pytest.mark.browser

DRILL = "Diễn tập: phản ứng nhanh với tin giả"  # demo: an exercise to social networks
SENSATIONAL = "Chấn chỉnh việc đăng tải tin giật gân"  # demo: to Hanoi's platforms; "gây sốc" in its body


def signed_in(browser, hub_server, login: str, lang: str, width: int = 1280) -> Page:
    context = browser.new_context(locale="en-US" if lang == "en" else "vi-VN", viewport={"width": width, "height": 900})
    return signed_in_page(context, hub_server, login, lang)


def search(page: Page, label: str, words: str) -> None:
    page.get_by_label(label).fill(words)
    page.get_by_label(label).press("Enter")
    page.wait_for_load_state("domcontentloaded")


def test_the_officer_finds_a_directive_without_typing_diacritics(browser, hub_server):
    page = signed_in(browser, hub_server, "officer", "en")
    page.goto(hub_server.url + "/console")

    search(page, "Search", "phan ung nhanh")

    expect(page).to_have_url(re.compile(r"[?&]q=phan\+ung\+nhanh"))
    expect(page.locator(".directive-card strong")).to_have_text([DRILL])
    search(page, "Search", "phan ung nhanh 2099")
    expect(page.get_by_text("No directive holds all these words.")).to_be_visible()
    page.context.close()


def test_the_officer_searches_in_vietnamese_on_a_phone(browser, hub_server):
    page = signed_in(browser, hub_server, "officer", "vi", width=390)
    page.goto(hub_server.url + "/console")

    search(page, "Tìm kiếm", "PHẢN UNG NHANH")

    expect(page.locator(".directive-card strong")).to_have_text([DRILL])
    assert_fits(page)
    search(page, "Tìm kiếm", "khong co tu nay")
    expect(page.get_by_text("Không có chỉ đạo nào chứa đủ các từ này.")).to_be_visible()
    page.context.close()


@pytest.mark.parametrize(
    ("lang", "label", "empty"),
    [
        ("en", "Search", "No directive holds all these words."),
        ("vi", "Tìm kiếm", "Không có chỉ đạo nào chứa đủ các từ này."),
    ],
)
def test_the_editor_searches_the_inbox(browser, hub_server, lang, label, empty):
    page = signed_in(browser, hub_server, "editor.tin01", lang)
    page.goto(hub_server.url + "/inbox")

    search(page, label, "tin giat gan gay soc")

    expect(page.locator("#inbox-rows tr a")).to_have_text([SENSATIONAL])
    search(page, label, "dinh huong (gui nham)")  # sent to Ho Chi Minh City's platforms only: not in this inbox
    expect(page.locator("#inbox-rows tr.empty")).to_have_text(empty)
    page.context.close()


def test_the_manager_searches_the_log_by_the_directive_s_words(browser, hub_server):
    page = signed_in(browser, hub_server, "manager", "vi")
    page.goto(hub_server.url + "/dashboard/log")
    everything = page.locator("tbody tr").count()

    search(page, "Tìm kiếm", "gay soc")

    links = page.locator("tbody tr td:last-child a")
    expect(links.first).to_be_visible()
    assert len(set(links.all_text_contents())) == 1  # every event shown is about that one directive
    assert page.locator("tbody tr").count() <= everything
    expect(page.locator("#csv-export")).to_have_attribute("href", re.compile(r"q=gay"))
    page.context.close()
