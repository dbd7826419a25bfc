"""Webhooks over the JSON API: who may register what, the secret shown once, and clear 4xx answers to bad input."""

from __future__ import annotations

API = "/api/v1/webhooks"
PUBLIC = "https://93.184.216.34/hook"  # an address literal: no DNS needed, and public


def test_an_editor_registers_its_platforms_webhook_and_sees_the_secret_once(world):
    created = world.call("p1_editor", "POST", API, json={"url": PUBLIC})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["secret"].startswith("whsec_") and body["platform_id"] == world.ids["org_p1"]
    assert body["secret"].startswith(body["secret_prefix"])
    listed = world.call("p1_editor", "GET", API).get_json()["items"]
    assert [h["id"] for h in listed] == [body["id"]] and "secret" not in listed[0]
    shown = world.call("p1_editor", "GET", f"{API}/{body['id']}").get_json()
    assert body["secret"] not in str(shown) and shown["pending"] == 0 and shown["recent"] == []
    again = world.call("p1_editor", "POST", API, json={"url": PUBLIC})
    assert again.status_code == 409 and again.get_json()["error"] == "conflict"
    codes = [h["platform_code"] for h in world.call("admin", "GET", API).get_json()["items"]]
    assert body["platform_code"] in codes and "P3" in codes  # the admin sees every platform's webhook


def test_rotate_send_again_and_remove(world):
    hook = world.call("p1_editor", "POST", API, json={"url": PUBLIC}).get_json()
    rotated = world.call("p1_editor", "POST", f"{API}/{hook['id']}/rotate").get_json()
    assert rotated["secret"] != hook["secret"] and rotated["rotated_at"]
    resumed = world.call("admin", "POST", f"{API}/{hook['id']}/send-again")
    assert resumed.status_code == 200 and resumed.get_json()["active"]
    assert world.call("p3_editor", "DELETE", f"{API}/{hook['id']}").status_code == 404
    assert world.call("p1_editor", "DELETE", f"{API}/{hook['id']}").status_code == 200
    assert world.call("p1_editor", "GET", f"{API}/{hook['id']}").status_code == 404


def test_internal_addresses_and_http_are_refused_unless_the_regulator_admin_allows_them(world):
    for url in (
        "https://127.0.0.1/x",
        "https://10.0.0.8/x",
        "https://169.254.169.254/latest",
        "https://localhost/x",
        "http://93.184.216.34/x",
        "https://[fd00::1]/x",
        "https://localhost:5000/api",
    ):
        answer = world.call("p1_editor", "POST", API, json={"url": url})
        assert answer.status_code == 422 and answer.get_json()["error"] == "refused_address", url
    own = world.call("p1_editor", "POST", API, json={"url": "https://localhost/x"}, base_url="http://hub.example.vn")
    assert own.status_code == 422
    allowed = {"url": "http://127.0.0.1:9/x", "allow_internal": True, "allow_http": True}
    assert world.call("p1_editor", "POST", API, json=allowed).status_code == 403
    by_admin = world.call("admin", "POST", API, json={**allowed, "platform_id": world.ids["org_p2"]})
    assert by_admin.status_code == 201 and by_admin.get_json()["allow_internal"]


def test_the_hubs_own_host_name_is_refused(world):
    answer = world.client.post(
        API,
        json={"url": "https://hub.example.vn/api/v1/inbox"},
        headers=world.headers("p1_editor"),
        base_url="https://hub.example.vn",
    )
    assert answer.status_code == 422 and "hub itself" in answer.get_json()["message"]


def test_who_may_not(world):
    assert world.call("p1_machine", "POST", API, json={"url": PUBLIC}).status_code == 403
    assert world.call("p1_machine", "GET", API).status_code == 403
    assert world.call("reg_officer", "GET", API).status_code == 403
    assert world.call("hni_manager", "POST", API, json={"url": PUBLIC}).status_code in (403, 404)
    assert world.call(None, "GET", API).status_code == 401
    foreign = world.call("p1_editor", "POST", API, json={"url": PUBLIC, "platform_id": world.ids["org_p3"]})
    assert foreign.status_code == 404


def test_bad_input_gets_a_json_4xx(world):
    cases = [
        ({}, 422),
        ({"url": 5}, 422),
        ({"url": "not a url at all"}, 422),
        ({"url": "ftp://93.184.216.34/x"}, 422),
        ({"url": "https://user:pw@93.184.216.34/x"}, 422),
        ({"url": "https://93.184.216.34:99999/x"}, 422),
        ({"url": PUBLIC, "extra": 1}, 422),
        ({"url": PUBLIC, "platform_id": "x"}, 422),
        ({"url": PUBLIC, "platform_id": world.ids["org_reg"]}, 404),
        ({"url": "https://" + "a" * 2000 + ".vn/"}, 422),
        ({"url": "https://no-such-host.invalid/x"}, 422),
    ]
    for body, status in cases:
        answer = world.call(
            "admin",
            "POST",
            API,
            json={"platform_id": world.ids["org_p1"], **body} if "platform_id" not in body else body,
        )
        assert answer.status_code == status, (body, answer.get_json())
        assert answer.is_json and answer.get_json()["error"]
    malformed = world.client.post(API, data="{", headers={**world.headers("admin"), "Content-Type": "application/json"})
    assert malformed.status_code == 400 and malformed.get_json()["error"] == "malformed_json"
    assert world.call("admin", "GET", f"{API}/0").status_code == 422
    assert world.call("admin", "GET", f"{API}/999999").status_code == 404
    assert world.call("admin", "POST", f"{API}/999999/rotate").status_code == 404


def test_the_openapi_document_describes_webhooks(world):
    paths = world.client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {
        "/api/v1/webhooks",
        "/api/v1/webhooks/{webhook_id}",
        "/api/v1/webhooks/{webhook_id}/rotate",
        "/api/v1/webhooks/{webhook_id}/send-again",
    } <= set(paths)
