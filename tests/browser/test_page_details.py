"""Details a reader notices (issue 10 item 14), in real Chromium against the demo hub: dates nobody can misread,
provinces in Vietnamese order, phone-width pages whose actions stay on screen, a visible focus ring on secondary
buttons, data tables behind the charts, and a province picker that works from the keyboard."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from hub import clock
from hub.db import make_engine
from hub.models import Delivery, DeliveryState, Directive, DirectiveStatus
from tests.browser.layout import assert_fits
from tests.browser.login import signed_in_page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
US_SHORT_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2}\b")


def signed_in(browser, hub_server, login: str, lang: str = "en", viewport: dict | None = None) -> Page:
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
    return signed_in_page(context, hub_server, login, lang)


@pytest.fixture(scope="module")
def escalated(hub_server) -> int:
    """One open delivery of a published directive, escalated (the demo data has none): its directive's id."""
    engine = make_engine(hub_server.database_url)
    now = clock.now()
    table, directives = Delivery.__table__, Directive.__table__
    with engine.begin() as conn:
        delivery_id, directive_id = conn.execute(
            sa.select(table.c.id, table.c.directive_id)
            .join(directives, directives.c.id == table.c.directive_id)
            .where(directives.c.status == DirectiveStatus.PUBLISHED.value, directives.c.superseded_by_id.is_(None))
            .order_by(table.c.id)
            .limit(1)
        ).one()
        conn.execute(
            table.update()
            .where(table.c.id == delivery_id)
            .values(state=DeliveryState.DELIVERED.value, due_at=now - timedelta(days=2), escalated_at=now)
        )
    engine.dispose()
    return directive_id


def test_english_pages_write_dates_with_the_month_in_words_and_vietnamese_pages_day_first(browser, hub_server):
    english = signed_in(browser, hub_server, "officer", "en")
    text = english.locator("main").inner_text()
    assert re.search(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}, \d{2}:\d{2}\b", text)
    assert not US_SHORT_DATE.search(text)
    assert not re.search(r"\b(AM|PM)\b", text)
    vietnamese = signed_in(browser, hub_server, "officer", "vi")
    assert re.search(r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b", vietnamese.locator("main").inner_text())


def test_provinces_are_listed_in_vietnamese_alphabetical_order(browser, hub_server):
    page = signed_in(browser, hub_server, "officer", "vi")
    page.goto(hub_server.url + "/console/new")
    names = page.locator("#provinces label").all_inner_texts()
    assert len(names) == 34
    assert names.index("Thành phố Hà Nội") < names.index("Thành phố Huế") < names.index("Tỉnh Hưng Yên")
    assert names[0] == "Tỉnh An Giang"
    assert names.index("Thành phố Đà Nẵng") < names.index("Tỉnh Gia Lai")  # đ right after d, not after y
    page.goto(hub_server.url + "/dashboard/log")
    options = page.locator("select[name=province] option").all_inner_texts()[1:]
    assert options == names


def test_the_province_picker_needs_no_mouse(browser, hub_server):
    page = signed_in(browser, hub_server, "officer", "en")
    page.goto(hub_server.url + "/console/new")
    expect(page.get_by_text("Ctrl-click")).to_have_count(0)
    hanoi = page.get_by_label("Hanoi", exact=True)
    hanoi.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    checked = page.locator("#provinces input:checked")
    expect(checked).to_have_count(2)
    assert checked.first.get_attribute("value") == "HNI"
    expect(page.locator("#audience-count")).to_contain_text(re.compile(r"^\d+ platforms match"))


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_at_phone_width_the_follow_through_pages_fit_and_their_actions_are_on_screen(
    browser, hub_server, escalated, lang
):
    page = signed_in(browser, hub_server, "officer", lang, viewport=PHONE)
    pages = {
        f"/console/directives/{escalated}": "#table-wrap button",
        "/console/escalations": "main table button",
        f"/dashboard/directives/{escalated}/report": "button[data-print]",
    }
    for path, action in pages.items():
        page.goto(hub_server.url + path)
        assert_fits(page, PHONE["width"])
        button = page.locator(action).first
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (path, box)
        wide = page.evaluate(
            "() => Array.from(document.querySelectorAll('main *')).filter("
            "(el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length"
        )
        assert wide == 0, path


def test_a_secondary_button_shows_a_clear_focus_ring_from_the_keyboard(browser, hub_server, escalated):
    page = signed_in(browser, hub_server, "officer", "en")
    page.goto(hub_server.url + f"/console/directives/{escalated}")
    target = page.locator("form.filters button.secondary")
    page.locator("form.filters input[name=q]").focus()
    page.keyboard.press("Tab")
    expect(target).to_be_focused()
    ring = target.evaluate("(el) => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth]; }")
    assert ring[0] == "solid" and float(ring[1].rstrip("px")) >= 2


def test_every_chart_has_a_data_table_with_its_figures(browser, hub_server):
    page = signed_in(browser, hub_server, "manager", "vi")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    for chart in ("rates", "ack", "overdue", "ratio"):
        canvas = page.locator(f"#chart-{chart}")
        assert canvas.get_attribute("aria-describedby") == f"table-{chart}"
        table = page.locator(f"#table-{chart}")
        table.locator("summary").click()
        expect(table.locator("summary")).to_have_text("Bảng số liệu")
        expect(table.locator("table caption")).to_have_count(1)
        assert table.locator("tbody tr").count() >= 1
    buckets = page.locator("#table-ack tbody td").all_inner_texts()
    assert len(buckets) == 5 and all(cell.isdigit() for cell in buckets)
