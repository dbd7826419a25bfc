"""A page per platform in real Chromium, in both languages and on a 390 px phone: reached from the platform's name,
its connection live (an editor's open inbox makes it online), its directives, its ratio reports as a chart with a
data table; an officer of another province does not find it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from hub.db import make_engine, read_session
from hub.models import Organisation
from tests.browser.layout import assert_fits
from tests.browser.test_live_pages import HANOI_EDITOR, HANOI_PLATFORM, open_as, wait_live

pytestmark = pytest.mark.browser


def platform_id(hub_server, code: str) -> int:
    engine = make_engine(hub_server.database_url)
    try:
        with read_session(engine) as s:
            return s.exec(select(Organisation.id).where(Organisation.code == code)).one()
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("lang", "online", "heading"), [("en", "Online", "Ratio reports"), ("vi", "Đang kết nối", "Báo cáo tỷ lệ")]
)
def test_the_platform_page_from_its_name_on_a_phone(browser, hub_server, artifacts, lang, online, heading):
    editor = open_as(browser, hub_server, HANOI_EDITOR)
    wait_live(editor)
    page = open_as(browser, hub_server, "manager", lang=lang)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(hub_server.url + "/console")
    page.get_by_role("link", name=re.compile("^Đẩy mạnh tuyên truyền")).click()
    page.fill("input[name=q]", HANOI_PLATFORM)
    page.locator("input[name=q]").press("Enter")
    page.locator(f'#table-wrap tr[data-platform="{HANOI_PLATFORM}"] td a').first.click()
    expect(page).to_have_url(re.compile(rf"/platforms/{platform_id(hub_server, HANOI_PLATFORM)}$"))
    expect(page.locator("#online")).to_have_text(online)
    expect(page.locator("#cursor")).to_contain_text(re.compile(r"\d+"))
    expect(page.locator("#history tbody tr[data-seq]").first).to_be_visible()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    # the demo's report, and any another browser test filed for this platform on the shared hub
    expect(page.locator("#ratio-table tbody tr[data-period]").first).to_be_attached()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-platform-ratio'))")
    assert_fits(page)
    page.screenshot(path=artifacts / f"platform-{lang}-390.png", full_page=True)
    editor.context.close()
    page.context.close()


def test_an_officer_of_another_province_does_not_find_it(browser, hub_server):
    page = open_as(browser, hub_server, "officer.hcm")
    answer = page.goto(hub_server.url + f"/platforms/{platform_id(hub_server, HANOI_PLATFORM)}")
    assert answer.status == 404
    page.context.close()


def test_a_ratio_bar_on_the_dashboard_opens_its_platforms_page(browser, hub_server):
    page = open_as(browser, hub_server, "manager")
    page.goto(hub_server.url + "/dashboard")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-ratio'))")
    # a person clicks the bar once it is drawn: wait until its opening animation has reached the final height
    page.wait_for_function(
        """() => {
          const bar = Chart.getChart(document.getElementById('chart-ratio')).getDatasetMeta(0).data[0];
          return Math.abs(bar.y - bar.getProps(['y'], true).y) < 1;
        }"""
    )
    name = page.evaluate("Chart.getChart(document.getElementById('chart-ratio')).data.labels[0]")
    x, y = page.evaluate(
        """() => {
          const canvas = document.getElementById('chart-ratio');
          canvas.scrollIntoView({block: 'center'});
          const bar = Chart.getChart(canvas).getDatasetMeta(0).data[0].getProps(['x', 'y', 'base'], true);
          const box = canvas.getBoundingClientRect();
          return [box.left + bar.x, box.top + (bar.y + bar.base) / 2];
        }"""
    )
    page.mouse.click(x, y)
    expect(page).to_have_url(re.compile(r"/platforms/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.context.close()
