"""Issue 10 item 10 in real Chromium: managers browse the directives of their scope (menu, list, directive page,
printable report) without actions they may not take, and the dashboard's cards and chart bars open the list of
directives behind them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from hub import clock
from hub.core import progress
from hub.core.access import Principal
from hub.core.directive_filter import DirectiveFilter
from hub.db import make_engine, read_session
from hub.models import OrgKind, Role
from tests.browser.test_live_pages import open_as

pytestmark = pytest.mark.browser


def listed(page: Page) -> list[int]:
    return [
        int(i) for i in page.locator("[data-directive-id]").evaluate_all("els => els.map(e => e.dataset.directiveId)")
    ]


def core_list(hub_server, principal: Principal, where: DirectiveFilter) -> list[int]:
    engine = make_engine(hub_server.database_url)
    try:
        with read_session(engine) as s:
            return [d.id for d in progress.list_directives(s, principal, where=where, per_page=20).items]
    finally:
        engine.dispose()


CENTRAL = Principal(org_id=1, org_kind=OrgKind.REGULATOR, role=Role.MANAGER)
HANOI = Principal(org_id=2, org_kind=OrgKind.PROVINCE, role=Role.MANAGER, province="HNI")


def test_a_manager_reads_every_directive_page_of_its_scope_without_actions(browser, hub_server, artifacts):
    page = open_as(browser, hub_server, "manager")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Directives").click()
    expect(page).to_have_url(re.compile(r"/console$"))
    expect(page.get_by_role("heading", name="Directives")).to_be_visible()
    expect(page.get_by_role("link", name="New directive")).to_have_count(0)
    assert listed(page) == core_list(hub_server, CENTRAL, DirectiveFilter())
    page.locator("[data-directive-id] header a").first.click()
    expect(page).to_have_url(re.compile(r"/console/directives/\d+$"))
    expect(page.locator("#table-wrap table")).to_be_visible()
    for action in ("Publish now", "Amend", "Revoke", "Remind", "Rectify", "Verify"):
        expect(page.get_by_text(action, exact=True)).to_have_count(0)
    page.screenshot(path=artifacts / "manager-directive.png", full_page=True)
    page.get_by_role("button", name="Printable report").click()
    expect(page).to_have_url(re.compile(r"/dashboard/directives/\d+/report$"))
    page.context.close()


def test_dashboard_cards_open_the_directives_behind_them(browser, hub_server):
    page = open_as(browser, hub_server, "manager")
    page.goto(hub_server.url + "/dashboard")
    page.locator("#kpi-overdue-link").click()
    expect(page).to_have_url(re.compile(r"/console\?.*overdue=1"))
    expect(page.locator("#drill-down")).to_contain_text("with overdue platforms")
    behind = core_list(hub_server, CENTRAL, DirectiveFilter(counted=True, exercise=False, overdue_at=clock.now()))
    assert behind and listed(page) == behind
    page.get_by_role("link", name="Show all directives").click()
    assert len(listed(page)) > len(behind)
    page.context.close()


def test_a_chart_bar_opens_the_overdue_directives_of_its_province_in_vietnamese(browser, hub_server):
    page = open_as(browser, hub_server, "manager.hni", lang="vi")
    page.goto(hub_server.url + "/dashboard")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-overdue'))")
    # a person clicks the bar once it is drawn: wait until its opening animation has reached the final length
    page.wait_for_function(
        """() => {
          const bar = Chart.getChart(document.getElementById('chart-overdue')).getDatasetMeta(0).data[0];
          return Math.abs(bar.x - bar.getProps(['x'], true).x) < 1;
        }"""
    )
    x, y = page.evaluate(
        """() => {
          const canvas = document.getElementById('chart-overdue');
          canvas.scrollIntoView({block: 'center'});
          const bar = Chart.getChart(canvas).getDatasetMeta(0).data[0].getProps(['x', 'y', 'base'], true);
          const box = canvas.getBoundingClientRect();
          return [box.left + (bar.base + bar.x) / 2, box.top + bar.y];
        }"""
    )
    page.mouse.click(x, y)
    expect(page).to_have_url(re.compile(r"/console\?.*province=HNI"))
    expect(page.locator("#drill-down")).to_contain_text("Hà Nội")
    behind = core_list(
        hub_server, HANOI, DirectiveFilter(counted=True, exercise=False, overdue_at=clock.now(), province="HNI")
    )
    assert behind and listed(page) == behind
    page.context.close()
