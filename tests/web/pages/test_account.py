"""The "My account" page: each user chooses how they receive non-urgent notices and their language, in both
languages; a choice the form does not offer is refused with a message, never a 500."""

from __future__ import annotations

from hub.db import read_session
from hub.models import User
from tests.web.pages.visitor import signed_in


def stored(site, who: str) -> User:
    with read_session(site["engine"]) as s:
        return s.get(User, site["people"][who].user_id)


def test_an_editor_chooses_the_daily_digest_and_english(app, site):
    browser = signed_in(app, site, "editor1")
    page = browser.get("/account/preferences")
    assert page.status_code == 200 and "One digest a day" in page.text and "My account" in page.text
    saved = browser.post("/account/preferences", {"notices": "digest", "locale": "en"})
    assert saved.status_code == 302
    assert "Your preferences were saved." in browser.get("/account/preferences").text
    user = stored(site, "editor1")
    assert (user.mail_notices, user.locale) == ("digest", "en")


def test_the_page_speaks_vietnamese(app, site):
    browser = signed_in(app, site, "officer")
    browser.client.set_cookie("lang", "vi")
    page = browser.get("/account/preferences")
    assert "Tài khoản của tôi" in page.text and "Tổng hợp mỗi ngày một thư" in page.text


def test_a_choice_not_offered_is_refused_with_a_message(app, site):
    browser = signed_in(app, site, "editor1")
    refused = browser.post("/account/preferences", {"notices": "hourly", "locale": "fr"})
    assert refused.status_code == 422 and "Not a valid choice" in refused.text
    assert stored(site, "editor1").mail_notices == "immediate"
