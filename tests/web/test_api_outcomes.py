"""The API answers ``changed`` from what the core did, never from a timestamp that happens to equal the clock."""

from __future__ import annotations

from hub import clock

API = "/api/v1"


def test_a_receipt_after_an_acknowledgement_at_the_same_instant_changes_nothing(world, monkeypatch):
    at = clock.now()
    monkeypatch.setattr(clock, "now", lambda: at)  # both calls land within one tick of the clock
    hni = world.ids["hni"]
    acknowledged = world.call("p1_machine", "POST", f"{API}/inbox/{hni}/acknowledge").get_json()
    assert acknowledged["changed"] is True and acknowledged["state"] == "acknowledged"
    receipt = world.call("p1_machine", "POST", f"{API}/inbox/{hni}/receipt").get_json()
    assert receipt["changed"] is False and receipt["state"] == "acknowledged"


def test_creating_and_publishing_in_one_call_refused_leaves_no_draft(world):
    draft = {"title": "Nobody", "body": "B", "audience": {"platforms": ["NOPE"]}, "publish": True}
    refused = world.call("reg_officer", "POST", f"{API}/directives", json=draft)
    assert refused.status_code == 404 and refused.get_json()["error"] == "not_found"  # an unknown platform code
    listed = world.call("reg_officer", "GET", f"{API}/directives?q=Nobody").get_json()
    assert listed["items"] == []
