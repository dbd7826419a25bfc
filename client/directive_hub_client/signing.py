"""Checking that a directive really comes from the hub: its Ed25519 signature over the canonical form of its signed
fields, as documented in the hub's ``docs/protocol.md`` ("Signed directives"). Written again here, without the
server's code, so that a platform verifies with nothing but this package and ``cryptography``: the repetition of
``hub/core/signing.py`` is deliberate (the client imports nothing of the server), and both are tested against the
same vectors (``tests/client/test_signing.py``)."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# The signed fields of a directive payload, in the order the protocol document lists them (the encoding sorts them).
SIGNED_FIELDS = (
    "id",
    "directive_seq",
    "ref_no",
    "kind",
    "title",
    "body",
    "priority",
    "issuer",
    "published_at",
    "ack_due_at",
    "implement_due_at",
    "expires_at",
    "supersedes_id",
    "legal_basis",
    "exercise",
)
# Each signed official document, in the order the payload lists them (sorted by sha256).
ATTACHMENT_FIELDS = ("name", "sha256", "size", "type")


def canonical(data: Any) -> bytes:
    """JSON with sorted keys, no spaces, text as UTF-8 (no ``\\u`` escapes but for control characters)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def signed_part(payload: dict[str, Any]) -> bytes:
    """The bytes the hub signed: every signed field of ``payload`` (``null`` when absent), canonically encoded."""
    signed = {name: payload.get(name) for name in SIGNED_FIELDS}
    if payload.get("attachments"):  # absent or empty: the form directives had before attachments
        signed["attachments"] = [{k: a.get(k) for k in ATTACHMENT_FIELDS} for a in payload["attachments"]]
    return canonical(signed)


def content_hash(payload: dict[str, Any]) -> str:
    """The SHA-256 of the signed bytes, as the payload's ``content_hash`` gives it."""
    return hashlib.sha256(signed_part(payload)).hexdigest()


def load_public_key(pem: str) -> Ed25519PublicKey:
    """The hub's key from its PEM text; ValueError when it is not an Ed25519 public key."""
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the hub's public key is not an Ed25519 key")
    return key


def verify(public_pem: str, payload: dict[str, Any], signature: Any) -> bool:
    """Whether ``signature`` (base64) is the hub's signature over ``payload``'s signed fields."""
    if not isinstance(signature, str):
        return False
    try:
        data = signed_part(payload)
        load_public_key(public_pem).verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def fingerprint(public_pem: str) -> str:
    """The key's short name, as the hub prints it: the first 16 hex digits of the SHA-256 of its DER form."""
    der = load_public_key(public_pem).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()[:16]


def fetch_public_key(url: str, timeout: float = 10.0) -> str:
    """The hub's public signing key (PEM), from ``GET /api/v1/signing-key``."""
    response = requests.get(url.rstrip("/") + "/api/v1/signing-key", timeout=timeout)
    response.raise_for_status()
    text = response.text
    if "json" in response.headers.get("Content-Type", ""):
        values = [v for v in response.json().values() if isinstance(v, str)]
        text = next((v for v in values if "BEGIN PUBLIC KEY" in v), "")
    if "BEGIN PUBLIC KEY" not in text:
        raise ValueError("the hub's answer holds no public key")
    load_public_key(text)
    return text
