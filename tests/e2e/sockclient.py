"""Real python-socketio clients for end-to-end tests: they record every event they receive, in order."""

from __future__ import annotations

import threading
from typing import Any

import socketio

from tests.e2e.hubproc import wait_until

PLATFORM_EVENTS = ("directive", "head", "revoked", "reminder", "answer")
CONSOLE_EVENTS = ("progress", "published", "escalation", "question", "question_answered")


class Recorder:
    """A Socket.IO client on one namespace that keeps ``(event, data)`` in arrival order."""

    def __init__(self, namespace: str, events: tuple[str, ...]) -> None:
        self.namespace = namespace
        self.sio = socketio.Client(reconnection=False)
        self.received: list[tuple[str, Any]] = []
        self.refused: Any = None
        self.disconnected = threading.Event()
        self._lock = threading.Lock()
        for name in events:
            self.sio.on(name, self._recorder(name), namespace=namespace)
        self.sio.on("connect_error", self._on_refused, namespace=namespace)
        self.sio.on("disconnect", lambda *_: self.disconnected.set(), namespace=namespace)

    def _recorder(self, name: str):
        def record(data: Any = None) -> None:
            with self._lock:
                self.received.append((name, data))

        return record

    def _on_refused(self, data: Any = None) -> None:
        self.refused = data

    def connect(self, url: str, *, auth: dict | None = None, cookie: str | None = None) -> Recorder:
        headers = {"Cookie": cookie} if cookie else {}
        self.sio.connect(
            url, namespaces=[self.namespace], auth=auth, headers=headers, transports=["websocket"], wait_timeout=10
        )
        return self

    def try_connect(self, url: str, **kwargs: Any) -> bool:
        """Connect, or return False when the hub refuses (the reason is in ``refused``)."""
        try:
            self.connect(url, **kwargs)
        except socketio.exceptions.ConnectionError:
            return False
        return True

    def call(self, event: str, data: Any, timeout: float = 10.0) -> Any:
        return self.sio.call(event, data, namespace=self.namespace, timeout=timeout)

    def events(self, name: str) -> list[Any]:
        with self._lock:
            return [data for event, data in self.received if event == name]

    def wait_for(self, name: str, count: int = 1, timeout: float = 10.0) -> list[Any]:
        wait_until(lambda: len(self.events(name)) >= count, timeout, message=f"{count} {name} event(s)")
        return self.events(name)

    @property
    def connected(self) -> bool:
        return self.sio.connected and not self.disconnected.is_set()

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


def platform(url: str, token: str, since: int = 0) -> Recorder:
    return Recorder("/platform", PLATFORM_EVENTS).connect(url, auth={"token": token, "since": since})


def console(url: str, cookie: str) -> Recorder:
    return Recorder("/console", CONSOLE_EVENTS).connect(url, cookie=cookie)
