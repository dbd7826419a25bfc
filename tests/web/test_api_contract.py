"""The API keeps the promises of its own OpenAPI document: what it documents as invalid is refused with a documented
4xx naming the field, anonymous calls are 401 with a challenge, and every answer's content type is documented."""

from __future__ import annotations

import pytest

API = "/api/v1"
DRAFT = {"title": "A draft", "body": "Text."}


def _fields(response) -> set[str]:
    """The fields a refusal names, in its details or its message."""
    body = response.get_json()
    named = {str(part) for item in body.get("details") or [] for part in item.get("loc", ())}
    return named | {body["message"].split(":")[0]}


@pytest.mark.parametrize("audience", [{}, {"all": False}, {"provinces": [], "platforms": []}])
def test_a_draft_with_an_empty_audience_is_refused_at_create(world, audience):
    response = world.call("reg_officer", "POST", f"{API}/directives", json={**DRAFT, "audience": audience})
    assert response.status_code == 422, response.get_json()
    assert "audience" in _fields(response)


def test_a_draft_cannot_be_edited_to_an_empty_audience(world):
    url = f"{API}/directives/{world.ids['draft']}"
    response = world.call("reg_officer", "PUT", url, json={**DRAFT, "audience": {}})
    assert response.status_code == 422, response.get_json()
    assert "audience" in _fields(response)
    assert world.call("reg_officer", "GET", url).get_json()["audience"]["all"] is True


@pytest.mark.parametrize("field", ["remind_limit", "remind_interval_minutes", "escalate_after_minutes"])
def test_booleans_are_not_integers_in_a_directive(world, field):
    body = {**DRAFT, "audience": {"all": True}, field: False}
    response = world.call("reg_officer", "POST", f"{API}/directives", json=body)
    assert response.status_code == 422, response.get_json()
    assert field in _fields(response)


@pytest.mark.parametrize("field", ["items_published", "negative_items"])
def test_booleans_are_not_integers_in_a_ratio_report(world, field):
    body = {"period_start": "2025-03-01", "period_end": "2025-03-31", "items_published": 10, "negative_items": 1}
    response = world.call("p1_machine", "POST", f"{API}/ratio-reports", json={**body, field: False})
    assert response.status_code == 422, response.get_json()
    assert field in _fields(response)


@pytest.mark.parametrize("value", ["0.5", "0", "1767225600", "2026-01-01", "2026-01-01T00:00:00"])
def test_a_time_parameter_must_be_a_date_time_with_a_zone(world, value):
    response = world.call("reg_manager", "GET", f"{API}/events?until={value}")
    assert response.status_code == 422, response.get_json()
    assert "until" in _fields(response)


@pytest.mark.parametrize("query", ["page=1.0", "page=1.5", "page=true", "since=0.5", "per_page=%201"])
def test_an_integer_parameter_must_be_an_integer(world, query):
    who, path = ("p1_machine", "inbox") if query.startswith("since") else ("reg_manager", "events")
    response = world.call(who, "GET", f"{API}/{path}?{query}")
    assert response.status_code == 422, response.get_json()
    assert query.split("=")[0] in _fields(response)


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/deliveries/1/remind"),
        ("POST", "/platforms/1/rectify"),
        ("GET", "/deliveries/1/deadlines"),
        ("GET", "/escalations"),
        ("POST", "/directives"),
        ("POST", "/inbox/1/acknowledge"),
    ],
)
def test_anonymous_calls_are_401_with_a_bearer_challenge(world, method, path):
    response = world.call(None, method, f"{API}{path}", json={"title": "x"})
    assert response.status_code == 401, response.get_json()
    assert response.get_json()["error"] == "unauthenticated"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_csv_export_answers_a_documented_content_type(world):
    spec = world.client.get(f"{API}/openapi.json").get_json()
    documented = spec["paths"][f"{API}/events"]["get"]["responses"]["200"]["content"]
    response = world.call("reg_manager", "GET", f"{API}/events?format=csv")
    assert response.status_code == 200
    assert response.mimetype in documented
    assert "application/json" in documented


@pytest.mark.parametrize(
    "who, path, body, field",
    [
        ("reg_officer", "/directives", {**DRAFT, "title": "a\u0000b", "audience": {"all": True}}, "title"),
        ("reg_officer", "/directives", {**DRAFT, "audience": {"platforms": ["P1\u0000"]}}, "audience.platforms.0"),
        ("p1_machine", "/inbox/{central}/questions", {"text": "why\u0000"}, "text"),
        ("admin", "/organisations", {"kind": "platform", "code": "PX", "name": "\ud800"}, "name"),
    ],
)
def test_unstorable_text_in_a_body_is_422_naming_the_field(world, who, path, body, field):
    response = world.call(who, "POST", API + path.format(**world.ids), json=body)
    assert response.status_code == 422, response.get_json()
    assert field in _fields(response)


@pytest.mark.parametrize("query, field", [("q=a%00b", "q"), ("kind=%00", "kind"), ("province=HN%00I", "province")])
def test_unstorable_text_in_a_query_is_422_naming_the_parameter(world, query, field):
    response = world.call("reg_manager", "GET", f"{API}/events?{query}")
    assert response.status_code == 422, response.get_json()
    assert field in _fields(response)
