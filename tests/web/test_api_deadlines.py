"""Reminders and rectification notices by hand, and the escalations list, through the JSON API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from hub import clock
from hub.core import deadlines, deliveries, registry
from hub.core.access import SYSTEM
from hub.db import read_session, write_session
from hub.models import Delivery, Directive, DirectiveKind, Event, OrgKind, Role
from tests import factories as f


def bearer(engine, principal) -> dict:
    with write_session(engine) as s:
        _, secret = registry.issue_token(s, SYSTEM, clock.now(), label="test", user_id=principal.user_id)
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def w(app):
    """Platforms in Hanoi and Ho Chi Minh City, officers of the centre and both provinces, one directive to all."""
    engine, now = app.extensions["hub"].engine, clock.now()
    hn_platform = f.org(engine, now, OrgKind.PLATFORM, "HNI")
    hcm_platform = f.org(engine, now, OrgKind.PLATFORM, "HCM")
    regulator = f.org(engine, now, OrgKind.REGULATOR)
    hanoi = f.org(engine, now, OrgKind.PROVINCE, "HNI")
    hcm = f.org(engine, now, OrgKind.PROVINCE, "HCM")
    central = f.user(engine, now, regulator, Role.OFFICER)
    pub = f.published(engine, now, central, ack_due_at=now + timedelta(hours=1), escalate_after_minutes=30)
    with read_session(engine) as s:
        rows = s.exec(select(Delivery).where(Delivery.directive_id == pub.directive.id)).all()
    return {
        "engine": engine,
        "now": now,
        "central": bearer(engine, central),
        "hanoi": bearer(engine, f.user(engine, now, hanoi, Role.OFFICER)),
        "hcm": bearer(engine, f.user(engine, now, hcm, Role.OFFICER)),
        "directive": pub.directive,
        "hanoi_org": hanoi,
        "hn_platform": hn_platform,
        "hcm_platform": hcm_platform,
        "delivery": {d.platform_id: d.id for d in rows},
    }


def test_a_provincial_officer_reminds_its_own_platform_and_the_log_says_who(client, w):
    hn = w["delivery"][w["hn_platform"].id]
    r = client.post(f"/api/v1/deliveries/{hn}/remind", headers=w["hanoi"])
    assert r.status_code == 200, r.json
    assert r.json["phase"] == "acknowledge" and r.json["next_reminder_at"] is not None
    assert r.json["last_reminded_at"] is not None and r.json["next_escalation_at"] is not None
    with read_session(w["engine"]) as s:
        event = s.exec(select(Event).where(Event.kind == "reminded")).one()
    assert (event.delivery_id, event.details["manual"], event.province) == (hn, True, "HNI")


def test_who_may_remind_whom(client, w):
    manager = bearer(w["engine"], f.user(w["engine"], w["now"], w["hanoi_org"], Role.MANAGER))
    hn, hcm = w["delivery"][w["hn_platform"].id], w["delivery"][w["hcm_platform"].id]
    foreign = client.post(f"/api/v1/deliveries/{hcm}/remind", headers=w["hanoi"])
    assert (foreign.status_code, foreign.json["error"]) == (404, "not_found")  # not even confirmed
    reader = client.post(f"/api/v1/deliveries/{hn}/remind", headers=manager)
    assert (reader.status_code, reader.json["error"]) == (403, "forbidden")  # managers only read
    assert client.post(f"/api/v1/deliveries/{hcm}/remind", headers=w["central"]).status_code == 200


def test_reminding_what_is_done_or_does_not_exist_is_a_clear_error_and_changes_nothing(client, w):
    editor, _ = f.machine(w["engine"], w["now"], w["hn_platform"])
    with write_session(w["engine"]) as s:
        deliveries.set_status(s, editor, w["now"], w["directive"].id, "implemented", "Done.")
    hn = w["delivery"][w["hn_platform"].id]
    assert client.post(f"/api/v1/deliveries/{hn}/remind", headers=w["hanoi"]).json["error"] == "invalid_transition"
    assert client.post("/api/v1/deliveries/999999/remind", headers=w["hanoi"]).status_code == 404
    assert client.post("/api/v1/deliveries/0/remind", headers=w["hanoi"]).status_code == 422
    assert client.get("/api/v1/escalations").status_code == 401
    with read_session(w["engine"]) as s:
        assert s.exec(select(Event).where(Event.kind == "reminded")).all() == []


def test_a_rectification_notice_goes_to_that_one_platform_only(client, w):
    body = {"title": "Chấn chỉnh", "body": "Gỡ các tin sai sự thật trong 24 giờ.", "remind_limit": 2}
    r = client.post(f"/api/v1/platforms/{w['hn_platform'].id}/rectify", json=body, headers=w["hanoi"])
    assert r.status_code == 201, r.json
    assert (r.json["kind"], r.json["audience_size"], r.json["status"]) == ("rectification", 1, "published")
    with read_session(w["engine"]) as s:
        directive = s.get(Directive, r.json["id"])
        rows = s.exec(select(Delivery).where(Delivery.directive_id == directive.id)).all()
    assert directive.kind == DirectiveKind.RECTIFICATION and directive.remind_limit == 2
    assert [d.platform_id for d in rows] == [w["hn_platform"].id]


def test_rectifying_outside_ones_province_or_with_a_bad_body_is_refused(client, w):
    body = {"title": "Chấn chỉnh", "body": "Gỡ tin."}
    other = client.post(f"/api/v1/platforms/{w['hcm_platform'].id}/rectify", json=body, headers=w["hanoi"])
    assert (other.status_code, other.json["error"]) == (404, "not_found")
    url = f"/api/v1/platforms/{w['hn_platform'].id}/rectify"
    assert client.post(url, json={"title": ""}, headers=w["hanoi"]).json["error"] == "invalid_input"
    assert client.post(url, json={**body, "sender": "x"}, headers=w["hanoi"]).status_code == 422
    bad = client.post(url, data="{not json", content_type="application/json", headers=w["hanoi"])
    assert (bad.status_code, bad.json["error"]) == (400, "malformed_json")
    with read_session(w["engine"]) as s:
        assert s.exec(select(Directive).where(Directive.kind == DirectiveKind.RECTIFICATION)).all() == []


def test_escalations_show_on_the_platforms_province_and_at_the_centre(client, w):
    deadlines.sweep(w["engine"], w["now"] + timedelta(hours=2), f.SIGNER)
    hanoi = client.get("/api/v1/escalations", headers=w["hanoi"]).json
    assert [i["platform_id"] for i in hanoi["items"]] == [w["hn_platform"].id]
    item = hanoi["items"][0]
    assert item["phase"] == "acknowledge" and item["escalated_at"] and item["next_escalation_at"] is None
    assert item["reminders_sent"] == 1
    central = client.get("/api/v1/escalations", headers=w["central"]).json
    assert central["total"] == 2
    only_hcm = client.get("/api/v1/escalations?province=HCM", headers=w["central"]).json
    assert [i["province"] for i in only_hcm["items"]] == ["HCM"]
    assert client.get("/api/v1/escalations?province=HCM", headers=w["hanoi"]).status_code == 422
    assert client.get("/api/v1/escalations?per_page=0", headers=w["hanoi"]).status_code == 422
