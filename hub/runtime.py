"""What one running hub holds: its settings, database engine and signing key (in ``app.extensions['hub']``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import Engine

from hub.blobs import BlobStore
from hub.config import Settings, write_once
from hub.core.attachments import Limits
from hub.core.sessions import SessionPolicy
from hub.core.signing import Signer


@dataclass
class Hub:
    settings: Settings
    engine: Engine
    signer: Signer

    @property
    def session_policy(self) -> SessionPolicy:
        """The idle and absolute limits of signed-in sessions, from the settings."""
        s = self.settings
        return SessionPolicy(timedelta(seconds=s.session_idle_seconds), timedelta(seconds=s.session_lifetime_seconds))

    @property
    def attachment_limits(self) -> Limits:
        return Limits(self.settings.attachment_max_bytes, self.settings.attachment_max_per_report)

    @property
    def blobs(self) -> BlobStore:
        """The content-addressed attachments folder under the instance folder."""
        return BlobStore(Path(self.settings.instance_path) / "attachments")

    @property
    def upload_body_limit(self) -> int:
        """The largest request that may carry a full report's files (base64 in JSON is a third larger)."""
        return self.attachment_limits.max_bytes * self.attachment_limits.max_per_report * 4 // 3 + 1_000_000


def current_hub() -> Hub:
    return current_app.extensions["hub"]


def load_signer(instance_path: str) -> Signer:
    """The hub's Ed25519 key pair, generated at first start and kept in the instance folder."""
    key_file = Path(instance_path) / "signing_key.pem"
    if not key_file.exists():
        write_once(key_file, Signer.generate().private_pem())
    return Signer.from_pem(key_file.read_bytes())
