"""Start-up that explains itself: each way a start can fail on its configuration or its surroundings becomes one line
that names the setting to change, and the process exits non-zero without a traceback.

The checks run in the order a start needs them: the settings and the database URL (building the app), the message
queue, the database (migrating), then the port, which is bound before the hub says it is serving.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from hub.config import SettingError, Settings

T = TypeVar("T")
EXIT_CODE = 1
REDIS_SCHEMES = ("redis://", "rediss://", "unix://", "valkey://", "valkeys://")
OTHER_QUEUES = ("kafka://", "zmq+")  # message queues python-socketio also speaks; not checked before the start


class StartupError(Exception):
    """A start that cannot go on, with the one line that says why and which setting to change."""


def fail(message: str) -> NoReturn:
    """Print ``message`` as the process's last line on standard error and exit non-zero at once.

    ``os._exit``, not ``SystemExit``: building the app may already have started background tasks (the message
    queue's listener retries a missing Redis forever) that would keep the process alive; nothing is written yet.
    """
    print(f"Directive Hub cannot start: {message}", file=sys.stderr, flush=True)
    sys.stdout.flush()
    os._exit(EXIT_CODE)


@contextmanager
def explained() -> Iterator[None]:
    """Turn a :class:`StartupError` raised inside into its line and a non-zero exit."""
    try:
        yield
    except StartupError as exc:
        fail(str(exc))


def safe_url(url: str) -> str:
    """``url`` with any password hidden, for lines that an operator reads or pastes."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL at all: show it as given, it holds no parsable password
        return url


def build_app(factory: Callable[[], T]) -> T:
    """Call the app factory; a setting that cannot be read or a database URL no driver understands is explained."""
    try:
        return factory()
    except SettingError as exc:
        raise StartupError(str(exc)) from None
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        raise StartupError(
            f"DATABASE_URL is not a database URL this hub understands ({_first_line(exc)}); "
            "use sqlite:///path/to/file or postgresql://user@host/db"
        ) from None


def migrate(engine: Engine, migrate_fn: Callable[[Engine], list[str]], database_url: str) -> list[str]:
    """Apply the migrations and return the revisions applied; a database (``DATABASE_URL``, as given) that cannot be
    reached or opened is explained."""
    try:
        return migrate_fn(engine)
    except sa.exc.OperationalError as exc:
        url = safe_url(database_url)
        raise StartupError(
            f"cannot reach the database at DATABASE_URL={url} ({_first_line(exc.orig or exc)}); "
            "start the database or set DATABASE_URL to one that answers"
        ) from None


def configure_logs(settings: Settings) -> None:
    """Send the log to standard error in the configured format (an unknown format names its setting)."""
    from hub import logs

    try:
        logs.configure(settings.log_format, settings.log_level)
    except ValueError as exc:
        raise StartupError(f"{exc}; set HUB_LOG_FORMAT to text or json and HUB_LOG_LEVEL to INFO, DEBUG …") from None


def check_services(settings: Settings) -> None:
    """Reach each Redis the settings name (message queue, sign-in throttle) before serving on it."""
    queue = settings.socketio_message_queue
    if queue and not queue.startswith(OTHER_QUEUES):
        _ping_redis("SOCKETIO_MESSAGE_QUEUE", queue)
    if settings.throttle_redis_url:
        _ping_redis("HUB_THROTTLE_REDIS", settings.throttle_redis_url)


def _ping_redis(name: str, url: str) -> None:
    import redis

    if not url.startswith(REDIS_SCHEMES):
        raise StartupError(f"{name}={url} is not a Redis URL; use redis://host:6379/0")
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        client.ping()
        client.close()
    except (redis.RedisError, ValueError, OSError) as exc:
        raise StartupError(
            f"cannot reach Redis at {name}={safe_url(url)} ({_first_line(exc)}); start Redis or set {name} "
            "to one that answers (leave it empty for a single process)"
        ) from None


def check_mail(settings: Settings) -> str:
    """The line that says whether the hub sends e-mail; a malformed ``SMTP_URL`` stops the start."""
    from hub.mail import dispatcher, smtp

    try:
        config = dispatcher.from_settings(settings)
    except smtp.SmtpUrlError as exc:
        raise StartupError(
            f"SMTP_URL is not an SMTP URL ({exc}); use smtp://[user:password@]host:25, smtp+starttls://host:587 "
            "or smtps://host:465, or leave it empty to send no e-mail"
        ) from None
    if config is None:
        return "Mail is off: no SMTP_URL set, so nobody is e-mailed (set SMTP_URL=smtp://host:25 to turn it on)"
    return f"Mail on: {config.server.shown}, links to {config.letterhead.public_url}"


def bind(host: str, port: int) -> Any:
    """The listening socket on ``host:port``, bound before anything says the hub is serving."""
    from hub.sockets.fast.server import listen

    try:
        return listen(host, port)
    except OSError as exc:
        raise StartupError(_bind_message(host, port, exc)) from None


def _bind_message(host: str, port: int, exc: OSError) -> str:
    where = f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use by another program; set HUB_PORT to a free port"
    if exc.errno == errno.EACCES:
        return f"not allowed to listen on {where} (ports under 1024 need privileges); set HUB_PORT to 1024 or above"
    if isinstance(exc, socket.gaierror) or exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
        return f"cannot listen on {where}: {host} is not an address of this machine; set HUB_HOST (e.g. 127.0.0.1)"
    return f"cannot listen on {where} ({exc.strerror or exc}); check HUB_HOST and HUB_PORT"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0].strip()
