"""Requests over the socket that wait for the hub's answers, giving up as soon as the connection drops."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import socketio

from directive_hub_client.store import Request

NAMESPACE = "/platform"
CALL_TIMEOUT = 30.0
NO_ANSWER = object()  # what a request that got no answer (cut, timeout) is answered with


def call_all(sio: socketio.Client, requests: list[Request]) -> list[Any]:
    """Emit every request and wait for their answers (``NO_ANSWER`` for those that got none), giving up at once
    when the connection drops: ``sio.call`` would wait for its whole timeout."""
    answers: dict[int, Any] = {}
    every = threading.Event()

    def on_answer(request_id: int) -> Callable[..., None]:
        def record(*args: Any) -> None:
            answers[request_id] = args[0] if args else None
            if len(answers) == len(requests):
                every.set()

        return record

    try:
        for request in requests:
            sio.emit(request.event, request.payload, namespace=NAMESPACE, callback=on_answer(request.id))
    except socketio.exceptions.SocketIOError:
        pass
    deadline = time.monotonic() + CALL_TIMEOUT
    while requests and not every.wait(0.1):
        if not sio.connected or time.monotonic() > deadline:
            break
    return [answers.get(r.id, NO_ANSWER) for r in requests]
