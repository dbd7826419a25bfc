"""Word search over the JSON API: directives and the log, diacritics ignored (core behaviour on both databases is in
tests/core/test_search.py)."""

from __future__ import annotations

from urllib.parse import quote

API = "/api/v1"
STORM = {
    "title": "Cảnh báo bão số 15",
    "body": "Đề nghị gỡ tin sai về **đường đi** của bão.",
    "audience": {"all": True},
    "publish": True,
}


def test_directives_and_their_events_are_found_by_words_without_diacritics(world):
    storm = world.call("reg_officer", "POST", f"{API}/directives", json=STORM).get_json()

    found = world.call("reg_manager", "GET", f"{API}/directives?q={quote('bao so 15')}").get_json()
    by_body = world.call("reg_manager", "GET", f"{API}/directives?q={quote('DUONG DI')}").get_json()
    events = world.call("reg_manager", "GET", f"{API}/events?q={quote('bão số 15')}").get_json()
    exported = world.call("reg_manager", "GET", f"{API}/events?format=csv&q={quote('bao so 15')}")

    assert [d["id"] for d in found["items"]] == [storm["id"]]
    assert [d["id"] for d in by_body["items"]] == [storm["id"]]
    assert events["total"] and {e["directive_id"] for e in events["items"]} == {storm["id"]}
    assert exported.status_code == 200 and len(exported.get_data(as_text=True).splitlines()) == events["total"] + 1


def test_a_search_for_words_nobody_wrote_finds_nothing_and_is_not_an_error(world):
    for q in ("bao so 16", '" OR NEAR(', "đ" * 200):
        answer = world.call("reg_manager", "GET", f"{API}/directives?q={quote(q)}")
        assert answer.status_code == 200 and answer.get_json()["items"] == [], q
