"""``/metrics`` of real hub processes sharing a ``PROMETHEUS_MULTIPROC_DIR``: scraped before and after a publish that
a connected platform receives and receipts, the counters have moved, whichever process is scraped."""

from __future__ import annotations

import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e import sockclient
from tests.e2e.hubproc import HubProcess, wait_until
from tests.e2e.world import World

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("metrics")
    world = World(base / "instance", f"sqlite:///{base / 'hub.sqlite3'}")
    multiproc = base / "prometheus"
    multiproc.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(multiproc)}
    for _ in range(2):
        world.hubs.append(HubProcess(world.instance, world.database_url, channel=world.channel, env=env).launch())
    for hub in world.hubs:
        hub.wait_ready(timeout=120)  # generous: a loaded machine takes long to import the hub
    yield world
    world.close()


def samples(hub: HubProcess) -> dict[tuple[str, tuple], float]:
    """Every sample of one scrape, by (name, sorted labels)."""
    with urllib.request.urlopen(f"{hub.url}/metrics", timeout=30) as answer:
        text = answer.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(scraped: dict, name: str, **labels: str) -> float:
    return scraped.get((name, tuple(sorted(labels.items()))), 0.0)


def summed(scraped: dict, name: str, **labels: str) -> float:
    """The sum over every other label (such as ``pid``) of the samples matching ``labels``."""
    return sum(v for (n, ls), v in scraped.items() if n == name and labels.items() <= dict(ls).items())


def test_a_publish_moves_the_counters_seen_from_every_process(world):
    first, second = world.hubs
    platforms = [world.platform() for _ in range(3)]
    clients = [sockclient.platform(first.url, p.token) for p in platforms]
    for client in clients:
        client.wait_for("head")
    before = samples(second)
    assert summed(before, "hub_connected_sockets", namespace="/platform") == 3

    directive = world.publish(first)
    for client in clients:
        (received,) = client.wait_for("directive")
        assert client.call("receipt", {"directive_id": received["id"]})["ok"]

    after = samples(second)  # the other process reports the first one's counts
    assert value(after, "hub_publishes_total") == value(before, "hub_publishes_total") + 1
    assert value(after, "hub_published_deliveries_total") == value(before, "hub_published_deliveries_total") + 3
    assert value(after, "hub_publish_fanout_seconds_count") == value(before, "hub_publish_fanout_seconds_count") + 1
    assert value(after, "hub_receipts_recorded_total") == value(before, "hub_receipts_recorded_total") + 3
    assert value(after, "hub_writer_batch_size_sum") == value(before, "hub_writer_batch_size_sum") + 3
    assert value(after, "hub_writer_batch_seconds_count") > value(before, "hub_writer_batch_seconds_count")
    assert value(after, "hub_deliveries", state="delivered") == value(before, "hub_deliveries", state="delivered") + 3
    assert directive["id"]
    for client in clients:
        client.close()
    wait_until(
        lambda: summed(samples(second), "hub_connected_sockets", namespace="/platform") == 0,
        message="the disconnects counted",
    )
