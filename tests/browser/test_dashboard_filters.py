"""Dashboard filters in real Chromium: by period, province, kind and exercises; trends month by month; every figure
and the list behind it follow the filter."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from hub import clock
from hub.core import dashboard
from hub.core.access import Principal
from hub.core.directive_filter import DirectiveFilter
from hub.db import make_engine, read_session
from hub.models import OrgKind, Role
from tests.browser.test_live_pages import open_as
from tests.browser.test_manager_browse import core_list, listed

pytestmark = pytest.mark.browser

CENTRAL = Principal(org_id=1, org_kind=OrgKind.REGULATOR, role=Role.MANAGER)


def figures(hub_server, where: DirectiveFilter) -> dashboard.Dashboard:
    engine = make_engine(hub_server.database_url)
    try:
        with read_session(engine) as s:
            return dashboard.dashboard(s, CENTRAL, clock.now(), 0.15, where=where)
    finally:
        engine.dispose()


def kpis(page) -> dict[str, int]:
    return {k: int(page.locator(f"#kpi-{k}").inner_text()) for k in ("deliveries", "acknowledged", "overdue")}


def test_province_and_kind_narrow_every_figure_and_the_list_behind_them(browser, hub_server):
    page = open_as(browser, hub_server, "manager")
    page.goto(hub_server.url + "/dashboard")
    everything = kpis(page)
    page.select_option("#dashboard-filters select[name=province]", "HNI")
    page.select_option("#dashboard-filters select[name=kind]", "directive")
    page.click("#dashboard-filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"province=HNI.*kind=directive|kind=directive.*province=HNI"))
    want = figures(hub_server, DirectiveFilter(exercise=False, province="HNI", kind="directive")).totals
    assert kpis(page) == {k: want[k] for k in ("deliveries", "acknowledged", "overdue")}
    assert 0 < kpis(page)["deliveries"] < everything["deliveries"]
    months = page.locator("#months-table tbody tr[data-month]")
    expect(months).to_have_count(1)
    assert months.first.get_attribute("data-month") == clock.now().strftime("%Y-%m") or (
        months.first.get_attribute("data-month") == (clock.now() - timedelta(days=3)).strftime("%Y-%m")
    )
    page.locator("#kpi-overdue-link").click()
    expect(page).to_have_url(re.compile(r"/console\?.*overdue=1"))
    behind = DirectiveFilter(counted=True, exercise=False, kind="directive", province="HNI", overdue_at=clock.now())
    assert listed(page) == core_list(hub_server, CENTRAL, behind)
    page.context.close()


def test_exercises_are_counted_only_when_asked_in_vietnamese(browser, hub_server):
    page = open_as(browser, hub_server, "manager", lang="vi")
    page.goto(hub_server.url + "/dashboard")
    expect(page.get_by_role("heading", name="Theo từng tháng")).to_be_visible()
    real = kpis(page)["deliveries"]
    page.select_option("#dashboard-filters select[name=exercise]", "1")
    page.click("#dashboard-filters button[type=submit]")
    exercises = figures(hub_server, DirectiveFilter(exercise=True)).totals["deliveries"]
    assert exercises > 0
    expect(page.locator("#kpi-deliveries")).to_have_text(str(exercises))
    page.select_option("#dashboard-filters select[name=exercise]", "any")
    page.click("#dashboard-filters button[type=submit]")
    expect(page.locator("#kpi-deliveries")).to_have_text(str(real + exercises))
    page.context.close()


def test_a_period_without_publications_shows_empty_figures(browser, hub_server):
    page = open_as(browser, hub_server, "manager")
    page.goto(hub_server.url + "/dashboard?since=2020-01-01&until=2020-01-31")
    expect(page.locator("#kpi-deliveries")).to_have_text("0")
    expect(page.locator("#months-table")).to_contain_text("Nothing published in this period.")
    expect(page.locator("#dashboard-filters input[name=since]")).to_have_value("2020-01-01")
    page.context.close()
