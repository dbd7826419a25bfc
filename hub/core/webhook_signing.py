"""Webhook signatures: HMAC-SHA256 over ``<timestamp>.<body>``, sent as ``Hub-Signature: t=<unix>,v1=<hex>``
(the shape of Stripe's and GitHub's), and the sealing of webhook secrets at rest.

A receiver recomputes the HMAC with its secret over the timestamp, a dot and the raw body, compares in constant
time and refuses timestamps older than its tolerance (docs/webhooks.md shows it in Python and with openssl).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

HEADER = "Hub-Signature"
SECRET_PREFIX = "whsec_"  # nosec B105 # the public prefix that marks a webhook secret, not a secret
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """A fresh 256-bit webhook secret, shown to its owner once."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``<timestamp>.<body>`` under ``secret``."""
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def header(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the ``Hub-Signature`` header."""
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, value: str, body: bytes, now: int, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """Whether a ``Hub-Signature`` header signs ``body`` with ``secret`` and is no older than ``tolerance``."""
    parts = dict(p.split("=", 1) for p in value.split(",") if "=" in p)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(parts.get("v1", ""), signature(secret, timestamp, body))


def _key(master: str) -> bytes:
    return hashlib.sha256(b"directive-hub webhook secrets\0" + master.encode()).digest()


def seal(master: str, secret: str) -> str:
    """Encrypt a webhook secret for storage with a key derived from the hub's secret key (AES-GCM)."""
    nonce = secrets.token_bytes(12)
    return base64.urlsafe_b64encode(nonce + AESGCM(_key(master)).encrypt(nonce, secret.encode(), None)).decode()


def unseal(master: str, sealed: str) -> str:
    """The webhook secret back from its sealed form."""
    raw = base64.urlsafe_b64decode(sealed.encode())
    return AESGCM(_key(master)).decrypt(raw[:12], raw[12:], None).decode()
