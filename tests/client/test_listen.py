"""The platforms' client against a real hub process: resume, outbox, verification."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from directive_hub_client import PlatformClient, StateDir, TamperedDirective, Unauthorised
from directive_hub_client.cli import EXIT_FAILED, main

from hub import clock
from hub.core import directives
from hub.db import write_session
from hub.models import OrgKind, Role
from hub.runtime import load_signer
from tests import factories as f
from tests.e2e.hubproc import HubProcess, wait_until

pytestmark = pytest.mark.slow


class Listener:
    """A PlatformClient running in a thread, collecting what it hands over and what the hub settled."""

    def __init__(self, url: str, token: str, state, **kw) -> None:
        self.directives: list[dict] = []
        self.results: list[tuple[str, dict]] = []
        self.error: BaseException | None = None
        self.client = PlatformClient(
            url,
            token,
            str(state),
            on_directive=self.directives.append,
            on_result=lambda request, answer: self.results.append((request.event, answer)),
            **kw,
        )
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.client.run()
        except BaseException as exc:
            self.error = exc

    def ids(self) -> list[int]:
        return [d["id"] for d in self.directives]

    def stop(self) -> None:
        self.client.stop()
        self.thread.join(10)
        assert not self.thread.is_alive()


def test_a_restarted_client_resumes_where_it_stopped_without_duplicates(hub, tmp_path):
    org, token = hub.platform()
    first = Listener(hub.url, token, tmp_path)
    before = [hub.publish(org, f"Live {n}") for n in range(2)]
    wait_until(lambda: first.ids() == before, message="the live directives")
    wait_until(lambda: first.client.outbox.pending() == [], message="the receipts to be confirmed")
    first.stop()
    while_away = [hub.publish(org, f"Away {n}") for n in range(3)]

    second = Listener(hub.url, token, tmp_path)
    wait_until(lambda: second.ids() == while_away, message="the missed directives")
    after = hub.publish(org, "After the restart")
    wait_until(lambda: second.ids() == [*while_away, after], message="the next live directive")
    wait_until(lambda: second.client.outbox.pending() == [], message="the receipts to be confirmed")
    second.stop()

    handed_over = first.directives + second.directives
    assert [d["id"] for d in handed_over] == [*before, *while_away, after]
    assert [d["seq"] for d in handed_over] == [1, 2, 3, 4, 5, 6]
    assert StateDir(tmp_path).cursor == 6
    assert all(hub.delivery(org, d["id"]).delivered_at for d in handed_over)


def test_the_outbox_survives_a_hub_that_is_down_and_flushes_when_it_is_back(hub, tmp_path):
    own = HubProcess(tmp_path / "instance", hub.db_url).start()
    org, token = hub.platform()
    listener = Listener(own.url, token, tmp_path / "state")
    wait_until(lambda: listener.client.connected, message="the connection")
    directive_id = hub.publish(org, via=own)
    wait_until(lambda: listener.client.cursor == 1, message="the directive")

    own.kill()
    wait_until(lambda: not listener.client.connected, message="the cut")
    listener.client.acknowledge(directive_id)
    listener.client.report_status(directive_id, "implemented", "Đã gỡ 3 bài viết")
    assert len(listener.client.outbox.pending()) == 2
    own.start()

    wait_until(lambda: len(listener.results) == 2, timeout=30, message="the outbox to flush")
    listener.stop()
    own.stop()
    assert [(event, answer["ok"]) for event, answer in listener.results] == [("acknowledge", True), ("status", True)]
    assert listener.client.outbox.pending() == []
    delivery = hub.delivery(org, directive_id)
    assert (delivery.state, delivery.report) == ("implemented", "Đã gỡ 3 bài viết")


def test_a_directive_the_live_stream_missed_arrives_through_head_and_sync(hub, tmp_path):
    own = HubProcess(tmp_path / "instance", hub.db_url, env={"HUB_HEAD_INTERVAL": "1"}).start()
    org, token = hub.platform()
    listener = Listener(own.url, token, tmp_path / "state")
    wait_until(lambda: listener.client.connected, message="the connection")
    officer = f.user(hub.engine, clock.now(), f.org(hub.engine, clock.now(), OrgKind.REGULATOR), Role.OFFICER)
    signer = load_signer(str(tmp_path / "instance"))
    with write_session(hub.engine) as s:  # published, never pushed: as if the message queue had dropped it
        draft = directives.create(s, officer, clock.now(), f.draft({"platforms": [org.code]}, title="Lost live"))
        missed = directives.publish(s, officer, clock.now(), draft.id, signer).directive.id

    wait_until(lambda: listener.ids() == [missed], timeout=15, message="the missed directive")
    listener.stop()
    own.stop()
    assert listener.directives[0]["seq"] == 1


def test_a_refused_request_leaves_the_outbox_and_is_reported(hub, tmp_path, capsys):
    _, token = hub.platform()
    other, _ = hub.platform()
    not_ours = hub.publish(other)

    code = main(["status", str(not_ours), "implemented", "--url", hub.url, "--token", token, "--state", str(tmp_path)])

    assert code == EXIT_FAILED
    assert "REFUSED" in capsys.readouterr().err
    assert PlatformClient(hub.url, token, str(tmp_path)).outbox.pending() == []


def test_a_tampered_directive_is_rejected_and_delivery_stops_before_it(hub, tmp_path):
    org, token = hub.platform()
    directive_id = hub.publish(org, "Authentic title")
    with write_session(hub.engine) as s:
        s.execute(sa.text("UPDATE directive SET title = 'Forged title' WHERE id = :id"), {"id": directive_id})

    listener = Listener(hub.url, token, tmp_path)
    wait_until(lambda: not listener.thread.is_alive(), timeout=30, message="the client to stop")

    assert isinstance(listener.error, TamperedDirective)
    assert listener.directives == []
    assert StateDir(tmp_path).cursor == 0
    rejected = StateDir(tmp_path).rejected()
    assert {r["payload"]["title"] for r in rejected} == {"Forged title"}
    assert hub.delivery(org, directive_id).delivered_at is None


def test_a_wrong_token_stops_the_client_with_the_hub_s_reason(hub, tmp_path):
    listener = Listener(hub.url, "dh_not-a-real-token", tmp_path)
    wait_until(lambda: not listener.thread.is_alive(), timeout=15, message="the client to stop")

    assert isinstance(listener.error, Unauthorised)
    assert "unauthenticated" in str(listener.error)
