"""The client verifies what the hub signs, with its own code: the same vectors go through the server's signer
(``hub.core.signing``) and the client's verifier (``directive_hub_client.signing``)."""

from __future__ import annotations

import base64

import pytest
from directive_hub_client import signing as client
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.core import signing as server

SIGNER = server.Signer.generate()
PUBLIC = SIGNER.public_pem()

VECTORS = {
    "plain": {
        "id": 7,
        "directive_seq": 41,
        "ref_no": "12/PTTH&TTĐT",
        "kind": "directive",
        "title": "Gỡ bỏ tin sai về bão số 15",
        "body": 'Đề nghị các trang **gỡ ngay** bài viết "sai sự thật".\n\n- Hà Nội\n- Huế',
        "priority": "urgent",
        "issuer": "CUC-PTTH",
        "published_at": "2026-12-02T07:00:00.123456+00:00",
        "ack_due_at": "2026-12-02T11:00:00+00:00",
        "implement_due_at": "2026-12-03T07:00:00+00:00",
        "expires_at": None,
        "supersedes_id": None,
        "legal_basis": "Công văn 664/PTTH&TTĐT",
        "exercise": False,
    },
    "amendment with odd text": {
        "id": 2_147_483_647,
        "directive_seq": 1,
        "ref_no": "1/SO-HNI",
        "kind": "rectification",
        "title": 'Tab\there, quote " backslash \\ control \x01 DEL \x7f emoji 🇻🇳 line sep \u2028',
        "body": "</script><b>&amp;</b>",
        "priority": "flash",
        "issuer": "SO-HNI",
        "published_at": "2026-01-01T00:00:00+00:00",
        "ack_due_at": None,
        "implement_due_at": None,
        "expires_at": "2027-01-01T00:00:00+00:00",
        "supersedes_id": 6,
        "legal_basis": None,
        "exercise": True,
    },
}
# What travels with the payload but is not signed: changing it must not break the signature.
UNSIGNED = {"issuer_name": "Cục PTTH&TTĐT", "status": "published", "seq": 3}


@pytest.mark.parametrize("name", VECTORS)
def test_the_client_verifies_what_the_server_signed(name):
    payload = {**VECTORS[name], **UNSIGNED}
    signature = SIGNER.sign(payload)

    assert client.signed_part(payload) == server.signed_part(payload)
    assert client.content_hash(payload) == server.content_hash(payload)
    assert client.verify(PUBLIC, {**payload, "issuer_name": "renamed", "seq": 99}, signature)


@pytest.mark.parametrize("name", VECTORS)
@pytest.mark.parametrize("field", client.SIGNED_FIELDS)
def test_a_change_to_any_signed_field_fails_verification(name, field):
    payload = dict(VECTORS[name])
    signature = SIGNER.sign(payload)
    value = payload[field]
    payload[field] = (
        not value if isinstance(value, bool) else value + 1 if isinstance(value, int) else f"{value or ''}x"
    )

    assert not client.verify(PUBLIC, payload, signature)
    assert not server.verify(PUBLIC, payload, signature)


def test_a_missing_field_is_not_the_same_as_a_changed_one():
    payload = dict(VECTORS["plain"], expires_at="2027-01-01T00:00:00+00:00")
    signature = SIGNER.sign(payload)
    del payload["expires_at"]

    assert not client.verify(PUBLIC, payload, signature)


@pytest.mark.parametrize(
    "signature",
    [None, 42, "", "not base64 !", base64.b64encode(b"\0" * 64).decode(), "=" * 88],
    ids=["none", "number", "empty", "not-base64", "zeros", "padding"],
)
def test_a_malformed_signature_is_refused_not_raised(signature):
    assert client.verify(PUBLIC, VECTORS["plain"], signature) is False


def test_another_key_does_not_verify_and_has_another_fingerprint():
    payload = VECTORS["plain"]
    other = server.Signer.generate()

    assert not client.verify(other.public_pem(), payload, SIGNER.sign(payload))
    assert client.verify(other.public_pem(), payload, other.sign(payload))
    assert client.fingerprint(PUBLIC) != client.fingerprint(other.public_pem())


def test_the_client_names_the_key_as_the_hub_does():
    assert client.fingerprint(PUBLIC) == server.fingerprint(PUBLIC)


def test_a_key_of_another_kind_is_refused():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    assert not client.verify(pem, VECTORS["plain"], SIGNER.sign(VECTORS["plain"]))
    with pytest.raises(ValueError):
        client.load_public_key(pem)


# Text a platform could be sent: any Unicode but unpaired surrogates (the hub refuses those before they are stored).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
OPTIONAL_TEXT = st.none() | TEXT
IDS = st.integers(min_value=1, max_value=2_147_483_647)


@settings(max_examples=300, deadline=None)
@given(
    title=TEXT,
    body=TEXT,
    ref_no=TEXT,
    legal_basis=OPTIONAL_TEXT,
    published_at=OPTIONAL_TEXT,
    directive_id=IDS,
    supersedes_id=st.none() | IDS,
    exercise=st.booleans(),
)
def test_any_text_encodes_to_the_same_bytes_on_both_sides(
    title, body, ref_no, legal_basis, published_at, directive_id, supersedes_id, exercise
):
    payload = dict(
        VECTORS["plain"],
        id=directive_id,
        title=title,
        body=body,
        ref_no=ref_no,
        legal_basis=legal_basis,
        published_at=published_at,
        supersedes_id=supersedes_id,
        exercise=exercise,
    )

    assert client.signed_part(payload) == server.signed_part(payload)
    assert client.verify(PUBLIC, payload, SIGNER.sign(payload))


DOCUMENT = {"name": "QĐ 15-2026 (ký số).pdf", "sha256": "0f" * 32, "size": 48213, "type": "application/pdf"}
SECOND = {"name": "phu-luc.pdf", "sha256": "a1" * 32, "size": 900, "type": "application/pdf"}


def test_a_directive_with_attachments_verifies_on_both_sides_and_covers_their_hashes():
    payload = {**VECTORS["plain"], **UNSIGNED, "attachments": [DOCUMENT, SECOND]}
    signature = SIGNER.sign(payload)

    assert client.signed_part(payload) == server.signed_part(payload)
    expected = '"attachments":[{"name":"QĐ 15-2026 (ký số).pdf","sha256":"' + "0f" * 32 + '","size":48213,'
    assert expected.encode() in client.signed_part(payload)
    assert client.verify(PUBLIC, payload, signature)
    for field, value in (("sha256", "0e" * 32), ("size", 48214), ("name", "other.pdf"), ("type", "image/png")):
        changed = {**payload, "attachments": [{**DOCUMENT, field: value}, SECOND]}
        assert not client.verify(PUBLIC, changed, signature), field
    assert not client.verify(PUBLIC, {**payload, "attachments": [DOCUMENT]}, signature)
    assert not client.verify(PUBLIC, {**payload, "attachments": []}, signature)


def test_a_directive_without_attachments_is_signed_as_before_they_existed():
    old = dict(VECTORS["plain"])
    signature = SIGNER.sign(old)  # as a hub without attachments signed it

    assert client.signed_part(old) == client.signed_part({**old, "attachments": []})
    assert client.verify(PUBLIC, {**old, "attachments": []}, signature)
    assert server.verify(PUBLIC, {**old, "attachments": []}, signature)
    assert b"attachments" not in client.signed_part(old)
    assert not client.verify(PUBLIC, {**old, "attachments": [DOCUMENT]}, signature)
