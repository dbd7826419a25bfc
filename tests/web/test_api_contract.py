"""The API keeps the promises of its own OpenAPI document: what it documents as invalid is refused with a documented
4xx naming the field, anonymous calls are 401 with a challenge, and every answer's content type is documented."""

from __future__ import annotations

import pytest

from hub.provinces import PROVINCES

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


def _document(world) -> dict:
    return world.client.get(f"{API}/openapi.json").get_json()


def _query_schema(world, path: str, name: str) -> dict:
    spec = _document(world)
    params = spec["paths"][f"{API}{path}"]["get"]["parameters"]
    return next(p["schema"] for p in params if p["name"] == name)


def _enum(schema: dict) -> set:
    """The values an (optional) parameter or property documents."""
    found = set(schema.get("enum", ()))
    for option in schema.get("anyOf", ()):
        found |= set(option.get("enum", ()))
    return found


def test_a_delivery_list_sorts_only_by_the_documented_columns(world):
    url = f"{API}/directives/{world.ids['central']}/deliveries"
    documented = _enum(_query_schema(world, "/directives/{directive_id}/deliveries", "sort"))
    assert {"seq", "-seq", "platform", "-due_at"} <= documented
    for sort in sorted(documented):
        assert world.call("reg_manager", "GET", f"{url}?sort={sort}").status_code == 200, sort
    for sort in ("nonsense", "--seq", "seq "):
        response = world.call("reg_manager", "GET", f"{url}?sort={sort}")
        assert response.status_code == 422, sort
        assert "sort" in _fields(response)


@pytest.mark.parametrize("body", [{"publish": 0}, {"publish": "false"}, {"exercise": 1}, {"audience": {"all": 1}}])
def test_a_boolean_in_a_directive_is_a_json_boolean(world, body):
    before = world.call("reg_officer", "GET", f"{API}/directives").get_json()["total"]
    response = world.call("reg_officer", "POST", f"{API}/directives", json={**DRAFT, "audience": {"all": True}, **body})
    assert response.status_code == 422, response.get_json()
    assert next(iter(body)) in _fields(response)
    assert world.call("reg_officer", "GET", f"{API}/directives").get_json()["total"] == before


def test_publishing_to_an_audience_that_matches_no_platform_is_a_documented_409(world):
    nobody = {**DRAFT, "audience": {"provinces": ["AGG"]}}  # a province without platforms in this world
    before = world.call("reg_officer", "GET", f"{API}/directives").get_json()["total"]
    created = world.call("reg_officer", "POST", f"{API}/directives", json={**nobody, "publish": True})
    assert created.status_code == 409, created.get_json()
    body = created.get_json()
    assert (body["error"], body["code"], body["message"]) == (
        "conflict",
        "audience_matches_none",
        "the audience matches no platform",
    )
    assert body["request_id"] == created.headers["X-Request-ID"]
    assert world.call("reg_officer", "GET", f"{API}/directives").get_json()["total"] == before
    assert world.call("reg_officer", "POST", f"{API}/directives", json=nobody).status_code == 201  # a draft may wait


def test_an_amendment_that_matches_no_platform_is_a_documented_409(world):
    url = f"{API}/directives/{world.ids['central']}"
    amended = world.call("reg_officer", "POST", f"{url}/amend", json={**DRAFT, "audience": {"provinces": ["AGG"]}})
    assert amended.status_code == 409, amended.get_json()
    assert amended.get_json()["message"] == "the audience matches no platform"
    assert "409" in _document(world)["paths"][f"{API}/directives/{{directive_id}}/amend"]["post"]["responses"]
    original = world.call("reg_officer", "GET", url).get_json()
    assert (original["status"], original["superseded_by_id"]) == ("published", None)


def test_a_status_report_documents_exactly_the_four_states_a_platform_may_report(world):
    spec = _document(world)
    body = spec["components"]["schemas"]["StatusBody"]
    assert set(body["properties"]["state"]["enum"]) == {"acknowledged", "in_progress", "implemented", "declined"}
    url = f"{API}/inbox/{world.ids['hni']}/status"
    for state in ("pending", "delivered"):
        response = world.call("p1_machine", "POST", url, json={"state": state})
        assert response.status_code == 422, state
        assert "state" in _fields(response)
    for state in ("implemented", "declined"):  # the document requires a text for these two
        assert world.call("p1_machine", "POST", url, json={"state": state, "report": "  "}).status_code == 422
    assert world.call("p1_machine", "POST", url, json={"state": "in_progress"}).status_code == 200


def test_a_ratio_report_for_a_directive_outside_the_inbox_is_404_and_not_stored(world):
    body = {"period_start": "2025-03-01", "period_end": "2025-03-31", "items_published": 10, "negative_items": 1}
    for directive_id in (world.ids["hcm"], 2**31 - 1):  # another province's directive, and one that does not exist
        response = world.call("p1_machine", "POST", f"{API}/ratio-reports", json={**body, "directive_id": directive_id})
        assert response.status_code == 404, response.get_json()
        assert response.get_json()["error"] == "not_found"
    reports = world.call("reg_manager", "GET", f"{API}/ratio-reports?platform_id={world.ids['org_p1']}").get_json()
    assert reports["total"] == 1  # only the world's January report


@pytest.mark.parametrize("path", ["/escalations", "/events", "/organisations", "/ratio-reports"])
def test_a_province_filter_is_a_documented_province_code(world, path):
    assert _enum(_query_schema(world, path, "province")) == set(PROVINCES)
    assert world.call("admin", "GET", f"{API}{path}?province=HNI").status_code == 200
    for wrong in ("H%00NI", "NOWHERE", "hni"):
        response = world.call("admin", "GET", f"{API}{path}?province={wrong}")
        assert response.status_code == 422, wrong
        assert "province" in _fields(response)


def test_an_organisation_s_province_is_a_known_code_and_required_where_it_places_one(world):
    assert _enum(_document(world)["components"]["schemas"]["OrganisationIn"]["properties"]["province"]) == set(
        PROVINCES
    )
    platform = {"kind": "platform", "code": "PX", "name": "X", "province": "HNI", "platform_kind": "news_site"}
    for wrong in ({"province": "XYZ"}, {"province": None}, {"platform_kind": None}, {"name": "  "}):
        response = world.call("admin", "POST", f"{API}/organisations", json={**platform, **wrong})
        assert response.status_code == 422, wrong
    assert world.call("admin", "GET", f"{API}/organisations?q=PX").get_json()["total"] == 0
    assert world.call("admin", "POST", f"{API}/organisations", json=platform).status_code == 201


def test_a_role_the_organisation_s_kind_cannot_have_is_a_documented_409(world):
    role = _document(world)["components"]["schemas"]["UserIn"]["properties"]["role"]
    assert "platform: editor" in role["description"]
    user = {"role": "editor", "login": "ed.x", "display_name": "Ed", "password": "long-enough-pw"}
    response = world.call("admin", "POST", f"{API}/users", json={**user, "org_id": world.ids["org_reg"]})
    assert response.status_code == 409, response.get_json()
    assert response.get_json()["message"] == "a regulator organisation cannot have the role editor"
    assert world.call("admin", "GET", f"{API}/users?role=editor").get_json()["total"] == 2
