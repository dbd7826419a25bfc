"""Authentic directives: an Ed25519 signature over a canonical serialisation of what was published.

The hub keeps the private key (under the instance folder); platforms verify with the public key it serves.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hub.core.log import canonical

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


def signed_part(payload: dict[str, Any]) -> bytes:
    """The bytes that are hashed and signed: the signed fields of a directive payload, canonically encoded."""
    signed = {name: payload.get(name) for name in SIGNED_FIELDS}
    if payload.get("attachments"):  # absent or empty: the form directives had before attachments
        signed["attachments"] = [{k: a.get(k) for k in ATTACHMENT_FIELDS} for a in payload["attachments"]]
    return canonical(signed).encode()


def content_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(signed_part(payload)).hexdigest()


class Signer:
    """Signs directive payloads with the hub's private key."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key

    @classmethod
    def generate(cls) -> Signer:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_pem(cls, pem: bytes) -> Signer:
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the signing key is not an Ed25519 key")
        return cls(key)

    def private_pem(self) -> bytes:
        return self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def public_pem(self) -> str:
        return (
            self._key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def sign(self, payload: dict[str, Any]) -> str:
        return self.sign_bytes(signed_part(payload))

    def sign_bytes(self, data: bytes) -> str:
        """A base64 Ed25519 signature over ``data`` (directives and log checkpoints alike)."""
        return base64.b64encode(self._key.sign(data)).decode()


def verify(public_pem: str, payload: dict[str, Any], signature: str) -> bool:
    """Whether ``signature`` is the hub's signature over ``payload``'s signed fields."""
    return verify_bytes(public_pem, signed_part(payload), signature)


def verify_bytes(public_pem: str, data: bytes, signature: str) -> bool:
    """Whether ``signature`` is a valid signature over ``data`` by the key ``public_pem``."""
    key = serialization.load_pem_public_key(public_pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        return False
    try:
        key.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError):
        return False
    return True


def fingerprint(public_pem: str) -> str:
    """A short, stable name for a public key (the first 16 hex digits of the SHA-256 of its DER form)."""
    key = serialization.load_pem_public_key(public_pem.encode())
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()[:16]
