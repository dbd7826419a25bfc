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
    replay_page_size: int = 200
    max_content_length: int = 1_000_000
    ratelimit_storage_uri: str = "memory://"
    throttle_redis_url: str = ""
    proxy_count: int = 0
    https: bool = False
    seed_demo: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


ENV = {
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
    "replay_page_size": "HUB_REPLAY_PAGE",
    "max_content_length": "HUB_MAX_CONTENT_LENGTH",
    "ratelimit_storage_uri": "HUB_RATELIMIT_STORAGE",
    "throttle_redis_url": "HUB_THROTTLE_REDIS",
    "proxy_count": "HUB_PROXY_COUNT",
    "https": "HUB_HTTPS",
    "seed_demo": "HUB_SEED_DEMO",
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
            kind = types[name]
            if kind in ("int", int):
                values[name] = int(raw)
            elif kind in ("float", float):
                values[name] = float(raw)
            elif kind in ("bool", bool):
                values[name] = _bool(raw)
            else:
                values[name] = raw
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
    return settings


def _fill_instance_defaults(settings: Settings) -> None:
    """Derive what lives under the instance folder: the SQLite file and a secret key kept across restarts."""
    instance = Path(settings.instance_path).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    settings.instance_path = str(instance)
    if not settings.database_url:
        settings.database_url = f"sqlite:///{instance / 'hub.sqlite3'}"
    if not settings.secret_key:
        key_file = instance / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        settings.secret_key = key_file.read_text().strip()
