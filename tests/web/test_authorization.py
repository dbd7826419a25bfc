"""The authorization matrix: every role of every kind of organisation against every API call, on its own objects
and on foreign ones (another province's directive, another platform's delivery or token). Only the allowed calls
succeed; a refused call changes nothing; foreign objects that the caller may not know of answer 404."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import pytest

ROLES = (
    "admin",
    "reg_officer",
    "reg_manager",
    "hni_officer",
    "hni_manager",
    "p1_editor",
    "p1_machine",
    None,  # anonymous
)
AUTHENTICATED = frozenset(r for r in ROLES if r)
CENTRAL = frozenset({"admin", "reg_officer", "reg_manager"})
READERS = CENTRAL | {"hni_officer", "hni_manager"}
CENTRAL_ISSUERS = frozenset({"admin", "reg_officer"})
ISSUERS = CENTRAL_ISSUERS | {"hni_officer"}
P1 = frozenset({"p1_editor", "p1_machine"})
HNI = frozenset({"hni_officer", "hni_manager"})
DRAFT = {"title": "Matrix", "body": "Body", "audience": {"all": True}}
REPORT = {"period_start": "2026-02-01", "period_end": "2026-02-28", "items_published": 10, "negative_items": 1}


@dataclass(frozen=True)
class Op:
    """One API call: who may make it, and who must get a 404 because the object is foreign to them."""

    name: str
    method: str
    url: str
    allowed: frozenset[str]
    body: dict[str, Any] | None = None
    hidden: frozenset[str] = field(default_factory=frozenset)


OPS = [
    Op("list directives", "GET", "/directives", READERS),
    Op("show directive", "GET", "/directives/{central}", READERS),
    Op("show foreign province's directive", "GET", "/directives/{hcm}", CENTRAL, hidden=HNI),
    Op("create draft", "POST", "/directives", ISSUERS, DRAFT),
    Op("create and publish", "POST", "/directives", ISSUERS, {**DRAFT, "publish": True}),
    Op(
        "address a foreign province",
        "POST",
        "/directives",
        CENTRAL_ISSUERS,
        {**DRAFT, "audience": {"provinces": ["HCM"]}},
    ),
    Op("edit draft", "PUT", "/directives/{draft}", CENTRAL_ISSUERS, DRAFT, hidden=frozenset({"hni_officer"})),
    Op("publish draft", "POST", "/directives/{draft}/publish", CENTRAL_ISSUERS, hidden=frozenset({"hni_officer"})),
    Op(
        "schedule draft",
        "POST",
        "/directives/{draft}/schedule",
        CENTRAL_ISSUERS,
        {"publish_at": "2099-01-01T00:00:00Z"},
        hidden=frozenset({"hni_officer"}),
    ),
    Op("revoke", "POST", "/directives/{central}/revoke", CENTRAL_ISSUERS, {"reason": "wrong"}),
    Op(
        "revoke foreign province's",
        "POST",
        "/directives/{hcm}/revoke",
        CENTRAL_ISSUERS,
        {"reason": "wrong"},
        hidden=frozenset({"hni_officer"}),
    ),
    Op("revoke own province's", "POST", "/directives/{hni}/revoke", ISSUERS, {"reason": "wrong"}),
    Op("amend", "POST", "/directives/{central}/amend", CENTRAL_ISSUERS, {**DRAFT, "title": "Amended"}),
    Op("deliveries", "GET", "/directives/{central}/deliveries", READERS),
    Op("foreign province's deliveries", "GET", "/directives/{hcm}/deliveries", CENTRAL, hidden=HNI),
    Op("review", "POST", "/deliveries/{delivery_p1_central}/review", CENTRAL_ISSUERS, {"verdict": "verified"}),
    Op(
        "review foreign province's",
        "POST",
        "/deliveries/{delivery_p3_hcm}/review",
        CENTRAL_ISSUERS,
        {"verdict": "verified"},
        hidden=frozenset({"hni_officer"}),
    ),
    Op("answer", "POST", "/questions/{question_p1}/answer", CENTRAL_ISSUERS, {"text": "this"}),
    Op(
        "answer foreign province's",
        "POST",
        "/questions/{question_p3}/answer",
        CENTRAL_ISSUERS,
        {"text": "this"},
        hidden=frozenset({"hni_officer"}),
    ),
    Op("inbox", "GET", "/inbox?since=0", P1),
    Op("receipt", "POST", "/inbox/{hni}/receipt", P1),
    Op("acknowledge", "POST", "/inbox/{hni}/acknowledge", P1),
    Op("status", "POST", "/inbox/{hni}/status", P1, {"state": "in_progress"}),
    Op("question", "POST", "/inbox/{hni}/questions", P1, {"text": "why?"}),
    Op("receipt of another platform's", "POST", "/inbox/{hcm}/receipt", frozenset(), hidden=P1),
    Op("acknowledge another platform's", "POST", "/inbox/{hcm}/acknowledge", frozenset(), hidden=P1),
    Op("status of another platform's", "POST", "/inbox/{hcm}/status", frozenset(), {"state": "in_progress"}, hidden=P1),
    Op("question on another platform's", "POST", "/inbox/{hcm}/questions", frozenset(), {"text": "?"}, hidden=P1),
    Op("submit ratio report", "POST", "/ratio-reports", P1, REPORT),
    Op("list ratio reports", "GET", "/ratio-reports", AUTHENTICATED),
    Op("events", "GET", "/events", READERS),
    Op("events as CSV", "GET", "/events?format=csv", READERS),
    Op("list organisations", "GET", "/organisations", AUTHENTICATED),
    Op(
        "register organisation",
        "POST",
        "/organisations",
        frozenset({"admin"}),
        {"kind": "platform", "code": "NEWP", "name": "New", "province": "HNI", "platform_kind": "news_site"},
    ),
    Op("list users", "GET", "/users", AUTHENTICATED - {"p1_machine"}),
    Op(
        "create user",
        "POST",
        "/users",
        frozenset({"admin"}),
        {"org_id": "{org_p1}", "role": "editor", "login": "new.editor", "display_name": "N", "password": "x" * 12},
    ),
    Op("list tokens", "GET", "/tokens", AUTHENTICATED),
    Op(
        "issue own platform's token",
        "POST",
        "/tokens",
        frozenset({"admin", "p1_editor"}),
        {"label": "cms", "platform_id": "{org_p1}"},
    ),
    Op(
        "issue another platform's token",
        "POST",
        "/tokens",
        frozenset({"admin"}),
        {"label": "cms", "platform_id": "{org_p3}"},
        hidden=P1,
    ),
    Op("revoke own platform's token", "POST", "/tokens/{token_p1_machine}/revoke", frozenset({"admin", "p1_editor"})),
    Op("delete own platform's token", "DELETE", "/tokens/{token_p1_machine}", frozenset({"admin", "p1_editor"})),
    Op(
        "revoke another platform's token",
        "POST",
        "/tokens/{token_p3_machine}/revoke",
        frozenset({"admin"}),
        hidden=AUTHENTICATED - {"admin"},
    ),
    Op("signing key", "GET", "/signing-key", frozenset(ROLES)),
]


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


CASES = [pytest.param(op, role, id=f"{op.name}-{role or 'anonymous'}") for op in OPS for role in ROLES]


@pytest.mark.parametrize(("op", "role"), CASES)
def test_only_allowed_roles_succeed(world, op: Op, role: str | None):
    before = world.event_count()
    url = "/api/v1" + op.url.format(**world.ids)
    response = world.call(role, op.method, url, json=_fill(op.body, world.ids))
    if role in op.allowed:
        assert response.status_code in (200, 201), response.get_json()
        return
    expected = {401} if role is None else {404} if role in op.hidden else {403, 404}
    assert response.status_code in expected, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"]
    assert world.event_count() == before


def _items(world, role: str, url: str) -> tuple[list[dict[str, Any]], int]:
    response = world.call(role, "GET", "/api/v1" + url)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return body["items"], body.get("total", len(body["items"]))


def _hni_may_see(event: dict, ids: dict) -> bool:
    """HNI's own and its platforms' events, and the directive-level events of directives that reach HNI."""
    directive_level = event["delivery_id"] is None and event["directive_id"] in (ids["central"], ids["hni"])
    return event["province"] == "HNI" or event["org_id"] == ids["org_hni"] or directive_level


def test_a_province_lists_and_counts_only_its_own(world):
    ids = world.ids
    for role in sorted(HNI):
        items, total = _items(world, role, "/directives")
        assert {d["id"] for d in items} == {ids["central"], ids["hni"]} and total == 2
        items, total = _items(world, role, f"/directives/{ids['central']}/deliveries")
        assert {d["platform"]["code"] for d in items} == {"P1", "P2"} and total == 2
        progress = world.call(role, "GET", f"/api/v1/directives/{ids['central']}").get_json()["progress"]
        assert progress["total"] == 2 and progress["implemented"] == 1
        items, total = _items(world, role, "/events?per_page=500")
        assert items and all(_hni_may_see(e, ids) for e in items)
        items, _ = _items(world, role, "/organisations")
        assert {o["code"] for o in items} == {"SO-HNI", "P1", "P2"}
        items, total = _items(world, role, "/ratio-reports")
        assert [r["platform"]["code"] for r in items] == ["P1"] and total == 1
        items, _ = _items(world, role, "/users")
        assert {u["org_id"] for u in items} == {ids["org_hni"]}
        items, _ = _items(world, role, "/tokens")
        assert [t["user_id"] for t in items] == [ids[f"user_{role}"]]


def test_a_province_csv_export_holds_only_its_own_events(world):
    text = world.call("hni_manager", "GET", "/api/v1/events?format=csv").get_data(as_text=True)
    rows = text.splitlines()[1:]
    assert rows
    for row in csv.DictReader(io.StringIO(text)):
        event = {**row, "org_id": int(row["org_id"] or 0), "directive_id": int(row["directive_id"] or 0)}
        event["delivery_id"] = row["delivery_id"] or None
        assert _hni_may_see(event, world.ids)


def test_a_platform_sees_only_its_own(world):
    ids = world.ids
    for role in sorted(P1):
        items = world.call(role, "GET", "/api/v1/inbox").get_json()["items"]
        assert {i["id"] for i in items} == {ids["central"], ids["hni"]}
        items, total = _items(world, role, "/ratio-reports")
        assert [r["platform"]["code"] for r in items] == ["P1"] and total == 1
        items, total = _items(world, role, "/organisations")
        assert [o["code"] for o in items] == ["P1"] and total == 1
        items, _ = _items(world, role, "/tokens")
        assert {t["org_id"] for t in items} == {ids["org_p1"]}
    items, _ = _items(world, "p1_editor", "/users")
    assert {u["org_id"] for u in items} == {ids["org_p1"]}


def test_the_central_regulator_sees_everything(world):
    items, total = _items(world, "reg_manager", f"/directives/{world.ids['central']}/deliveries")
    assert {d["platform"]["code"] for d in items} == {"P1", "P2", "P3"} and total == 3
    items, total = _items(world, "reg_manager", "/ratio-reports")
    assert total == 2
    items, total = _items(world, "admin", "/tokens")
    assert total == len(world.tokens)


def test_a_revoked_token_is_refused_at_once(world):
    assert world.call("admin", "POST", f"/api/v1/tokens/{world.ids['token_p1_machine']}/revoke").status_code == 200
    response = world.call("p1_machine", "GET", "/api/v1/inbox")
    assert response.status_code == 401 and response.get_json()["error"] == "unauthenticated"
