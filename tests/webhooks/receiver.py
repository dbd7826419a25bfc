"""A real HTTP receiver for webhook tests: ``http.server`` on 127.0.0.1 in a thread, answering as told."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def data(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers 500 to the first ``fail_first`` requests, then 204; ``hang`` seconds of silence before answering."""

    fail_first: int = 0
    hang: float = 0.0
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Receiver:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if owner.hang:
                    time.sleep(owner.hang)
                with owner.lock:
                    status = 500 if len(owner.requests) < owner.fail_first else 204
                    owner.requests.append(Received(dict(self.headers), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def accepted(self) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.status < 300]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
