"""Signing in and the account: each role's home and the pages refused to it, wrong passwords, CSRF on every form,
the language, changing and resetting a password, no redirect off site."""

from __future__ import annotations

import re

import pytest

from hub.models import Directive
from tests import factories as f
from tests.web.pages.visitor import Browser, compose_data, count, signed_in


@pytest.mark.parametrize(
    ("who", "home"),
    [("officer", "/console"), ("editor1", "/inbox"), ("manager", "/dashboard"), ("admin", "/admin")],
)
def test_each_role_lands_on_its_own_home(app, site, who, home):
    response = Browser(app).login(site["logins"][who])
    assert response.status_code == 302
    assert response.headers["Location"] == home


@pytest.mark.parametrize(
    ("who", "forbidden"),
    [
        ("editor1", ["/console", "/console/new", "/dashboard", "/dashboard/log.csv", "/admin/users"]),
        ("manager", ["/console/new", "/console/escalations", "/inbox", "/admin/organisations"]),
        ("officer", ["/inbox", "/inbox/ratio", "/admin/tokens"]),
        ("admin", ["/inbox", "/inbox/tokens"]),
    ],
)
def test_each_role_is_refused_pages_not_meant_for_it(app, site, who, forbidden):
    browser = signed_in(app, site, who)
    for path in forbidden:
        response = browser.get(path)
        assert response.status_code == 403, path
        assert "This page is not for your role." in response.text


def test_anonymous_visitor_is_sent_to_sign_in(app, site):
    response = Browser(app).get("/console/new")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/console/new")


def test_wrong_password_shows_a_message_and_repeated_failures_delay_the_account(app, site):
    browser = Browser(app)
    for _ in range(5):
        response = browser.login(site["logins"]["officer"], "not-the-password")
        assert response.status_code == 401
        assert "Wrong login or password." in response.text
    blocked = browser.login(site["logins"]["officer"], f.PASSWORD)
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.text


def test_a_form_without_its_csrf_token_is_refused_and_saves_nothing(app, site):
    browser = signed_in(app, site, "officer")
    response = browser.post("/console/new", compose_data(action="publish", audience_all="y"), csrf=False)
    assert response.status_code == 400
    assert "missing its security token" in response.text
    assert count(site["engine"], Directive) == 0


def test_logout_needs_the_csrf_token_too(app, site):
    browser = signed_in(app, site, "officer")
    assert browser.post("/logout", csrf=False).status_code == 400
    assert browser.get("/console").status_code == 200
    assert browser.post("/logout", form_page="/console").status_code == 302
    assert browser.get("/console").status_code == 302


def test_language_switch_remembers_the_choice(app, site):
    browser = Browser(app)
    browser.client.delete_cookie("lang")
    assert "Đăng nhập" in browser.get("/login").text
    response = browser.get("/lang/en?next=/login")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "<h1>Sign in</h1>" in browser.get("/login").text
    browser.get("/lang/vi?next=https://evil.example/")
    assert "<h1>Đăng nhập</h1>" in browser.get("/login").text


def test_change_password_checks_the_current_one(app, site):
    browser = signed_in(app, site, "editor1")
    bad = browser.post(
        "/account/password", {"current": "wrong-password", "new": "new-password-1", "confirm": "new-password-1"}
    )
    assert bad.status_code == 422 and "The current password is wrong" in bad.text
    mismatch = browser.post(
        "/account/password", {"current": f.PASSWORD, "new": "new-password-1", "confirm": "other-password"}
    )
    assert "The two new passwords differ." in mismatch.text
    ok = browser.post(
        "/account/password", {"current": f.PASSWORD, "new": "new-password-1", "confirm": "new-password-1"}
    )
    assert ok.status_code == 302
    assert Browser(app).login(site["logins"]["editor1"], "new-password-1").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_sign_in_never_redirects_off_site(app, site, target):
    browser = Browser(app)
    token = browser.token()
    response = browser.client.post(
        "/login?next=" + target,
        data={"login": site["logins"]["manager"], "password": f.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_a_reset_password_is_shown_once_and_must_be_changed_at_the_next_sign_in(app, site):
    admin = signed_in(app, site, "admin")
    editor = site["people"]["editor1"]
    answer = admin.post(f"/admin/users/{editor.user_id}/reset-password", form_page="/admin/users")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    temporary = re.search(r'id="temporary-password">([^<]+)<', answer.text).group(1)
    assert temporary not in admin.get("/admin/users").text
    person = Browser(app)
    assert person.login(site["logins"]["editor1"], temporary).status_code == 302
    sent_away = person.get("/inbox")
    assert sent_away.status_code == 302 and sent_away.headers["Location"] == "/account/password"
    new = {"current": temporary, "new": "brand-new-pass-1", "confirm": "brand-new-pass-1"}
    assert person.post("/account/password", new).status_code == 302
    assert person.get("/inbox").status_code == 200
