"""Bad input for every API call, driven from the OpenAPI document itself: malformed JSON, wrong types, unknown and
impossible ids, oversize bodies, unstorable strings and generated junk. No call may answer 500 (in tests a server
error raises), every refusal is a JSON error, and a refused call changes nothing."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub import create_app

API = "/api/v1"
INBOX_ROLE = "p1_machine"
PATH_IDS = {  # which world object each path parameter names, so that only the input under test is wrong
    "/api/v1/inbox/{directive_id}": "hni",
    "/api/v1/directives/{directive_id}": "draft",
    "{delivery_id}": "delivery_p1_central",
    "{question_id}": "question_p1",
    "{token_id}": "token_p3_machine",
    "{platform_id}": "org_p2",
    "{user_id}": "user_p3_editor",
    "{report_id}": "report_p1",
    "{org_id}": "org_p2",
    "{template_id}": "template",
    "{webhook_id}": "webhook",
}

FREE_TEXT = {"q", "kind", "province", "sort"}  # any short word is a valid filter (that may match nothing)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    body_fields: tuple[str, ...]
    query_fields: tuple[str, ...]
    has_body: bool
    list_fields: tuple[str, ...] = ()  # where a list of numbers is the right type

    @property
    def role(self) -> str:
        platform_side = self.path.startswith(f"{API}/inbox") or (self.path.endswith("ratio-reports") and self.has_body)
        return INBOX_ROLE if platform_side else "admin"

    def url(self, ids: dict[str, int], value: Any = None) -> str:
        url = self.path
        for key, name in PATH_IDS.items():
            if key in url:
                param = "{" + key.split("{")[1]
                url = url.replace(param, str(ids[name] if value is None else value))
        return url


def _operations() -> list[Operation]:
    """The document's operations, read from an app on a private, throwaway folder (another checkout's database,
    with other migrations, must never be opened)."""
    with tempfile.TemporaryDirectory(prefix="hub-openapi-") as folder:
        app = create_app({"instance_path": folder, "scheduler_enabled": False}, environ=False)
        spec = app.api_doc
        app.extensions["hub"].engine.dispose()
    schemas = spec["components"]["schemas"]
    found = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            props = schemas[body["$ref"].rsplit("/", 1)[1]].get("properties", {}) if "$ref" in body else {}
            query = tuple(p["name"] for p in op.get("parameters", []) if p["in"] == "query")
            lists = tuple(name for name, prop in props.items() if prop.get("type") == "array")
            found.append(Operation(method.upper(), path, tuple(props), query, bool(body), lists))
    return found


OPERATIONS = _operations()
WRITES = [op for op in OPERATIONS if op.method != "GET"]
WITH_IDS = [op for op in OPERATIONS if "{" in op.path]
WITH_BODY = [op for op in OPERATIONS if op.has_body]
WITH_QUERY = [op for op in OPERATIONS if op.query_fields]


def _id(op: Operation) -> str:
    return f"{op.method} {op.path.removeprefix(API)}"


def _send(world, op: Operation, *, url: str | None = None, data: Any = None, content_type="application/json"):
    return world.client.open(
        url or op.url(world.ids),
        method=op.method,
        headers=world.headers(op.role),
        data=data,
        content_type=content_type,
    )


def _refused(world, response, before: int, *statuses: int) -> None:
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert body["error"] and body["message"]
    assert world.event_count() == before


@pytest.mark.parametrize("op", WRITES, ids=_id)
def test_malformed_or_non_json_bodies_are_400(world, op):
    before = world.event_count()
    for data in ('{"title": ', "{'single': 1}", "\xff\xfe", "[" * 50_000):
        response = _send(world, op, data=data)
        _refused(world, response, before, 400)
        assert response.get_json()["error"] == "malformed_json"
    _refused(world, _send(world, op, data="title=x", content_type="application/x-www-form-urlencoded"), before, 400)


@pytest.mark.parametrize("op", WRITES, ids=_id)
def test_bodies_that_are_not_objects_are_422(world, op):
    before = world.event_count()
    for data in ("[]", '"text"', "42", "null", "true"):
        _refused(world, _send(world, op, data=data), before, 422)


@pytest.mark.parametrize("op", WITH_BODY, ids=_id)
def test_missing_fields_unknown_fields_and_wrong_types_are_422(world, op):
    before = world.event_count()
    _refused(world, _send(world, op, data="{}"), before, 422)
    _refused(world, _send(world, op, data='{"no_such_field": 1}'), before, 422)
    for field in op.body_fields:
        for wrong in ({"nested": True}, [1, 2], 10**30, -1.5):
            if wrong == [1, 2] and field in op.list_fields:
                continue
            _refused(world, _send(world, op, data=json.dumps({field: wrong})), before, 422)
    details = _send(world, op, data='{"no_such_field": 1}').get_json()["details"]
    assert any("no_such_field" in item["loc"] for item in details)


@pytest.mark.parametrize("op", WITH_BODY, ids=_id)
def test_strings_no_database_can_store_are_422(world, op):
    before = world.event_count()
    for text in ('"a\\u0000b"', '"\\ud800"'):
        data = "{" + ", ".join(f'"{f}": {text}' for f in op.body_fields) + "}"
        _refused(world, _send(world, op, data=data), before, 422)


@pytest.mark.parametrize("op", WRITES, ids=_id)
def test_oversize_bodies_are_413(world, op):
    before = world.event_count()
    size = 1_100_000
    if op.path.endswith("/attachments"):  # file uploads take a full report's files, and no more
        size = world.app.extensions["hub"].upload_body_limit + 1
    data = json.dumps({"title": "x" * size})
    _refused(world, _send(world, op, data=data), before, 413)


@pytest.mark.parametrize("op", WITH_IDS, ids=_id)
def test_unknown_and_impossible_ids(world, op):
    before = world.event_count()
    _refused(world, _send(world, op, url=op.url(world.ids, 999_999), data="{}"), before, 404, 422)
    if op.method == "GET" or not op.has_body:
        _refused(world, _send(world, op, url=op.url(world.ids, 999_999)), before, 404)
    _refused(world, _send(world, op, url=op.url(world.ids, 2**70)), before, 404, 422)
    for impossible in ("0", "-1", "abc", "1.5"):
        _refused(world, _send(world, op, url=op.url(world.ids, impossible)), before, 404, 422)


@pytest.mark.parametrize("op", WITH_QUERY, ids=_id)
def test_bad_query_parameters_are_422(world, op):
    before = world.event_count()
    for field in op.query_fields:
        if field in FREE_TEXT and not (field == "kind" and "directives" in op.path):
            wrongs: tuple[str, ...] = ("x" * 300, "%00")
        elif field in ("since", "until") and op.path.endswith("/events"):
            wrongs = ("abc", "2026-01-01T00:00:00", "9999-12-31T23:59:59-05:00", "%00")  # a number is a Unix time
        else:
            wrongs = ("-1", "x" * 300, "abc", "%00")
        for wrong in wrongs:
            _refused(world, _send(world, op, url=f"{op.url(world.ids)}?{field}={wrong}"), before, 422)


def test_wrong_methods_and_unknown_paths_answer_json(world):
    for method, url in (("DELETE", "/directives"), ("PUT", "/inbox"), ("GET", "/tokens/1/revoke")):
        response = world.call("admin", method, API + url)
        assert response.status_code == 405 and response.get_json()["error"] == "method_not_allowed"
    response = world.call("admin", "GET", f"{API}/nothing-here")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_illegal_transitions_are_409_and_change_nothing(world):
    ids = world.ids
    before = world.event_count()
    for who, url, body in (
        ("reg_officer", f"/directives/{ids['central']}/publish", None),
        ("reg_officer", f"/directives/{ids['central']}/schedule", {"publish_at": "2099-01-01T00:00:00Z"}),
        ("reg_officer", f"/directives/{ids['draft']}/amend", {"title": "A", "body": "B", "audience": {"all": True}}),
        ("reg_officer", f"/deliveries/{ids['delivery_p3_central']}/review", {"verdict": "verified"}),
        ("p1_machine", f"/inbox/{ids['central']}/status", {"state": "in_progress"}),
    ):
        _refused(world, world.call(who, "POST", API + url, json=body), before, 409)


def test_wrong_dates_are_422(world):
    before = world.event_count()
    base = {"title": "A", "body": "B", "audience": {"all": True}}
    for dates in (
        {"publish_at": "2001-01-01T00:00:00Z"},
        {"publish_at": "2099-01-01T00:00:00"},
        {"publish_at": "2099-02-30T00:00:00Z"},
        {"publish_at": "next week"},
        {"ack_due_at": "2001-01-01T00:00:00Z"},
        {"ack_due_at": "2099-01-02T00:00:00Z", "implement_due_at": "2099-01-01T00:00:00Z"},
        {"expires_at": "99999-01-01T00:00:00Z"},
        {"expires_at": "9999-12-31T23:59:59-05:00"},
        {"publish_at": "0001-01-01T00:00:00+05:00"},
    ):
        _refused(world, world.call("reg_officer", "POST", f"{API}/directives", json={**base, **dates}), before, 422)
    schedule = f"{API}/directives/{world.ids['draft']}/schedule"
    for when in ("9999-12-31T23:59:59-05:00", "2001-01-01T00:00:00Z", "2099-01-01", "soon"):
        _refused(world, world.call("reg_officer", "POST", schedule, json={"publish_at": when}), before, 422)


# The same examples on every run (so CI never flakes on a new one), and no example database left in the worktree.
JUNK = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@pytest.mark.parametrize("op", WITH_BODY, ids=_id)
@JUNK
@given(data=st.data())
def test_generated_junk_never_breaks_a_call(world, op, data):
    keys = st.sampled_from(op.body_fields) | st.text(max_size=10) if op.body_fields else st.text(max_size=10)
    body = data.draw(st.dictionaries(keys, JSON_VALUES, max_size=6))
    before = world.event_count()
    response = _send(world, op, data=json.dumps(body))
    assert response.status_code < 500
    if response.status_code >= 400:
        _refused(world, response, before, response.status_code)


READS = [op for op in OPERATIONS if op.method == "GET" and op.query_fields]


@pytest.mark.parametrize("op", READS, ids=_id)
@JUNK
@given(data=st.data())
def test_generated_query_junk_never_breaks_a_list(world, op, data):
    query = data.draw(st.dictionaries(st.sampled_from(op.query_fields), st.text(max_size=20), max_size=4))
    response = world.client.get(op.url(world.ids), query_string=query, headers=world.headers(op.role))
    assert response.status_code < 500
    if response.status_code >= 400:
        assert response.get_json()["error"]
