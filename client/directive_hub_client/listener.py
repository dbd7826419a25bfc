"""The platforms' client: holds a Socket.IO connection to the hub's ``/platform`` namespace, hands every directive
over once and in sequence order, and sends acknowledgements and status reports from a durable outbox.

Threads: ``run`` connects and reconnects; one worker thread owns the cursor and handles every incoming event in
turn (python-socketio runs each event handler in a thread of its own, so the handlers only queue); one flusher
thread sends the outbox whenever a connection is up.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
import socketio

from directive_hub_client.backoff import Backoff, Hold
from directive_hub_client.calls import CALL_TIMEOUT, NAMESPACE, NO_ANSWER, call_all
from directive_hub_client.errors import TamperedDirective, Unauthorised
from directive_hub_client.signing import fetch_public_key, fingerprint, verify
from directive_hub_client.store import OUTBOX, Outbox, Request, StateDir

log = logging.getLogger("directive_hub_client")

NOTICES = ("revoked", "reminder", "answer")
STATES = ("in_progress", "implemented", "declined")

DirectiveHandler = Callable[[dict[str, Any]], None]
NoticeHandler = Callable[[str, dict[str, Any]], None]
ResultHandler = Callable[[Request, dict[str, Any]], None]


def log_result(request: Request, answer: dict[str, Any]) -> None:
    """Default report of a settled request: a log line."""
    if answer.get("ok"):
        log.info("hub confirmed %s %s: %s", request.event, request.payload, answer)
    else:
        log.error("hub refused %s %s: %s", request.event, request.payload, answer)


def log_notice(event: str, data: dict[str, Any]) -> None:
    log.info("%s: %s", event, data)


class PlatformClient:
    """A platform's connection to the hub, resumable from its state folder.

    ``on_directive`` gets each verified directive (with its ``seq``) once, in order; the cursor advances after it
    returns, so a crash inside it means the directive is handed over again after the restart.
    """

    def __init__(
        self,
        url: str,
        token: str,
        state_dir: str,
        *,
        on_directive: DirectiveHandler | None = None,
        on_notice: NoticeHandler | None = None,
        on_result: ResultHandler | None = None,
        public_key: str | None = None,
        backoff: Backoff | None = None,
        gap_grace: float = 1.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.state = StateDir(state_dir)
        self.outbox = Outbox(self.state.path / OUTBOX)
        self.on_directive = on_directive or (lambda payload: print(payload, flush=True))
        self.on_notice = on_notice or log_notice
        self.on_result = on_result or log_result
        self.backoff = backoff or Backoff()
        self.gap_grace = gap_grace
        self._key = public_key
        self._cursor = self.state.cursor
        self._events: queue.Queue[tuple[str, Any, Any]] = queue.Queue()
        self._stop = threading.Event()
        self._kick = threading.Event()
        self._sio: socketio.Client | None = None
        self._failure: BaseException | None = None
        self._outbox_hold, self._sync_hold = Hold(), Hold()  # the waits the hub asked for (rate_limited answers)
        # Worker-only state.
        self._buffer: dict[int, tuple[dict[str, Any], bool]] = {}
        self._head = 0
        self._live: list[tuple[socketio.Client, int]] = []
        self._sync: tuple[socketio.Client, float] | None = None
        self._behind_since: float | None = None
        self._want_sync = False
        self._rejections: dict[int, int] = {}

    @property
    def cursor(self) -> int:
        """The sequence number of the last directive handed over."""
        return self._cursor

    # Requests to the hub, through the outbox.

    def acknowledge(self, directive_id: int) -> Request:
        """Queue the acknowledgement of a directive; it is sent now if connected, else after reconnecting."""
        return self._queue("acknowledge", {"directive_id": directive_id})

    def report_status(self, directive_id: int, state: str, report: str | None = None) -> Request:
        """Queue an implementation status (``in_progress``, ``implemented`` or ``declined``) with its report."""
        return self._queue("status", {"directive_id": directive_id, "state": state, "report": report})

    def _queue(self, event: str, payload: dict[str, Any]) -> Request:
        request = self.outbox.add(event, payload)
        self._kick.set()
        return request

    # Connection.

    def public_key(self) -> str:
        """The key directives are verified with: given, pinned earlier, or fetched now and pinned."""
        if self._key is None:
            self._key = self.state.public_key()
        if self._key is None:
            key = fetch_public_key(self.url)
            self.state.pin_public_key(key)
            log.warning("pinned the hub's signing key %s (trust on first use)", fingerprint(key))
            self._key = key
        return self._key

    def run(self) -> None:
        """Listen until :meth:`stop`, reconnecting with backoff; raises :class:`Unauthorised` or
        :class:`TamperedDirective` when going on would be pointless or unsafe."""
        threads = [threading.Thread(target=f, daemon=True) for f in (self._work, self._flush_loop)]
        for t in threads:
            t.start()
        try:
            while not self._stop.is_set():
                down = self._connect()
                if down is None:
                    self._stop.wait(self.backoff.next())
                    continue
                self.backoff.reset()
                while not self._stop.is_set() and not down.wait(0.5):
                    pass
                self._close()
        finally:
            self._stop.set()
            self._close()
            for t in threads:
                t.join(timeout=5)
        if self._failure is not None:
            raise self._failure

    def start(self) -> threading.Thread:
        """Run in a background thread (for use as a library)."""
        thread = threading.Thread(target=self._run_quietly, daemon=True, name="hub-client")
        thread.start()
        return thread

    def _run_quietly(self) -> None:
        try:
            self.run()
        except (Unauthorised, TamperedDirective) as exc:
            log.error("client stopped: %s", exc)

    def stop(self) -> None:
        self._stop.set()
        self._kick.set()
        self._close()

    @property
    def connected(self) -> bool:
        sio = self._sio
        return sio is not None and sio.connected

    def _connect(self) -> threading.Event | None:
        """One connection attempt; the event it returns is set when that connection drops."""
        try:
            self.public_key()
        except (requests.RequestException, ValueError) as exc:
            log.warning("cannot fetch the hub's signing key: %s", exc)
            return None
        sio, down, refused = self._new_socket()
        reason = self._open(sio, refused, lambda: {"token": self.token, "since": self._cursor})
        if reason is not None:
            if reason.startswith("unauthenticated"):
                self._failure = Unauthorised(reason)
                self._stop.set()
            return None
        self._sio = sio
        self._kick.set()
        log.info("connected to %s, resuming after seq %d", self.url, self._cursor)
        return down

    def _new_socket(self) -> tuple[socketio.Client, threading.Event, list[Any]]:
        sio = socketio.Client(reconnection=False)
        down = threading.Event()
        refused: list[Any] = []

        def on_error(data: Any = None) -> None:
            refused.append(data.get("message", data) if isinstance(data, dict) else data)

        def put(kind: str) -> Callable[..., None]:
            return lambda data=None: self._events.put((kind, sio, data))

        sio.on("connect_error", on_error, namespace=NAMESPACE)
        sio.on("disconnect", lambda *_: down.set(), namespace=NAMESPACE)
        sio.on("directive", put("directive"), namespace=NAMESPACE)
        sio.on("head", put("head"), namespace=NAMESPACE)
        for event in NOTICES:
            sio.on(event, lambda data=None, event=event: self.on_notice(event, data), namespace=NAMESPACE)
        return sio, down, refused

    def _close(self) -> None:
        sio, self._sio = self._sio, None
        if sio is not None:
            sio.disconnect()

    # The worker: directives in, cursor forward.

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                kind, sio, data = self._events.get(timeout=0.2)
            except queue.Empty:
                kind = None
            try:
                if kind == "directive":
                    self._on_directive(sio, data)
                elif kind == "receipt":
                    self._on_receipt(sio, *data)
                elif kind == "head" and isinstance(data, dict) and isinstance(data.get("seq"), int):
                    self._head = max(self._head, data["seq"])
                elif kind == "synced" and self._sync and self._sync[0] is sio:
                    self._sync = None
                    self._sync_hold.note(data)
                self._catch_up()
            except Exception as exc:  # the consumer's callback failed, or the tamper limit was hit
                self._failure = exc
                self._stop.set()
                self._close()

    def _on_directive(self, sio: socketio.Client, payload: Any) -> None:
        if not isinstance(payload, dict) or not self._authentic(payload):
            return
        seq = payload.get("seq")
        if isinstance(seq, int):
            self._offer(seq, payload, needs_receipt=True)
            return
        # A live publish carries no seq: the receipt's answer gives it.
        self._live.append((sio, payload.get("id")))
        self._emit(
            sio,
            "receipt",
            {"directive_id": payload.get("id")},
            lambda answer=None: self._events.put(("receipt", sio, (payload, answer))),
        )

    def _on_receipt(self, sio: socketio.Client, payload: dict[str, Any], answer: Any) -> None:
        if (sio, payload.get("id")) in self._live:
            self._live.remove((sio, payload.get("id")))
        if isinstance(answer, dict) and answer.get("ok") and isinstance(answer.get("seq"), int):
            self._offer(answer["seq"], {**payload, "seq": answer["seq"]}, needs_receipt=False)
        else:
            log.warning("receipt for directive %s not recorded: %s", payload.get("id"), answer)
            self._want_sync = True

    def _authentic(self, payload: dict[str, Any]) -> bool:
        signature = payload.get("signature")
        if verify(self.public_key(), payload, signature):
            return True
        seq = payload.get("seq")
        log.error("REJECTED directive %s (seq %s): its signature does not verify", payload.get("id"), seq)
        self.state.record_rejected(payload, "signature does not verify")
        self._want_sync = True  # the hub's database holds the authentic copy, if there is one
        if isinstance(seq, int):
            self._rejections[seq] = self._rejections.get(seq, 0) + 1
            if self._rejections[seq] >= 2:
                raise TamperedDirective(
                    f"directive at seq {seq} failed verification twice; delivery stops after seq {self._cursor} "
                    f"(see {self.state.path / 'rejected.jsonl'})"
                )
        return False

    def _offer(self, seq: int, payload: dict[str, Any], needs_receipt: bool) -> None:
        if seq <= self._cursor or seq in self._buffer:
            return
        self._buffer[seq] = (payload, needs_receipt)
        while self._cursor + 1 in self._buffer:
            payload, needs_receipt = self._buffer.pop(self._cursor + 1)
            self.on_directive(payload)
            if needs_receipt:
                # Through the outbox, queued before the cursor moves: a receipt cut off with the connection is
                # sent after the restart, when no replay would bring the directive back.
                self.outbox.add("receipt", {"directive_id": payload.get("id")})
                self._kick.set()
            self._cursor = payload["seq"]
            self.state.save_cursor(self._cursor)

    def _catch_up(self) -> None:
        """Ask for what is missing once the gap has lasted ``gap_grace`` with nothing else on its way."""
        sio = self._sio
        self._live = [entry for entry in self._live if entry[0] is sio]
        if self._sync and (self._sync[0] is not sio or time.monotonic() - self._sync[1] > CALL_TIMEOUT):
            self._sync = None
        behind = bool(self._buffer) or self._head > self._cursor or self._want_sync
        if sio is None or not behind or self._live or self._sync or self._sync_hold.remaining():
            self._behind_since = None
            return
        now = time.monotonic()
        if self._behind_since is None:
            self._behind_since = now
        if now - self._behind_since < self.gap_grace:
            return
        log.info("behind (held %d, head %d): asking the hub to sync", self._cursor, self._head)
        self._sync, self._behind_since, self._want_sync = (sio, now), None, False
        self._emit(sio, "sync", {"since": self._cursor}, lambda answer=None: self._events.put(("synced", sio, answer)))

    @staticmethod
    def _emit(sio: socketio.Client | None, event: str, data: dict[str, Any], callback: Callable[..., None]) -> None:
        if sio is None:
            return
        try:
            sio.emit(event, data, namespace=NAMESPACE, callback=callback)
        except socketio.exceptions.SocketIOError as exc:
            log.info("could not send %s (%s): the next connection resumes it", event, exc)

    # The outbox.

    def _flush_loop(self) -> None:
        while not self._stop.is_set():
            held = self._outbox_hold.remaining()
            if held:
                self._stop.wait(held)  # the hub said how long to wait; then the outbox goes again
            else:
                self._kick.wait(timeout=5)
                self._kick.clear()
            sio = self._sio
            if sio is not None and sio.connected and not self._stop.is_set():
                self.flush(sio)

    def flush(self, sio: socketio.Client) -> bool:
        """Send the outbox over ``sio``; True when nothing is left. A request leaves the outbox only on a definitive
        answer: ``ok: true``, or ``ok: false`` (reported, not retried) — except ``rate_limited``, which keeps it for
        another try after the ``retry_after`` seconds the hub gave. Receipts are independent of each other and
        go all at once; acknowledgements and status reports go one at a time, in the order they were queued."""
        pending = self.outbox.pending()
        receipts = [r for r in pending if r.event == "receipt"]
        done = all([self._settle(r, a) for r, a in zip(receipts, call_all(sio, receipts), strict=True)])
        for request in (r for r in pending if r.event != "receipt"):
            if not self._settle(request, call_all(sio, [request])[0]):
                return False
        return done

    def _settle(self, request: Request, answer: Any) -> bool:
        if answer is NO_ANSWER:
            log.info("outbox: %s not confirmed yet; kept for the next connection", request.event)
            return False
        if self._outbox_hold.note(answer):
            log.info(
                "outbox: the hub asks to wait %s s before sending %s again", answer.get("retry_after"), request.event
            )
            return False
        if not isinstance(answer, dict) or "ok" not in answer:
            answer = {"ok": False, "error": "invalid_answer", "message": f"unexpected answer {answer!r}"}
        self.outbox.remove(request.id)
        if request.event != "receipt":
            self.on_result(request, answer)
        elif not answer["ok"]:
            log.warning("receipt for directive %s refused: %s", request.payload.get("directive_id"), answer)
        return True

    def _open(self, sio: socketio.Client, refused: list[Any], auth: Any) -> str | None:
        """Connect ``sio`` to the hub's /platform namespace; the reason it was refused or failed, or None."""
        try:
            sio.connect(self.url, auth=auth, namespaces=[NAMESPACE], transports=["websocket"], wait_timeout=10)
        except socketio.exceptions.ConnectionError as exc:
            reason = str(refused[0]) if refused else str(exc)
            log.warning("cannot connect to %s: %s", self.url, reason)
            return reason
        return None

    def flush_once(self) -> bool:
        """Connect, send the outbox, disconnect (for the one-shot ``ack`` and ``status`` commands)."""
        sio, _, refused = self._new_socket()
        sio.handlers.get(NAMESPACE, {}).pop("directive", None)  # directives are for ``listen``
        reason = self._open(sio, refused, {"token": self.token, "since": self._cursor})
        if reason is not None:
            if reason.startswith("unauthenticated"):
                raise Unauthorised(reason)
            return False
        try:
            return self.flush(sio)
        finally:
            sio.disconnect()
