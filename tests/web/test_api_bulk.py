"""Bulk actions over HTTP: remind every overdue platform of a directive or of the escalation list, verify several
reports; each is within the caller's scope, logged per delivery, and bad requests are clear 4xx answers."""

from __future__ import annotations

API = "/api/v1"


def test_remind_overdue_reminds_the_late_platforms_the_caller_oversees(world):
    central = world.ids["central"]
    before = world.event_count()
    by_hanoi = world.call("hni_officer", "POST", f"{API}/directives/{central}/remind-overdue")
    assert by_hanoi.status_code == 200
    assert by_hanoi.get_json()["reminded"] == 1  # P2: P1 implemented it, P3 is in Ho Chi Minh City
    by_central = world.call("reg_officer", "POST", f"{API}/directives/{central}/remind-overdue").get_json()
    assert by_central["reminded"] == 2 and len(set(by_central["delivery_ids"])) == 2
    assert world.event_count() == before + 3
    assert world.call("p1_editor", "POST", f"{API}/directives/{central}/remind-overdue").status_code == 403
    missing = world.call("reg_officer", "POST", f"{API}/directives/999999/remind-overdue")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"


def test_remind_escalated_answers_how_many_and_refuses_another_province(world):
    assert world.call("reg_officer", "POST", f"{API}/escalations/remind").get_json() == {
        "reminded": 0,
        "delivery_ids": [],
    }
    other = world.call("hni_officer", "POST", f"{API}/escalations/remind?province=HCM")
    assert other.status_code == 422 and other.get_json()["error"] == "invalid_input"


def test_verify_marks_several_reports_or_none(world):
    p1, p3 = world.ids["delivery_p1_central"], world.ids["delivery_p3_central"]
    refused = world.call("reg_officer", "POST", f"{API}/deliveries/verify", json={"delivery_ids": [p1, p3]})
    assert refused.status_code == 409 and refused.get_json()["error"]  # P3 has not reported on it yet
    done = world.call("reg_officer", "POST", f"{API}/deliveries/verify", json={"delivery_ids": [p1]}).get_json()
    assert done["verified"] == 1 and done["items"][0]["verification"] == "verified"
    again = world.call("reg_officer", "POST", f"{API}/deliveries/verify", json={"delivery_ids": [p1]}).get_json()
    assert again["verified"] == 0
    for body in ({"delivery_ids": []}, {"delivery_ids": ["x"]}, {}):
        response = world.call("reg_officer", "POST", f"{API}/deliveries/verify", json=body)
        assert response.status_code == 422 and response.get_json()["error"]
