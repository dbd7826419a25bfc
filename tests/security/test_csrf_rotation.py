"""The CSRF token changes at sign-in and sign-out: a token read before signing in (which an attacker could have
planted or seen) is refused afterwards, and so is a signed-in token after signing out."""

from __future__ import annotations

from sqlmodel import select

from hub.db import read_session
from hub.models import Directive
from tests.security.conftest import Browser

DRAFT = {"kind": "directive", "title": "Bản nháp", "body": "Nội dung.", "priority": "routine", "audience_all": "y"}


def directives(app) -> int:
    with read_session(app.extensions["hub"].engine) as s:
        return len(s.exec(select(Directive.id)).all())


def test_signing_in_gives_a_new_csrf_token_and_the_old_one_stops_working(app, people):
    browser = Browser(app)
    before = browser.token("/login")
    assert browser.login(people["officer"]).status_code == 302
    after = browser.token("/console/new")
    assert after != before
    refused = browser.post("/console/new", {**DRAFT, "action": "draft"}, token=before)
    assert refused.status_code == 400
    assert directives(app) == 0
    assert browser.post("/console/new", {**DRAFT, "action": "draft"}, token=after).status_code == 302
    assert directives(app) == 1


def test_signing_out_gives_a_new_csrf_token_and_the_signed_in_one_stops_working(app, people):
    browser = Browser(app)
    assert browser.login(people["officer"]).status_code == 302
    signed_in = browser.token("/console")
    assert browser.post("/logout", token=signed_in).status_code == 302
    assert browser.token("/login") != signed_in
    replayed = browser.post("/login", {"login": people["officer"], "password": "x"}, token=signed_in)
    assert replayed.status_code == 400
