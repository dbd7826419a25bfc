"""The admin's pages: machine tokens (the secret shown once), roles, registering platforms."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import select

from hub.db import read_session
from hub.models import ApiToken, Organisation, Role, User
from tests.web.pages.visitor import count, signed_in


def test_machine_token_secret_is_shown_once_and_can_be_revoked(app, site):
    browser = signed_in(app, site, "editor1")
    assert browser.post("/inbox/tokens", {"label": ""}).status_code == 422
    response = browser.post("/inbox/tokens", {"label": "CMS"})
    secret = re.search(r'id="token-secret">(dh_[^<]+)<', response.text).group(1)
    assert secret not in browser.get("/inbox/tokens").text
    with read_session(site["engine"]) as s:
        token = s.exec(sa.select(ApiToken).where(ApiToken.label == "CMS")).scalar_one()
    other = signed_in(app, site, "editor3")
    yes = {"confirm": "y"}
    assert other.post(f"/inbox/tokens/{token.id}/revoke", yes, form_page="/inbox/tokens").status_code == 302
    assert count(site["engine"], ApiToken, ApiToken.revoked_at.is_not(None)) == 0
    unconfirmed = browser.post(f"/inbox/tokens/{token.id}/revoke", form_page="/inbox/tokens")
    assert "Tick the box to confirm revoking the token." in browser.get(unconfirmed.headers["Location"]).text
    assert count(site["engine"], ApiToken, ApiToken.revoked_at.is_not(None)) == 0
    browser.post(f"/inbox/tokens/{token.id}/revoke", yes, form_page="/inbox/tokens")
    assert count(site["engine"], ApiToken, ApiToken.revoked_at.is_not(None)) == 1


def test_an_admin_changes_a_role_and_the_change_is_in_the_log(app, site):
    from hub.models import Event

    browser = signed_in(app, site, "admin")
    manager = site["people"]["manager"]
    page = browser.get("/admin/users").text
    assert f'action="/admin/users/{manager.user_id}/role"' in page
    response = browser.post(f"/admin/users/{manager.user_id}/role", {"role": "officer"}, form_page="/admin/users")
    assert response.status_code == 302
    assert "The role was changed" in browser.get("/admin/users").text
    refused = browser.post(f"/admin/users/{manager.user_id}/role", {"role": "editor"}, form_page="/admin/users")
    assert "cannot have the role Editor" in browser.get(refused.headers["Location"]).text
    with read_session(site["engine"]) as s:
        assert s.get(User, manager.user_id).role == Role.OFFICER
        event = s.exec(select(Event).where(Event.kind == "user_role_changed")).one()
    assert (event.details["from"], event.details["to"]) == ("manager", "officer")


def test_admin_registers_a_platform_and_refuses_bad_codes(app, site):
    browser = signed_in(app, site, "admin")
    bad = {"code": "bad code!", "name": "X", "province": "HNI", "platform_kind": "news_site"}
    response = browser.post("/admin/organisations", bad)
    assert response.status_code == 422
    assert "Code: 2-64 letters" in response.text
    assert browser.post("/admin/organisations", {**bad, "code": "P-HN1"}).status_code == 422
    assert browser.post("/admin/organisations", {**bad, "code": "P-NEW"}).status_code == 302
    assert count(site["engine"], Organisation, Organisation.code == "P-NEW") == 1
    response = browser.post(
        "/admin/users",
        {"org_code": "P-NOPE", "role": "editor", "login": "ed.new", "display_name": "Ed", "password": "long-enough-1"},
    )
    assert response.status_code == 422
    assert count(site["engine"], User, User.login == "ed.new") == 0
