"""The client's local state, which needs no hub: cursor, outbox, backoff."""

from __future__ import annotations

import random
import socket

from directive_hub_client import Backoff, Outbox, PlatformClient, StateDir
from directive_hub_client.cli import EXIT_QUEUED, main


def _dead_url() -> str:
    """The address of a port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_cursor_starts_at_zero_and_survives_a_restart(tmp_path):
    assert StateDir(tmp_path).cursor == 0
    StateDir(tmp_path).save_cursor(41)
    StateDir(tmp_path).save_cursor(42)

    assert StateDir(tmp_path).cursor == 42
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cursor.json"]  # no temporary file left behind


def test_a_new_client_resumes_from_the_saved_cursor(tmp_path):
    StateDir(tmp_path).save_cursor(7)

    assert PlatformClient(_dead_url(), "token", str(tmp_path)).cursor == 7


def test_queued_requests_survive_a_restart_in_order(tmp_path):
    first = PlatformClient(_dead_url(), "token", str(tmp_path))
    first.acknowledge(3)
    first.report_status(3, "implemented", "Đã gỡ 12 bài viết")

    pending = Outbox(tmp_path / "outbox.sqlite3").pending()

    assert [(r.event, r.payload) for r in pending] == [
        ("acknowledge", {"directive_id": 3}),
        ("status", {"directive_id": 3, "state": "implemented", "report": "Đã gỡ 12 bài viết"}),
    ]


def test_a_flush_without_a_hub_keeps_every_request(tmp_path):
    client = PlatformClient(_dead_url(), "token", str(tmp_path), public_key="unused")
    client.acknowledge(5)

    assert client.flush_once() is False
    assert [r.payload for r in client.outbox.pending()] == [{"directive_id": 5}]


def test_ack_command_queues_when_the_hub_is_unreachable(tmp_path, capsys):
    code = main(["ack", "9", "--url", _dead_url(), "--token", "t", "--state", str(tmp_path)])

    assert code == EXIT_QUEUED
    assert "queued" in capsys.readouterr().err
    assert [(r.event, r.payload) for r in Outbox(tmp_path / "outbox.sqlite3").pending()] == [
        ("acknowledge", {"directive_id": 9})
    ]


def test_a_settled_request_leaves_the_outbox(tmp_path):
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    kept, settled = outbox.add("acknowledge", {"directive_id": 1}), outbox.add("acknowledge", {"directive_id": 2})

    outbox.remove(settled.id)

    assert Outbox(tmp_path / "outbox.sqlite3").pending() == [kept]


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap():
    backoff = Backoff(initial=1, maximum=30, factor=2, jitter=0.5, rng=random.Random(1))

    delays = [backoff.next() for _ in range(8)]

    ceilings = [1, 2, 4, 8, 16, 30, 30, 30]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert len({round(d, 6) for d in delays[5:]}) == 3  # jittered: capped delays still differ


def test_backoff_starts_over_after_a_reset():
    backoff = Backoff(initial=2, maximum=60, jitter=0)
    for _ in range(5):
        backoff.next()

    backoff.reset()

    assert backoff.next() == 2
