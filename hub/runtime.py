"""What one running hub holds: its settings, database engine and signing key (in ``app.extensions['hub']``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import Engine

from hub.config import Settings, write_once
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


def current_hub() -> Hub:
    return current_app.extensions["hub"]


def load_signer(instance_path: str) -> Signer:
    """The hub's Ed25519 key pair, generated at first start and kept in the instance folder."""
    key_file = Path(instance_path) / "signing_key.pem"
    if not key_file.exists():
        write_once(key_file, Signer.generate().private_pem())
    return Signer.from_pem(key_file.read_bytes())
