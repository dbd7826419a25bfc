"""Issue 10 item 11 in real Chromium: a provincial officer who names a platform of another province is told which,
in the page's language, by the audience count and by the composer, and nothing is published."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from hub.db import make_engine, read_session
from hub.models import Directive
from tests.browser.test_live_pages import open_as

pytestmark = pytest.mark.browser

HANOI, HCMC = "P-TIN01", "P-MXH03"


def titled(hub_server, title: str) -> int:
    engine = make_engine(hub_server.database_url)
    try:
        with read_session(engine) as s:
            return len(s.exec(select(Directive.id).where(Directive.title == title)).all())
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("lang", "says"),
    [("en", "may address only platforms of its own province, not: "), ("vi", "không gửi được tới: ")],
)
def test_a_foreign_platform_in_the_composer_is_named_and_nothing_is_published(browser, hub_server, lang, says):
    page = open_as(browser, hub_server, "officer.hni", lang=lang)
    page.goto(hub_server.url + "/console/new")
    title = f"Ngoài địa bàn {uuid.uuid4().hex[:6]}"
    page.fill("#title", title)
    page.fill("#body", "Rà soát ngay.")
    page.fill("#platforms", f"{HANOI}, {HCMC}")
    expect(page.locator("#audience-count")).to_contain_text(says + HCMC)
    page.click("button[name=action][value=publish]")
    errors = page.locator(".form-errors")
    expect(errors).to_contain_text(re.compile(re.escape(says + HCMC) + "$"))
    expect(errors).not_to_contain_text(HANOI)
    assert titled(hub_server, title) == 0
    page.context.close()
