"""A platform's inbox over HTTP: polling in order, the three facts (idempotent), questions, signatures."""

from __future__ import annotations

from hub.core import signing

API = "/api/v1"


def _post(world, who, url, body=None):
    return world.call(who, "POST", API + url, json=body)


def test_inbox_returns_the_platforms_deliveries_after_since_in_order(world):
    body = world.call("p1_machine", "GET", f"{API}/inbox?since=0").get_json()
    assert [i["seq"] for i in body["items"]] == [1, 2] and body["head"] == 2
    first = body["items"][0]
    assert first["id"] == world.ids["central"] and first["state"] == "implemented"
    assert first["ref_no"] and first["title"] == "Central" and first["signature"] and first["issuer"]
    later = world.call("p1_editor", "GET", f"{API}/inbox?since=1").get_json()
    assert [i["id"] for i in later["items"]] == [world.ids["hni"]]
    assert len(world.call("p1_editor", "GET", f"{API}/inbox?limit=1").get_json()["items"]) == 1
    assert world.call("p1_editor", "GET", f"{API}/inbox?since=2").get_json()["items"] == []


def test_a_directive_published_over_the_api_carries_the_hubs_verifiable_signature(world):
    draft = {"title": "Signed", "body": "Check me.", "audience": {"platforms": ["P1"]}, "publish": True}
    directive_id = _post(world, "reg_officer", "/directives", draft).get_json()["id"]
    item = next(
        i for i in world.call("p1_machine", "GET", f"{API}/inbox").get_json()["items"] if i["id"] == directive_id
    )
    key = world.call(None, "GET", f"{API}/signing-key").get_json()
    assert key["algorithm"] == "Ed25519"
    assert signing.verify(key["public_key_pem"], item, item["signature"])
    assert not signing.verify(key["public_key_pem"], {**item, "body": "Changed."}, item["signature"])


def test_receipt_and_acknowledgement_are_idempotent(world):
    hni = world.ids["hni"]
    first = _post(world, "p1_machine", f"/inbox/{hni}/receipt").get_json()
    assert first == {"directive_id": hni, "seq": 2, "state": "delivered", "changed": True}
    events = world.event_count()
    assert _post(world, "p1_machine", f"/inbox/{hni}/receipt").get_json()["changed"] is False
    assert world.event_count() == events
    ack = _post(world, "p1_editor", f"/inbox/{hni}/acknowledge").get_json()
    assert ack["state"] == "acknowledged" and ack["changed"] is True
    assert _post(world, "p1_machine", f"/inbox/{hni}/acknowledge").get_json()["changed"] is False


def test_acknowledging_implies_delivered(world):
    hni = world.ids["hni"]
    assert _post(world, "p1_machine", f"/inbox/{hni}/acknowledge").get_json()["state"] == "acknowledged"
    rows = world.call("hni_manager", "GET", f"{API}/directives/{hni}/deliveries?q=P1").get_json()["items"]
    assert rows[0]["delivered_at"] and rows[0]["acknowledged_at"] and rows[0]["acknowledged_by"]


def test_status_moves_forward_only_with_reports_where_needed(world):
    url = f"/inbox/{world.ids['hni']}/status"
    assert _post(world, "p1_machine", url, {"state": "implemented"}).status_code == 422  # a report is needed
    assert _post(world, "p1_machine", url, {"state": "declined"}).status_code == 422  # a reason is needed
    assert _post(world, "p1_machine", url, {"state": "pending"}).status_code == 422
    done = _post(world, "p1_machine", url, {"state": "implemented", "report": "removed 3 items"}).get_json()
    assert done["state"] == "implemented" and done["changed"]
    back = _post(world, "p1_machine", url, {"state": "in_progress"})
    assert back.status_code == 409 and back.get_json()["error"] == "invalid_transition"


def test_a_question_reaches_the_issuer(world):
    asked = _post(world, "p1_editor", f"/inbox/{world.ids['hni']}/questions", {"text": "Which items?"})
    assert asked.status_code == 201 and asked.get_json()["answer"] is None
    rows = world.call("hni_officer", "GET", f"{API}/directives/{world.ids['hni']}/deliveries?q=P1").get_json()
    assert [q["text"] for q in rows["items"][0]["questions"]] == ["Which items?"]
    answer = _post(world, "hni_officer", f"/questions/{asked.get_json()['id']}/answer", {"text": "All of them."})
    assert answer.status_code == 200


def test_unknown_directives_are_not_in_the_inbox(world):
    for action in ("receipt", "acknowledge"):
        response = _post(world, "p1_machine", f"/inbox/999999/{action}")
        assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_the_inbox_shows_each_deadline_owed_and_sorts_and_filters_by_it(world):
    future = {"title": "Next year", "body": "Later.", "audience": {"platforms": ["P1"]}, "publish": True}
    future["ack_due_at"] = "2099-01-01T08:00:00+07:00"
    later = _post(world, "hni_officer", "/directives", future).get_json()["id"]
    hni, central = world.ids["hni"], world.ids["central"]

    def listed(query: str) -> list[tuple[int, bool]]:
        response = world.call("p1_editor", "GET", f"{API}/inbox/items?{query}")
        assert response.status_code == 200, response.get_json()
        return [(i["id"], i["overdue"]) for i in response.get_json()["items"]]

    # Soonest deadline first (the Hanoi directive's passed long ago), nothing owed last; and the other way round.
    assert listed("sort=due") == [(hni, True), (later, False), (central, False)]
    assert listed("sort=-due") == [(later, False), (hni, True), (central, False)]
    assert listed("state=overdue") == [(hni, True)]
    assert listed("state=open&sort=due") == [(hni, True), (later, False)]
    assert listed("state=implemented") == [(central, False)]
    polled = {i["id"]: i for i in world.call("p1_machine", "GET", f"{API}/inbox").get_json()["items"]}
    assert polled[later]["due_at"].startswith("2099-01-01T01:00:00") and polled[hni]["overdue"] is True
    assert polled[central]["due_at"] is None
    for bad in ("sort=deadline", "state=late", "page=0"):
        response = world.call("p1_editor", "GET", f"{API}/inbox/items?{bad}")
        assert response.status_code == 422 and response.get_json()["error"]
