"""The API's two sequence numbers have one name each: ``directive_seq`` is the hub-wide number of a directive,
``seq`` a platform's delivery number; the old ``seq`` of a directive stays, deprecated, for older clients."""

from __future__ import annotations

API = "/api/v1"


def test_a_directive_names_its_hub_wide_number_directive_seq_and_keeps_the_old_seq_as_the_same_value(world):
    body = world.call("reg_officer", "GET", f"{API}/directives/{world.ids['hni']}").get_json()
    assert isinstance(body["directive_seq"], int) and body["directive_seq"] >= 1
    assert body["seq"] == body["directive_seq"]  # a client written before the rename reads the same number
    listed = world.call("reg_officer", "GET", f"{API}/directives").get_json()["items"]
    assert all(item["seq"] == item["directive_seq"] for item in listed)


def test_the_hub_wide_number_and_the_platforms_delivery_number_differ_and_each_keeps_its_name(world):
    inbox = world.call("p3_machine", "GET", f"{API}/inbox?since=0").get_json()["items"]
    hcm = next(item for item in inbox if item["id"] == world.ids["hcm"])
    directive = world.call("hcm_officer", "GET", f"{API}/directives/{world.ids['hcm']}").get_json()
    assert hcm["directive_seq"] == directive["directive_seq"] == 3  # the hub's third directive ...
    assert hcm["seq"] == 2  # ... is P3's second delivery (P3 is not in Hanoi: it never got the second)
    rows = world.call("hcm_officer", "GET", f"{API}/directives/{world.ids['hcm']}/deliveries?q=P3").get_json()
    assert rows["items"][0]["seq"] == hcm["seq"]


def test_the_openapi_document_describes_both_numbers_and_marks_the_old_name_deprecated(world):
    schemas = world.client.get(f"{API}/openapi.json").get_json()["components"]["schemas"]
    directive = schemas["DirectiveOut"]["properties"]
    assert "hub-wide" in directive["directive_seq"]["description"]
    assert directive["seq"]["deprecated"] is True and "directive_seq" in directive["seq"]["description"]
    for name in ("InboxItem", "DeliveryOut", "ChangeOut"):
        assert "delivery number" in schemas[name]["properties"]["seq"]["description"], name
    assert "hub-wide" in schemas["InboxItem"]["properties"]["directive_seq"]["description"]
