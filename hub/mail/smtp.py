"""The SMTP server named by ``SMTP_URL``, and one connection to it per run of the mail job.

``smtp://[user:pass@]host[:25]`` speaks plain SMTP and upgrades to TLS when the server offers STARTTLS;
``smtp+starttls://`` requires STARTTLS (port 587 by default); ``smtps://`` is TLS from the first byte (port 465).
Every socket operation has a timeout; a failure is an error string, never an exception out of the job.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class SmtpUrlError(ValueError):
    """``SMTP_URL`` is not an SMTP URL; the message says what to write instead."""


@dataclass(frozen=True)
class SmtpServer:
    """Where to send, how to secure it, and who to sign in as (if anyone)."""

    scheme: str
    host: str
    port: int
    user: str = ""
    password: str = ""

    @property
    def shown(self) -> str:
        """The URL without its password, for the start-up line."""
        who = f"{self.user}:***@" if self.user else ""
        return f"{self.scheme}://{who}{self.host}:{self.port}"


def parse(url: str) -> SmtpServer:
    """Read ``SMTP_URL``; anything but ``smtp://``, ``smtp+starttls://`` or ``smtps://`` with a host is refused."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise SmtpUrlError(f"not a URL ({exc})") from None
    if parts.scheme not in SCHEMES:
        raise SmtpUrlError(f"unknown scheme {parts.scheme or '(none)'!r}")
    if not parts.hostname:
        raise SmtpUrlError("no host")
    if parts.path not in ("", "/") or parts.query:
        raise SmtpUrlError("no path or query expected")
    return SmtpServer(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or SCHEMES[parts.scheme],
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


def connect(server: SmtpServer, timeout: float) -> smtplib.SMTP:
    """An open, greeted (and signed-in, if the URL says so) connection; raises ``OSError``/``SMTPException``."""
    context = ssl.create_default_context()
    if server.scheme == "smtps":
        conn: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
    else:
        conn = smtplib.SMTP(server.host, server.port, timeout=timeout)
    try:
        conn.ehlo()
        if server.scheme == "smtp+starttls" or (server.scheme == "smtp" and conn.has_extn("starttls")):
            conn.starttls(context=context)
            conn.ehlo()
        if server.user:
            conn.login(server.user, server.password)
    except BaseException:
        conn.close()
        raise
    return conn


def send(conn: smtplib.SMTP, message: EmailMessage) -> str | None:
    """Hand one message to the server; None when it was accepted, else the reason."""
    try:
        refused = conn.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    if refused:
        return f"refused: {refused}"[:300]
    return None
