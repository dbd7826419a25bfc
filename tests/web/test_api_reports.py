"""Content-ratio reports over the JSON API."""

from __future__ import annotations

API = "/api/v1/ratio-reports"
FEB = {"period_start": "2026-02-01", "period_end": "2026-02-28", "items_published": 1000, "negative_items": 150}


def test_a_report_at_the_threshold_is_flagged(world):
    response = world.call("p1_machine", "POST", API, json=FEB)
    assert response.status_code == 201
    body = response.get_json()
    assert body["ratio"] == 0.15 and body["flagged"] is True and body["threshold"] == 0.15
    below = {**FEB, "period_start": "2026-03-01", "period_end": "2026-03-31", "negative_items": 149}
    assert world.call("p1_machine", "POST", API, json=below).get_json()["flagged"] is False


def test_overlapping_periods_are_refused(world):
    overlap = {**FEB, "period_start": "2026-01-15", "period_end": "2026-02-15"}
    response = world.call("p1_machine", "POST", API, json=overlap)
    assert response.status_code == 409 and response.get_json()["error"] == "conflict"


def test_inconsistent_figures_are_refused(world):
    for bad in (
        {**FEB, "period_end": "2026-01-01"},
        {**FEB, "negative_items": 1001},
        {**FEB, "items_published": -1},
        {**FEB, "period_start": "2099-01-01", "period_end": "2099-01-31"},
        {**FEB, "period_start": "2026-02-30"},
        {**FEB, "extra": 1},
    ):
        response = world.call("p1_machine", "POST", API, json=bad)
        assert response.status_code == 422, bad
    outside = world.call("p1_machine", "POST", API, json={**FEB, "directive_id": world.ids["hcm"]})
    assert outside.status_code == 404  # like every inbox call on a directive the platform did not receive


def test_the_list_filters_by_flag_province_and_platform(world):
    world.call("p1_machine", "POST", API, json=FEB)
    flagged = world.call("reg_manager", "GET", f"{API}?flagged=true").get_json()
    assert [r["platform"]["code"] for r in flagged["items"]] == ["P1"]
    assert world.call("reg_manager", "GET", f"{API}?province=HCM").get_json()["total"] == 1
    by_platform = world.call("reg_manager", "GET", f"{API}?platform_id={world.ids['org_p1']}").get_json()
    assert by_platform["total"] == 2 and by_platform["items"][0]["period_start"] == "2026-02-01"


def test_a_report_is_corrected_in_place_and_another_platform_cannot(world):
    filed = world.call("p1_machine", "POST", API, json=FEB).get_json()
    fixed = {**FEB, "negative_items": 10}
    corrected = world.call("p1_machine", "PUT", f"{API}/{filed['id']}", json=fixed)
    assert corrected.status_code == 200, corrected.get_json()
    assert (corrected.get_json()["id"], corrected.get_json()["negative_items"]) == (filed["id"], 10)
    assert corrected.get_json()["flagged"] is False
    foreign = world.call("p3_machine", "PUT", f"{API}/{filed['id']}", json=fixed)
    assert foreign.status_code == 404 and foreign.get_json()["code"] == "ratio_report_not_found"


def test_answering_a_request_reports_the_request_implemented(world):
    answer = {**FEB, "directive_id": world.ids["hni"]}
    assert world.call("p1_machine", "POST", API, json=answer).status_code == 201
    deliveries = world.call("hni_officer", "GET", f"/api/v1/directives/{world.ids['hni']}/deliveries").get_json()
    mine = [d for d in deliveries["items"] if d["platform"]["code"] == "P1"]
    assert [d["state"] for d in mine] == ["implemented"]
