"""Directives over the JSON API: what an officer and a manager notice."""

from __future__ import annotations

API = "/api/v1"
DRAFT = {"title": "Remove the misleading item", "body": "Within 24 hours.", "audience": {"all": True}}


def _post(world, who, url, body=None):
    return world.call(who, "POST", API + url, json=body)


def test_create_saves_a_draft_and_publish_true_publishes_at_once(world):
    draft = _post(world, "reg_officer", "/directives", DRAFT)
    assert draft.status_code == 201 and draft.get_json()["status"] == "draft"
    assert draft.get_json()["ref_no"] is None
    published = _post(world, "reg_officer", "/directives", {**DRAFT, "publish": True}).get_json()
    assert published["status"] == "published" and published["audience_size"] == 3 and published["ref_no"]
    rows = world.call("reg_officer", "GET", f"{API}/directives/{published['id']}/deliveries").get_json()
    assert rows["total"] == 3 and {r["state"] for r in rows["items"]} == {"pending"}


def test_publish_at_schedules_and_cannot_be_combined_with_publish(world):
    scheduled = _post(world, "reg_officer", "/directives", {**DRAFT, "publish_at": "2099-01-01T00:00:00+07:00"})
    assert scheduled.status_code == 201 and scheduled.get_json()["status"] == "scheduled"
    both = _post(world, "reg_officer", "/directives", {**DRAFT, "publish": True, "publish_at": "2099-01-01T00:00:00Z"})
    assert both.status_code == 422 and both.get_json()["error"] == "invalid_input"


def test_a_province_publishing_to_all_reaches_only_its_platforms(world):
    published = _post(world, "hni_officer", "/directives", {**DRAFT, "publish": True}).get_json()
    assert published["audience_size"] == 2


def test_list_filters_and_pages(world):
    ids = world.ids
    everything = world.call("reg_manager", "GET", f"{API}/directives").get_json()
    assert everything["total"] == 4 and everything["items"][0]["id"] == ids["draft"]
    drafts = world.call("reg_manager", "GET", f"{API}/directives?status=draft").get_json()
    assert [d["id"] for d in drafts["items"]] == [ids["draft"]]
    found = world.call("reg_manager", "GET", f"{API}/directives?q=hanoi").get_json()
    assert [d["id"] for d in found["items"]] == [ids["hni"]]
    page = world.call("reg_manager", "GET", f"{API}/directives?per_page=1&page=2").get_json()
    assert page["total"] == 4 and len(page["items"]) == 1 and page["page"] == 2
    assert world.call("reg_manager", "GET", f"{API}/directives?kind=orientation").get_json()["total"] == 0


def test_show_gives_progress_counts(world):
    body = world.call("reg_manager", "GET", f"{API}/directives/{world.ids['central']}").get_json()
    assert body["progress"] == {
        "total": 3,
        "pending": 2,
        "delivered": 1,
        "acknowledged": 1,
        "in_progress": 0,
        "implemented": 1,
        "declined": 0,
        "overdue": 2,
    }


def test_only_drafts_are_edited_and_published_once(world):
    ids = world.ids
    edited = world.call("reg_officer", "PUT", f"{API}/directives/{ids['draft']}", json={**DRAFT, "title": "New"})
    assert edited.status_code == 200 and edited.get_json()["title"] == "New"
    refused = world.call("reg_officer", "PUT", f"{API}/directives/{ids['central']}", json=DRAFT)
    assert refused.status_code == 409 and refused.get_json()["error"] == "invalid_transition"
    assert _post(world, "reg_officer", f"/directives/{ids['draft']}/publish").get_json()["status"] == "published"
    assert _post(world, "reg_officer", f"/directives/{ids['draft']}/publish").status_code == 409


def test_schedule_moves_the_publication_time_into_the_future_only(world):
    url = f"/directives/{world.ids['draft']}/schedule"
    assert _post(world, "reg_officer", url, {"publish_at": "2001-01-01T00:00:00Z"}).status_code == 422
    assert _post(world, "reg_officer", url, {"publish_at": "2099-01-01T00:00:00"}).status_code == 422  # no zone
    moved = _post(world, "reg_officer", url, {"publish_at": "2099-01-01T00:00:00Z"}).get_json()
    assert moved["status"] == "scheduled" and moved["publish_at"] == "2099-01-01T00:00:00Z"


def test_revoke_is_idempotent_and_stops_further_work(world):
    url = f"/directives/{world.ids['hni']}/revoke"
    first = _post(world, "reg_officer", url, {"reason": "issued in error"})
    assert first.status_code == 200 and first.get_json()["status"] == "revoked"
    events = world.event_count()
    again = _post(world, "reg_officer", url, {"reason": "issued in error"})
    assert again.status_code == 200 and world.event_count() == events
    refused = _post(world, "p1_machine", f"/inbox/{world.ids['hni']}/acknowledge")
    assert refused.status_code == 409


def test_amend_supersedes_and_needs_a_fresh_acknowledgement(world):
    central = world.ids["central"]
    amended = _post(world, "reg_officer", f"/directives/{central}/amend", {**DRAFT, "title": "Amended"})
    assert amended.status_code == 201
    body = amended.get_json()
    assert body["supersedes_id"] == central and body["status"] == "published"
    old = world.call("reg_officer", "GET", f"{API}/directives/{central}").get_json()
    assert old["superseded_by_id"] == body["id"]
    inbox = world.call("p1_machine", "GET", f"{API}/inbox").get_json()["items"]
    assert [i["state"] for i in inbox if i["id"] == body["id"]] == ["pending"]
    assert _post(world, "reg_officer", f"/directives/{central}/amend", DRAFT).status_code == 409


def test_deliveries_filter_sort_and_show_the_follow_through(world):
    url = f"{API}/directives/{world.ids['central']}/deliveries"

    def codes(query: str) -> list[str]:
        response = world.call("reg_manager", "GET", url + query)
        assert response.status_code == 200, response.get_json()
        return [r["platform"]["code"] for r in response.get_json()["items"]]

    assert codes("?state=implemented") == ["P1"]
    assert codes("?province=HCM") == ["P3"]
    assert codes("?q=p2") == ["P2"]
    assert sorted(codes("?overdue=true")) == ["P2", "P3"]
    assert codes("?sort=-platform") == ["P3", "P2", "P1"] == list(reversed(codes("?sort=platform")))
    assert codes("?sort=platform&per_page=1&page=2") == ["P2"]
    row = next(r for r in world.call("reg_manager", "GET", url).get_json()["items"] if r["platform"]["code"] == "P1")
    assert row["state"] == "implemented" and row["report"] == "done"
    assert row["delivered_at"] and row["acknowledged_at"] and row["implemented_at"]
    assert [q["text"] for q in row["questions"]] == ["what exactly?"]
    for key in ("next_reminder_at", "reminders_sent", "escalated_at"):
        assert key in row
    assert world.call("reg_manager", "GET", url + "?sort=nonsense").status_code == 422


def test_review_verifies_or_returns_an_implementation_report(world):
    url = f"/deliveries/{world.ids['delivery_p1_central']}/review"
    assert _post(world, "reg_officer", url, {"verdict": "returned"}).status_code == 422  # a note is needed
    returned = _post(world, "reg_officer", url, {"verdict": "returned", "note": "show the link"}).get_json()
    assert returned["state"] == "in_progress" and returned["verification"] == "returned"
    pending = f"/deliveries/{world.ids['delivery_p3_central']}/review"
    assert _post(world, "reg_officer", pending, {"verdict": "verified"}).status_code == 409


def test_an_issuer_answers_a_question_once(world):
    url = f"/questions/{world.ids['question_p1']}/answer"
    answered = _post(world, "reg_officer", url, {"text": "the item at /news/1"})
    assert answered.status_code == 200 and answered.get_json()["question"]["answer"] == "the item at /news/1"
    assert _post(world, "reg_officer", url, {"text": "again"}).status_code == 409


def test_directives_count_the_questions_still_waiting_for_an_answer(world):
    central = world.ids["central"]
    listed = {d["id"]: d for d in world.call("reg_officer", "GET", "/api/v1/directives").get_json()["items"]}
    assert listed[central]["unanswered_questions"] == 1  # P1's question
    assert world.call("reg_officer", "GET", f"/api/v1/directives/{central}").get_json()["unanswered_questions"] == 1
    answer = {"text": "Everything in the notice."}
    world.call("reg_officer", "POST", f"/api/v1/questions/{world.ids['question_p1']}/answer", json=answer)
    assert world.call("reg_officer", "GET", f"/api/v1/directives/{central}").get_json()["unanswered_questions"] == 0
