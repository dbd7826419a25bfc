"""The bad-input sweep once more on PostgreSQL, whose limits SQLite does not have: 32-bit integer columns, no NUL
in text, bounded varchar. Every operation of the OpenAPI document gets out-of-range ids, long and odd strings and
large numbers; none may answer 500."""

from __future__ import annotations

import json

from tests.web.test_api_bad_input import OPERATIONS

ODD_VALUES = ("x" * 400, 2**31 + 7, -(2**31) - 1, "a\u0000b", "\u00e9" * 300)
ODD_QUERY = ("x" * 300, str(2**31 + 3), str(2**62), "9999-12-31T23:59:59Z", "\u00e9" * 8)


def test_no_bad_input_breaks_a_call_on_postgresql(pg_world):
    w = pg_world
    for op in OPERATIONS:
        urls = [op.url(w.ids)] + ([op.url(w.ids, 2**31 + 5)] if "{" in op.path else [])
        for url in urls:
            bodies = ["{}"] + [json.dumps(dict.fromkeys(op.body_fields, v)) for v in ODD_VALUES]
            for body in bodies if op.method != "GET" else ["{}"]:
                with w.client.open(
                    url, method=op.method, headers=w.headers(op.role), data=body, content_type="application/json"
                ) as response:
                    assert response.status_code < 500, (op.method, url, body[:80])
        if op.method == "GET":
            for field in op.query_fields:
                for value in ODD_QUERY:
                    with w.client.get(op.url(w.ids), query_string={field: value}, headers=w.headers(op.role)) as r:
                        assert r.status_code < 500, (op.path, field, value)


def test_the_largest_accepted_values_fit_postgresql(pg_world):
    w = pg_world
    biggest = 2**31 - 1
    for who, url, body in (
        ("p1_machine", "/ratio-reports", {**_period(), "items_published": biggest, "negative_items": biggest}),
        ("admin", "/tokens", {"label": "l" * 100, "platform_id": biggest}),
        ("reg_officer", "/directives", {"title": "t" * 300, "body": "b" * 50_000, "audience": {"all": True}}),
    ):
        response = w.call(who, "POST", "/api/v1" + url, json=body)
        assert response.status_code in (201, 404), response.get_json()


def _period() -> dict[str, str]:
    return {"period_start": "2025-01-01", "period_end": "2025-01-31"}
