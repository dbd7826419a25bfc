"""The one place that reads the environment.

Everything configurable lives in :class:`Settings`; ``create_app`` turns it into Flask config, and tests pass a
dict of overrides instead of touching the environment.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from dotenv import load_dotenv


class SettingError(ValueError):
    """An environment variable whose value cannot be read as its setting's type; the message names the variable."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Settings:
    """Hub settings with their defaults; each field may be set by the environment variable named in ``ENV``."""

    instance_path: str = "instance"
    database_url: str = ""
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 5000
    socketio_message_queue: str = ""
    socketio_channel: str = "directive-hub"
    ratio_threshold: float = 0.15
    timezone: str = "Asia/Ho_Chi_Minh"
    default_locale: str = "vi"
    scheduler_enabled: bool = True
    sweep_interval_seconds: int = 30
    report_request_cron: str = "0 8 1 * *"
    head_interval_seconds: int = 15
    checkpoint_interval_seconds: int = 900
    checkpoint_file: str = ""
    # Sessions end after 8 hours without a request, and 7 days after sign-in whatever (ASVS 7.3.1, 7.3.2); live
    # sockets are checked against ended sessions, revoked tokens and deactivations this often, in every process.
    session_idle_seconds: int = 8 * 3600
    session_lifetime_seconds: int = 7 * 24 * 3600
    credential_check_seconds: int = 5
    replay_page_size: int = 200
    max_content_length: int = 1_000_000
    # Evidence files of an implementation report (docs/attachments.md): bytes per file, files per report.
    attachment_max_bytes: int = 10_000_000
    attachment_max_per_report: int = 5
    ratelimit_storage_uri: str = ""
    limit_questions: str = "10/minute;100/day"
    limit_sync: str = "30/minute;300/hour"
    limit_updates: str = "1200/minute"
    limit_reports: str = "30/hour;100/day"
    limit_tokens: str = "30/hour;200/day"
    limit_exports: str = "10/minute;100/hour"
    throttle_redis_url: str = ""
    proxy_count: int = 0
    https: bool = False
    # ``python app.py`` loads the demo data into an empty database unless this is off (HUB_SEED_DEMO=0).
    seed_demo: bool = True
    # Speed tricks switched off by name, comma-separated, to measure what each gives (hub/sockets/fast/README.md).
    fast_off: str = ""
    # Webhooks (docs/webhooks.md): how often the outbox is read, how many receivers are called at once, how long one
    # may take, the first wait after a failure, when a failing webhook is disabled, more names of the hub itself.
    webhook_interval_seconds: float = 2.0
    webhook_concurrency: int = 16
    webhook_timeout_seconds: float = 10.0
    webhook_first_retry_seconds: float = 30.0
    webhook_disable_after_hours: float = 72.0
    webhook_hub_hosts: str = ""
    # E-mail (docs/mail.md): the SMTP server (none: no mail), the sender, the base of the links in mails, the hour
    # (hub time) of the daily digest, how long a publication may stay unreceived before its editors are mailed,
    # seconds between outbox reads, seconds an SMTP exchange may take, first wait after a failure, when to give up.
    smtp_url: str = ""
    mail_from: str = ""
    public_url: str = ""
    mail_digest_hour: int = 8
    mail_grace_seconds: int = 120
    # Hours before a deadline (at most; never before half of the phase's window) its platform's editors are warned.
    mail_due_soon_hours: float = 24.0
    mail_interval_seconds: float = 5.0
    mail_timeout_seconds: float = 10.0
    mail_first_retry_seconds: float = 60.0
    mail_give_up_hours: float = 72.0
    # The log: lines of text or JSON objects (HUB_LOG_FORMAT=json) on standard error, from this level up.
    log_format: str = "text"
    log_level: str = "INFO"
    extra: dict[str, Any] = field(default_factory=dict)


ENV = {  # nosec B105 # names of environment variables (HUB_SECRET_KEY), not secrets
    "instance_path": "HUB_INSTANCE",
    "database_url": "DATABASE_URL",
    "secret_key": "HUB_SECRET_KEY",
    "host": "HUB_HOST",
    "port": "HUB_PORT",
    "socketio_message_queue": "SOCKETIO_MESSAGE_QUEUE",
    "socketio_channel": "HUB_SOCKETIO_CHANNEL",
    "ratio_threshold": "HUB_RATIO_THRESHOLD",
    "timezone": "HUB_TIMEZONE",
    "default_locale": "HUB_LOCALE",
    "scheduler_enabled": "HUB_SCHEDULER",
    "sweep_interval_seconds": "HUB_SWEEP_INTERVAL",
    "report_request_cron": "HUB_REPORT_REQUEST_CRON",
    "head_interval_seconds": "HUB_HEAD_INTERVAL",
    "checkpoint_interval_seconds": "HUB_CHECKPOINT_INTERVAL",
    "checkpoint_file": "HUB_CHECKPOINT_FILE",
    "session_idle_seconds": "HUB_SESSION_IDLE",
    "session_lifetime_seconds": "HUB_SESSION_LIFETIME",
    "credential_check_seconds": "HUB_CREDENTIAL_CHECK",
    "replay_page_size": "HUB_REPLAY_PAGE",
    "max_content_length": "HUB_MAX_CONTENT_LENGTH",
    "attachment_max_bytes": "HUB_ATTACHMENT_MAX_BYTES",
    "attachment_max_per_report": "HUB_ATTACHMENT_MAX_PER_REPORT",
    "ratelimit_storage_uri": "HUB_RATELIMIT_STORAGE",
    "limit_questions": "HUB_LIMIT_QUESTIONS",
    "limit_sync": "HUB_LIMIT_SYNC",
    "limit_updates": "HUB_LIMIT_UPDATES",
    "limit_reports": "HUB_LIMIT_REPORTS",
    "limit_tokens": "HUB_LIMIT_TOKENS",
    "limit_exports": "HUB_LIMIT_EXPORTS",
    "throttle_redis_url": "HUB_THROTTLE_REDIS",
    "proxy_count": "HUB_PROXY_COUNT",
    "https": "HUB_HTTPS",
    "seed_demo": "HUB_SEED_DEMO",
    "fast_off": "HUB_FAST_OFF",
    "webhook_interval_seconds": "HUB_WEBHOOK_INTERVAL",
    "webhook_concurrency": "HUB_WEBHOOK_CONCURRENCY",
    "webhook_timeout_seconds": "HUB_WEBHOOK_TIMEOUT",
    "webhook_first_retry_seconds": "HUB_WEBHOOK_FIRST_RETRY",
    "webhook_disable_after_hours": "HUB_WEBHOOK_DISABLE_AFTER_HOURS",
    "webhook_hub_hosts": "HUB_WEBHOOK_HUB_HOSTS",
    "smtp_url": "SMTP_URL",
    "mail_from": "HUB_MAIL_FROM",
    "public_url": "HUB_PUBLIC_URL",
    "mail_digest_hour": "HUB_MAIL_DIGEST_HOUR",
    "mail_grace_seconds": "HUB_MAIL_GRACE",
    "mail_due_soon_hours": "HUB_MAIL_DUE_SOON",
    "mail_interval_seconds": "HUB_MAIL_INTERVAL",
    "mail_timeout_seconds": "HUB_MAIL_TIMEOUT",
    "mail_first_retry_seconds": "HUB_MAIL_FIRST_RETRY",
    "mail_give_up_hours": "HUB_MAIL_GIVE_UP_HOURS",
    "log_format": "HUB_LOG_FORMAT",
    "log_level": "HUB_LOG_LEVEL",
}


def load_settings(overrides: dict[str, Any] | None = None, *, environ: bool = True) -> Settings:
    """Build settings from defaults, then the environment (and ``.env``), then ``overrides``."""
    values: dict[str, Any] = {}
    types = {f.name: f.type for f in fields(Settings)}
    if environ:
        load_dotenv(override=False)
        for name, var in ENV.items():
            raw = os.environ.get(var)
            if raw is None or raw == "":
                continue
            values[name] = _parse(var, raw, types[name])
    known = {f.name for f in fields(Settings)}
    extra = {}
    for key, value in (overrides or {}).items():
        if key in known:
            values[key] = value
        else:
            extra[key] = value
    settings = Settings(**values)
    settings.extra.update(extra)
    _fill_instance_defaults(settings)
    if not settings.ratelimit_storage_uri:
        settings.ratelimit_storage_uri = _shared_storage(settings.socketio_message_queue)
    return settings


def _parse(var: str, raw: str, kind: Any) -> Any:
    """``raw`` as the setting's type; a value that is not one raises :class:`SettingError` naming ``var``."""
    try:
        if kind in ("int", int):
            return int(raw)
        if kind in ("float", float):
            return float(raw)
    except ValueError:
        raise SettingError(f"{var}={raw!r} is not a number; set {var} to a number") from None
    if kind in ("bool", bool):
        return _bool(raw)
    return raw


def _shared_storage(message_queue: str) -> str:
    """Rate limits count in the Redis that already joins the hub processes; in memory for a single process."""
    return message_queue if message_queue.startswith(("redis://", "rediss://")) else "memory://"


def _fill_instance_defaults(settings: Settings) -> None:
    """Derive what lives under the instance folder: the SQLite file, the checkpoint file and a secret key kept
    across restarts."""
    instance = Path(settings.instance_path).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    settings.instance_path = str(instance)
    if not settings.database_url:
        settings.database_url = f"sqlite:///{instance / 'hub.sqlite3'}"
    if not settings.checkpoint_file:
        settings.checkpoint_file = str(instance / "checkpoints.jsonl")
    if not settings.secret_key:
        key_file = instance / "secret_key"
        if not key_file.exists():
            write_once(key_file, secrets.token_hex(32).encode())
        settings.secret_key = key_file.read_text().strip()


def write_once(path: Path, data: bytes) -> None:
    """Create ``path`` (mode 0600) holding ``data`` unless it exists, atomically: of several processes starting
    together on a fresh instance folder, the first one's key wins and every process reads that one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    tmp.write_bytes(data)
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)  # fails if another process created the file first
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
