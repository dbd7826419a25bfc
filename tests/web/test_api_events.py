"""The follow-through log over the JSON API: filters, paging and the CSV export."""

from __future__ import annotations

import csv
import io

API = "/api/v1/events"


def test_events_filter_by_kind_directive_and_time(world):
    ids = world.ids
    published = world.call("reg_manager", "GET", f"{API}?kind=published").get_json()
    assert published["total"] == 3 and {e["directive_id"] for e in published["items"]} == {
        ids["central"],
        ids["hni"],
        ids["hcm"],
    }
    of_central = world.call("reg_manager", "GET", f"{API}?directive_id={ids['central']}").get_json()
    assert of_central["total"] and all(e["directive_id"] == ids["central"] for e in of_central["items"])
    ids_desc = [e["id"] for e in of_central["items"]]
    assert ids_desc == sorted(ids_desc, reverse=True)
    assert world.call("reg_manager", "GET", f"{API}?since=2030-01-01T00:00:00Z").get_json()["total"] == 0
    assert world.call("reg_manager", "GET", f"{API}?until=2020-01-01T00:00:00Z").get_json()["total"] == 0
    of_p1 = world.call("reg_manager", "GET", f"{API}?org_id={ids['org_p1']}&province=HNI").get_json()
    assert of_p1["total"] and all(e["org_id"] == ids["org_p1"] for e in of_p1["items"])


def test_events_page(world):
    everything = world.call("reg_manager", "GET", API).get_json()
    page = world.call("reg_manager", "GET", f"{API}?per_page=5&page=2").get_json()
    assert page["total"] == everything["total"] and [e["id"] for e in page["items"]] == [
        e["id"] for e in everything["items"][5:10]
    ]


def test_csv_export_streams_every_matching_event_oldest_first(world):
    total = world.call("reg_manager", "GET", f"{API}?kind=published").get_json()["total"]
    response = world.call("reg_manager", "GET", f"{API}?format=csv&kind=published")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == total and all(r["kind"] == "published" for r in rows)
    assert [int(r["id"]) for r in rows] == sorted(int(r["id"]) for r in rows)


def test_bad_filters_are_refused(world):
    for query in ("since=yesterday", "since=2026-01-01T00:00:00", "format=xml", "directive_id=x", "per_page=0"):
        response = world.call("reg_manager", "GET", f"{API}?{query}")
        assert response.status_code == 422, query
