"""A real SMTP server in the test process (aiosmtpd) on 127.0.0.1 and a port of its own, keeping what arrives."""

from __future__ import annotations

import email
import email.policy
import threading
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.e2e.hubproc import free_port


class _Keep:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.server.lock:
            self.server.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"


class SmtpServer:
    """Start, stop and start again on the same port (an SMTP outage); ``messages`` reads what was accepted."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.lock = threading.Lock()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        self.controller = Controller(_Keep(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [m for _, m in self.received]

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for rcpts, m in self.received if address in rcpts]


def text_of(message: EmailMessage) -> str:
    """The plain-text part of a mail."""
    return message.get_body(preferencelist=("plain",)).get_content()
