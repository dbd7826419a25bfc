"""The hub's Prometheus metrics: what each process counts as it works, and what is read from the database at each
scrape (deliveries by state, outbox depths, the connection pool).

Counting is cheap and never per delivery: one observation per publish, per writer batch, per sweep and per socket
connect or disconnect. With ``PROMETHEUS_MULTIPROC_DIR`` set (read by prometheus_client itself when first imported,
so it must be in the environment of every hub process; an empty folder at each deployment's start), every process
writes its counts to that folder and a scrape of any one of them reports the sum (per process for the gauges that
say ``pid``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import sqlalchemy as sa
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy.engine import Engine

SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

connected = Gauge(
    "hub_connected_sockets",
    "Sockets connected to this process, by namespace (/platform: platforms' systems and editors' browsers)",
    ["namespace"],
    multiprocess_mode="liveall",
)
publishes = Counter("hub_publishes", "Directives published and pushed to their platforms")
published_deliveries = Counter("hub_published_deliveries", "Deliveries created by publications (one per platform)")
fanout_seconds = Histogram(
    "hub_publish_fanout_seconds",
    "From the push of a committed publication until its frames are handed to every connected platform's socket",
    buckets=SECONDS,
)
receipts = Counter("hub_receipts_recorded", "Socket receipts recorded by the group-commit writer")
writer_events = Counter("hub_writer_events", "Events written by the group-commit writer, by kind", ["kind"])
writer_batch_size = Histogram(
    "hub_writer_batch_size",
    "Events per transaction of the group-commit writer",
    buckets=(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000),
)
writer_batch_seconds = Histogram(
    "hub_writer_batch_seconds", "Time to write and commit one batch of the group-commit writer", buckets=SECONDS
)
writer_failures = Counter("hub_writer_failed_batches", "Batches the database refused (then written in halves)")
sweep_seconds = Histogram("hub_sweep_seconds", "Duration of a deadline sweep (lease holder only)", buckets=SECONDS)
sweep_actions = Counter("hub_sweep_actions", "What the sweeps did, by action", ["action"])

# Outboxes (messages waiting to leave the hub): name -> (table, SQL condition of a waiting row). A module that adds
# an outbox table registers it here; a table that does not exist (yet) is skipped at the scrape.
OUTBOXES: dict[str, tuple[str, str]] = {
    "webhook": ("webhookmessage", "sent_at IS NULL"),  # POSTs owed to platforms' webhooks (docs/webhooks.md)
    "mail": ("mailmessage", "sent_at IS NULL AND failed_at IS NULL"),  # e-mail notices not yet sent (docs/mail.md)
}


def published(deliveries: int, seconds: float) -> None:
    """A publication was pushed to its ``deliveries`` platforms in ``seconds``."""
    publishes.inc()
    published_deliveries.inc(deliveries)
    fanout_seconds.observe(seconds)


def wrote(kinds: dict[str, int], receipts_recorded: int, seconds: float) -> None:
    """The writer committed a batch: its events by kind, the receipts that named a delivery, the time it took."""
    for kind, count in kinds.items():
        writer_events.labels(kind).inc(count)
    receipts.inc(receipts_recorded)
    writer_batch_size.observe(sum(kinds.values()))
    writer_batch_seconds.observe(seconds)


def swept(seconds: float, actions: dict[str, int]) -> None:
    """A sweep ran for ``seconds`` and did ``actions`` (published, expired, reminded, escalated: counts)."""
    sweep_seconds.observe(seconds)
    for action, count in actions.items():
        if count:
            sweep_actions.labels(action).inc(count)


def register_outbox(name: str, table: str, waiting: str) -> None:
    """Report ``table``'s rows matching ``waiting`` (an SQL condition) as ``hub_outbox_depth{outbox=name}``."""
    OUTBOXES[name] = (table, waiting)


class DatabaseCollector(Collector):
    """Read at each scrape: deliveries by state, outbox depths, and this process's connection pool."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        states = GaugeMetricFamily("hub_deliveries", "Deliveries by state (every directive)", labels=["state"])
        with self.engine.connect() as conn:
            for state, count in conn.execute(sa.text("SELECT state, count(*) FROM delivery GROUP BY state")):
                states.add_metric([str(state)], count)
            outboxes = self._outboxes(conn)
        yield states
        yield outboxes
        yield from self._pool()

    def _outboxes(self, conn: sa.Connection) -> GaugeMetricFamily:
        depth = GaugeMetricFamily("hub_outbox_depth", "Messages waiting to leave the hub, by outbox", labels=["outbox"])
        tables = set(sa.inspect(conn).get_table_names()) if OUTBOXES else set()
        for name, (table, waiting) in sorted(OUTBOXES.items()):
            if table in tables:
                count = conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE {waiting}")).scalar_one()  # nosec B608 # names registered in code, never input
                depth.add_metric([name], count)
        return depth

    def _pool(self) -> Iterator[Metric]:
        pool = self.engine.pool
        labels = ["pid"]
        pid = [str(os.getpid())]
        for name, doc, read in (
            ("hub_db_pool_size", "Connections the pool keeps", "size"),
            ("hub_db_pool_checked_out", "Connections in use now", "checkedout"),
            ("hub_db_pool_overflow", "Connections open beyond the pool's size", "overflow"),
        ):
            if hasattr(pool, read):
                family = GaugeMetricFamily(name, doc, labels=labels)
                family.add_metric(pid, float(getattr(pool, read)()))
                yield family


def scrape_registry(engine: Engine) -> CollectorRegistry:
    """What one scrape reports: every process's counts (multi-process) or this one's, and the database's figures."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Default())
    registry.register(DatabaseCollector(engine))
    return registry


class _Default(Collector):
    """This process's own metrics (the default registry: the hub's, and the process and platform collectors)."""

    def collect(self) -> Iterator[Metric]:
        return iter(REGISTRY.collect())


def process_exited(pid: int | None = None) -> None:
    """Drop a stopped process's live gauges from the multi-process folder (its counters stay counted)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())
