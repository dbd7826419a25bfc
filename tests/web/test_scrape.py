"""Who may read ``/metrics``: a scraper on this machine (not through a proxy) and an admin's token; nobody else."""

from __future__ import annotations

import re

import pytest

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def scrape(world, who=None, headers=None, environ=None):
    all_headers = {**world.headers(who), **(headers or {})}
    return world.client.get("/metrics", headers=all_headers, environ_base=environ or {"REMOTE_ADDR": "127.0.0.1"})


def test_a_scraper_on_this_machine_reads_the_metrics(world):
    answer = scrape(world)
    assert answer.status_code == 200
    assert answer.content_type.startswith("text/plain")
    text = answer.get_data(as_text=True)
    assert "# TYPE hub_publishes_total counter" in text
    assert 'hub_deliveries{state="implemented"}' in text  # read from the database at the scrape
    assert "hub_db_pool_checked_out" in text


def test_a_scraper_on_ipv6_loopback_reads_them_too(world):
    assert scrape(world, environ={"REMOTE_ADDR": "::1"}).status_code == 200


@pytest.mark.parametrize(
    "forwarded", [{"X-Forwarded-For": "127.0.0.1"}, {"Forwarded": "for=127.0.0.1"}, {"X-Real-IP": "127.0.0.1"}]
)
def test_a_request_through_a_proxy_is_not_loopback_even_from_127_0_0_1(world, forwarded):
    answer = scrape(world, headers=forwarded)
    assert answer.status_code == 403 and answer.get_json()["error"] == "forbidden"


def test_an_outsider_without_a_token_is_refused(world):
    answer = scrape(world, environ=OUTSIDE)
    assert answer.status_code == 403
    assert "hub_publishes" not in answer.get_data(as_text=True)


@pytest.mark.parametrize("who", ["reg_officer", "reg_manager", "p1_machine", "p1_editor"])
def test_a_token_that_is_not_an_admins_is_refused(world, who):
    assert scrape(world, who, environ=OUTSIDE).status_code == 403


def test_an_admins_token_reads_them_from_anywhere_even_through_a_proxy(world):
    answer = scrape(world, "admin", headers={"X-Forwarded-For": "198.51.100.7"}, environ=OUTSIDE)
    assert answer.status_code == 200 and "hub_publishes_total" in answer.get_data(as_text=True)


def test_a_forged_token_is_told_to_authenticate(world):
    answer = world.client.get("/metrics", headers={"Authorization": "Bearer dh_forged"}, environ_base=OUTSIDE)
    assert answer.status_code == 401 and answer.get_json()["error"] == "unauthenticated"


def test_an_api_call_refused_before_its_body_is_read_still_carries_its_request_id(world):
    answer = world.client.get("/api/v1/directives", headers={"X-Request-ID": "refused-1"})
    assert answer.status_code == 401
    assert answer.get_json()["request_id"] == "refused-1" == answer.headers["X-Request-ID"]


def test_the_sample_dashboard_asks_only_for_metrics_the_hub_serves(world):
    import json
    import re

    from hub import ROOT

    dashboard = json.loads((ROOT / "deploy" / "grafana-dashboard.json").read_text())
    asked = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\bhub_[a-z_]+", target["expr"])
    }
    served = scrape(world).get_data(as_text=True)
    missing = {name for name in asked if not re.search(rf"^# TYPE {name}\b|^{name}\b", served, re.M)}
    # An outbox appears once some module registers one; until then its family is empty but declared.
    assert missing == set(), missing


def test_the_webhook_outbox_depth_is_served(world):
    """The world's webhook owes nothing yet: the webhook outbox is reported, at zero."""
    served = scrape(world).get_data(as_text=True)
    assert re.search(r'^hub_outbox_depth\{outbox="webhook"\} 0\.0$', served, re.M), served[-2000:]
