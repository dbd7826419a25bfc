"""Real Chromium: an editor's question appears live on the issuer's console (a notice and the count of questions
waiting), and the officer's answer appears live on the editor's page — in Vietnamese for the officer."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.test_live_pages import HANOI_EDITOR, open_as

pytestmark = pytest.mark.browser


def publish_to_hanoi(officer, hub_server, title: str) -> int:
    officer.goto(hub_server.url + "/console/new")
    officer.fill("#title", title)
    officer.fill("#body", "Đề nghị đưa tin chính xác về bão số 15.")
    officer.check("#provinces input[value=HNI]")
    officer.click("button[name=action][value=publish]")
    expect(officer).to_have_url(re.compile(r"/console/directives/\d+"))
    return int(re.search(r"/console/directives/(\d+)", officer.url).group(1))


def test_a_question_and_its_answer_travel_live_between_editor_and_issuer(browser, hub_server, artifacts):
    officer = open_as(browser, hub_server, "officer", lang="vi")
    title = f"Đưa tin về bão {uuid.uuid4().hex[:6]}"
    directive_id = publish_to_hanoi(officer, hub_server, title)
    officer.goto(hub_server.url + "/console")
    waiting = officer.locator(f'[data-unanswered="{directive_id}"]')
    expect(waiting).to_be_hidden()
    officer.evaluate("window.__noReload = true")

    editor = open_as(browser, hub_server, HANOI_EDITOR)
    editor.goto(hub_server.url + f"/inbox/{directive_id}")
    editor.fill("#text", "Does this cover live streams?")
    editor.click("text=Ask the issuer")
    expect(editor.locator(".flash.success")).to_have_text("Your question was sent to the issuer.")
    expect(editor.locator("#my-questions")).to_have_attribute("data-live", "1")

    # The officer's list, never reloaded: a notice naming the platform, and the count of questions waiting.
    expect(officer.locator("#toasts .toast", has_text="Câu hỏi mới")).to_contain_text("Does this cover live streams?")
    expect(waiting).to_be_visible()
    expect(waiting).to_contain_text("Câu hỏi chờ trả lời")
    expect(waiting.locator("[data-unanswered-count]")).to_have_text("1")
    assert officer.evaluate("window.__noReload") is True
    officer.screenshot(path=artifacts / "console-question-waiting.png", full_page=True)

    waiting.click()
    expect(officer.locator("#questions [data-unanswered-count]")).to_have_text("1")
    question = officer.locator("#question-list article", has_text="Does this cover live streams?")
    question.locator("textarea").fill("Có, cả phát trực tiếp.")
    question.locator("button[type=submit]").click()
    expect(officer.locator(".flash.success")).to_be_visible()
    expect(officer.locator(f'#questions [data-unanswered="{directive_id}"]')).to_be_hidden()

    # The editor's page, never reloaded: the answer under the question, and a notice.
    answered = editor.locator("#my-questions article", has_text="Does this cover live streams?")
    expect(answered).to_contain_text("Có, cả phát trực tiếp.")
    expect(answered.locator(".awaiting")).to_have_count(0)
    expect(editor.locator("#toasts .toast", has_text="The issuer answered your question")).to_be_visible()
    editor.screenshot(path=artifacts / "inbox-question-answered.png", full_page=True)
    officer.context.close()
    editor.context.close()
