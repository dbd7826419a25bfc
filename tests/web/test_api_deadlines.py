"""Reminders and rectification notices by hand, and the escalations list, through the JSON API (on the shared
world of tests/web/conftest.py: Hanoi has P1 and P2, Ho Chi Minh City has P3; P1 implemented ``central``)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from hub.core import sweep
from hub.db import read_session
from hub.models import Delivery, Directive, DirectiveKind, Event
from tests import factories as f
from tests.conftest import T0


def engine_of(world):
    return world.app.extensions["hub"].engine


def delivery(world, directive: str, platform: str) -> int:
    with read_session(engine_of(world)) as s:
        return s.exec(
            select(Delivery.id).where(
                Delivery.directive_id == world.ids[directive], Delivery.platform_id == world.ids[f"org_{platform}"]
            )
        ).one()


def reminders(world) -> list[Event]:
    with read_session(engine_of(world)) as s:
        return s.exec(select(Event).where(Event.kind == "reminded")).all()


def test_a_provincial_officer_reminds_its_own_platform_and_the_log_says_who(world):
    p2 = delivery(world, "central", "p2")
    r = world.call("hni_officer", "POST", f"/api/v1/deliveries/{p2}/remind")
    assert r.status_code == 200, r.json
    assert r.json["phase"] == "acknowledge" and r.json["next_reminder_at"] is not None
    assert r.json["last_reminded_at"] is not None and r.json["next_escalation_at"] is not None
    (event,) = reminders(world)
    assert (event.delivery_id, event.details["manual"], event.province) == (p2, True, "HNI")


def test_who_may_remind_whom(world):
    p2, p3 = delivery(world, "central", "p2"), delivery(world, "central", "p3")
    foreign = world.call("hni_officer", "POST", f"/api/v1/deliveries/{p3}/remind")
    assert (foreign.status_code, foreign.json["error"]) == (404, "not_found")  # not even confirmed
    reader = world.call("hni_manager", "POST", f"/api/v1/deliveries/{p2}/remind")
    assert (reader.status_code, reader.json["error"]) == (403, "forbidden")  # managers only read
    platform = world.call("p1_machine", "POST", f"/api/v1/deliveries/{p2}/remind")
    assert platform.status_code in (403, 404)
    assert world.call("reg_officer", "POST", f"/api/v1/deliveries/{p3}/remind").status_code == 200


def test_reminding_what_is_done_or_does_not_exist_is_a_clear_error_and_changes_nothing(world):
    done = world.ids["delivery_p1_central"]
    assert world.call("hni_officer", "POST", f"/api/v1/deliveries/{done}/remind").json["error"] == (
        "invalid_transition"
    )
    assert world.call("hni_officer", "POST", "/api/v1/deliveries/999999/remind").status_code == 404
    assert world.call("hni_officer", "POST", "/api/v1/deliveries/0/remind").status_code == 422
    assert world.call(None, "GET", "/api/v1/escalations").status_code == 401
    assert reminders(world) == []


def test_a_rectification_notice_goes_to_that_one_platform_only(world):
    body = {"title": "Chấn chỉnh", "body": "Gỡ các tin sai sự thật trong 24 giờ.", "remind_limit": 2}
    r = world.call("hni_officer", "POST", f"/api/v1/platforms/{world.ids['org_p2']}/rectify", json=body)
    assert r.status_code == 201, r.json
    assert (r.json["kind"], r.json["audience_size"], r.json["status"]) == ("rectification", 1, "published")
    with read_session(engine_of(world)) as s:
        directive = s.get(Directive, r.json["id"])
        rows = s.exec(select(Delivery).where(Delivery.directive_id == directive.id)).all()
    assert directive.kind == DirectiveKind.RECTIFICATION and directive.remind_limit == 2
    assert [d.platform_id for d in rows] == [world.ids["org_p2"]]


def test_rectifying_outside_ones_province_or_with_a_bad_body_is_refused(world):
    body = {"title": "Chấn chỉnh", "body": "Gỡ tin."}
    other = world.call("hni_officer", "POST", f"/api/v1/platforms/{world.ids['org_p3']}/rectify", json=body)
    assert (other.status_code, other.json["error"]) == (404, "not_found")
    url = f"/api/v1/platforms/{world.ids['org_p2']}/rectify"
    assert world.call("hni_officer", "POST", url, json={"title": ""}).json["error"] == "invalid_input"
    assert world.call("hni_officer", "POST", url, json={**body, "sender": "x"}).status_code == 422
    assert world.call("hni_manager", "POST", url, json=body).status_code == 403
    bad = world.call("hni_officer", "POST", url, data="{not json", content_type="application/json")
    assert bad.status_code == 400 and bad.json["error"] in ("malformed_json", "malformed_request")
    with read_session(engine_of(world)) as s:
        assert s.exec(select(Directive).where(Directive.kind == DirectiveKind.RECTIFICATION)).all() == []


def test_escalations_show_on_the_platforms_province_and_at_the_centre(world):
    sweep.sweep(engine_of(world), T0 + timedelta(days=4), f.SIGNER)
    hanoi = world.call("hni_officer", "GET", "/api/v1/escalations").json
    assert {(i["directive_id"], i["platform_code"]) for i in hanoi["items"]} == {
        (world.ids["central"], "P2"),
        (world.ids["hni"], "P1"),
        (world.ids["hni"], "P2"),
    }
    item = hanoi["items"][0]
    assert item["phase"] == "acknowledge" and item["escalated_at"] and item["next_escalation_at"] is None
    assert item["reminders_sent"] == 1
    shown = world.call("hni_officer", "GET", f"/api/v1/deliveries/{item['delivery_id']}/deadlines").json
    assert shown == {k: v for k, v in item.items() if k in shown}
    assert world.call("hcm_officer", "GET", f"/api/v1/deliveries/{item['delivery_id']}/deadlines").status_code == 404
    only_hcm = world.call("reg_officer", "GET", "/api/v1/escalations?province=HCM").json
    assert {i["province"] for i in only_hcm["items"]} == {"HCM"}
    assert (world.ids["central"], "P3") in {(i["directive_id"], i["platform_code"]) for i in only_hcm["items"]}
    everywhere = world.call("reg_officer", "GET", "/api/v1/escalations").json["total"]
    assert everywhere == hanoi["total"] + only_hcm["total"]
    assert world.call("hni_officer", "GET", "/api/v1/escalations?province=HCM").status_code == 422
    assert world.call("hni_officer", "GET", "/api/v1/escalations?per_page=0").status_code == 422
