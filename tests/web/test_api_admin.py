"""The registry over the JSON API: organisations, users and tokens."""

from __future__ import annotations

API = "/api/v1"
PLATFORM = {"kind": "platform", "code": "NEW-1", "name": "New site", "province": "HNI", "platform_kind": "news_site"}
USER = {"role": "editor", "login": "new.editor", "display_name": "New editor", "password": "long-enough-pw"}


def test_a_registered_platform_gets_the_directives_in_force_for_it(world):
    created = world.call("admin", "POST", f"{API}/organisations", json=PLATFORM)
    assert created.status_code == 201
    org = created.get_json()
    listed = world.call("admin", "GET", f"{API}/organisations?kind=platform&q=NEW").get_json()
    assert [o["code"] for o in listed["items"]] == ["NEW-1"]
    issued = world.call("admin", "POST", f"{API}/tokens", json={"label": "cms", "platform_id": org["id"]}).get_json()
    inbox = world.client.get(f"{API}/inbox", headers={"Authorization": f"Bearer {issued['secret']}"}).get_json()
    assert {i["id"] for i in inbox["items"]} == {world.ids["central"], world.ids["hni"]}


def test_organisation_rules(world):
    assert world.call("admin", "POST", f"{API}/organisations", json={**PLATFORM, "code": "P1"}).status_code == 409
    for bad in (
        {**PLATFORM, "province": "XXX"},
        {**PLATFORM, "platform_kind": None},
        {**PLATFORM, "code": "-bad code"},
        {**PLATFORM, "kind": "church"},
        {**PLATFORM, "domains": ["x" * 300]},
    ):
        assert world.call("admin", "POST", f"{API}/organisations", json=bad).status_code == 422, bad
    province = {"kind": "province", "code": "SO-HNI-2", "name": "Again", "province": "HNI"}
    assert world.call("admin", "POST", f"{API}/organisations", json=province).status_code == 409


def test_users_are_created_without_showing_the_password_hash(world):
    created = world.call("admin", "POST", f"{API}/users", json={**USER, "org_id": world.ids["org_p1"]})
    assert created.status_code == 201
    assert "password" not in created.get_data(as_text=True)
    listed = world.call("admin", "GET", f"{API}/users?org_id={world.ids['org_p1']}&role=editor").get_json()
    assert "new.editor" in {u["login"] for u in listed["items"]}
    again = world.call("admin", "POST", f"{API}/users", json={**USER, "org_id": world.ids["org_p1"]})
    assert again.status_code == 409
    wrong_role = world.call(
        "admin", "POST", f"{API}/users", json={**USER, "login": "x2", "org_id": world.ids["org_reg"]}
    )
    assert wrong_role.status_code == 409
    short = world.call("admin", "POST", f"{API}/users", json={**USER, "password": "short", "org_id": 1})
    assert short.status_code == 422
    unknown = world.call("admin", "POST", f"{API}/users", json={**USER, "login": "x3", "org_id": 99999})
    assert unknown.status_code == 404


def test_a_token_secret_is_shown_once_and_works_until_revoked(world):
    issued = world.call("p1_editor", "POST", f"{API}/tokens", json={"label": "cms", "platform_id": world.ids["org_p1"]})
    assert issued.status_code == 201
    token = issued.get_json()
    assert token["secret"].startswith(token["prefix"])
    listed = world.call("p1_editor", "GET", f"{API}/tokens").get_data(as_text=True)
    assert token["secret"] not in listed and token["prefix"] in listed
    headers = {"Authorization": f"Bearer {token['secret']}"}
    assert world.client.get(f"{API}/inbox", headers=headers).status_code == 200
    assert world.call("p1_editor", "DELETE", f"{API}/tokens/{token['id']}").get_json()["revoked_at"]
    assert world.client.get(f"{API}/inbox", headers=headers).status_code == 401
    events = world.event_count()
    assert world.call("p1_editor", "POST", f"{API}/tokens/{token['id']}/revoke").status_code == 200
    assert world.event_count() == events


def test_a_user_may_take_a_personal_token(world):
    body = {"label": "laptop", "user_id": world.ids["user_reg_manager"]}
    issued = world.call("reg_manager", "POST", f"{API}/tokens", json=body)
    assert issued.status_code == 201
    headers = {"Authorization": f"Bearer {issued.get_json()['secret']}"}
    assert world.client.get(f"{API}/directives", headers=headers).status_code == 200
    other = {"label": "x", "user_id": world.ids["user_admin"]}
    assert world.call("reg_manager", "POST", f"{API}/tokens", json=other).status_code == 404
    both = {"label": "x", "user_id": world.ids["user_admin"], "platform_id": world.ids["org_p1"]}
    assert world.call("admin", "POST", f"{API}/tokens", json=both).status_code == 422


def test_an_admin_changes_a_role_over_the_api_and_others_may_not(world):
    url = f"/api/v1/users/{world.ids['user_hni_manager']}/role"
    assert world.call("reg_officer", "POST", url, json={"role": "officer"}).status_code == 403
    changed = world.call("admin", "POST", url, json={"role": "officer"})
    assert changed.status_code == 200 and changed.get_json()["role"] == "officer"
    refused = world.call("admin", "POST", url, json={"role": "admin"})  # a province has no administrators
    assert refused.status_code == 409 and refused.get_json()["code"] == "role_not_for_organisation"
    own = world.call("admin", "POST", f"/api/v1/users/{world.ids['user_admin']}/role", json={"role": "officer"})
    assert own.status_code == 409 and own.get_json()["code"] == "cannot_change_own_role"


def test_an_admin_resets_a_password_over_the_api_and_sees_it_once(world):
    url = f"/api/v1/users/{world.ids['user_p1_editor']}/reset-password"
    assert world.call("reg_officer", "POST", url).status_code == 403
    reset = world.call("admin", "POST", url)
    assert reset.status_code == 200 and reset.headers["Cache-Control"] == "no-store"
    assert len(reset.get_json()["temporary_password"]) >= 10
    assert reset.get_json()["user"]["login"]
