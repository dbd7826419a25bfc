"""Real Chromium: a directive's progress explains itself — a legend that counts every state (declined and in
progress included) and adds up, and a timeline that names the person and the platform, in both languages."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.test_live_pages import HANOI_EDITOR, HCMC_EDITOR, open_as

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def worked(browser, hub_server):
    """A directive to two named platforms: one acknowledges and starts work, the other says it does not apply."""
    officer = open_as(browser, hub_server, "officer")
    title = f"Tiến độ rõ ràng {uuid.uuid4().hex[:6]}"
    officer.goto(hub_server.url + "/console/new")
    officer.fill("#title", title)
    officer.fill("#body", "Báo cáo tiến độ.")
    officer.fill("#platforms", "P-TIN01, P-MXH03")
    officer.click("button[name=action][value=publish]")
    expect(officer).to_have_url(re.compile(r"/console/directives/\d+"))
    directive_id = int(re.search(r"/console/directives/(\d+)", officer.url).group(1))
    officer.context.close()
    for login, state, text in (
        (HANOI_EDITOR, "in_progress", "Đang rà soát."),
        (HCMC_EDITOR, "declined", "Không áp dụng."),
    ):
        editor = open_as(browser, hub_server, login)
        editor.goto(hub_server.url + f"/inbox/{directive_id}")
        editor.check(f"input[name=state][value={state}]")
        editor.fill("#report", text)
        editor.click("#status-form button[type=submit]")
        expect(editor.locator(".flash.success")).to_be_visible()
        editor.context.close()
    return directive_id


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", {"in_progress": "In progress", "declined": "Not applicable", "pending": "Not yet received"}),
        ("vi", {"in_progress": "Đang thực hiện", "declined": "Không áp dụng", "pending": "Chưa nhận"}),
    ],
)
def test_the_legend_counts_every_state_and_the_timeline_names_people_and_platforms(
    browser, hub_server, artifacts, worked, lang, words
):
    officer = open_as(browser, hub_server, "officer", lang=lang)
    officer.goto(hub_server.url + f"/console/directives/{worked}")
    legend = officer.locator(f'[data-progress="{worked}"] .legend')
    for key, label in words.items():
        expect(legend.locator("li", has=officer.locator(f'[data-count="{key}"]'))).to_contain_text(label)
    counts = {
        key: int(legend.locator(f'[data-count="{key}"]').inner_text())
        for key in ("implemented", "in_progress", "acknowledged_only", "declined", "delivered_only", "pending")
    }
    assert counts["in_progress"] == 1 and counts["declined"] == 1
    assert sum(counts.values()) == int(officer.locator(f'[data-progress="{worked}"] [data-count="total"]').inner_text())

    timeline = officer.locator("ol.timeline")
    expect(timeline.locator("li[data-event=status_changed]")).to_have_count(2)
    expect(timeline).not_to_contain_text("user:")
    expect(timeline).not_to_contain_text("system:")
    expect(timeline.locator("li[data-event=acknowledged]")).to_contain_text("Biên tập TIN01")
    platforms = timeline.locator("li[data-event=status_changed] .platform").all_inner_texts()
    assert len(set(platforms)) == 2 and all(platforms)
    officer.screenshot(path=artifacts / f"console-progress-explained-{lang}.png", full_page=True)
    officer.context.close()
