"""Evidence files of implementation reports: limits, the content check, hashes in the log, who may download."""

from __future__ import annotations

import hashlib

import pytest
from sqlmodel import select

from hub.blobs import BlobStore
from hub.core import attachments, directive_payload, directives, signing
from hub.core.attachments import Limits, Upload
from hub.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from hub.db import read_session, write_session
from hub.models import Attachment, Directive, Event, Organisation, OrgKind, Role
from tests import factories as f
from tests.conftest import T0

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 50
PDF = b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n"
LIMITS = Limits(max_bytes=1_000, max_per_report=3)


@pytest.fixture
def setup(engine, tmp_path):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    manager = f.user(engine, T0, regulator, Role.MANAGER)
    hni = f.org(engine, T0, OrgKind.PROVINCE, "HNI")
    hcm = f.org(engine, T0, OrgKind.PROVINCE, "HCM")
    platform = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    other = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    ns = type("Setup", (), {})()
    ns.engine, ns.store = engine, BlobStore(tmp_path / "attachments")
    ns.officer, ns.manager = officer, manager
    ns.hni_officer, ns.hcm_officer = f.user(engine, T0, hni, Role.OFFICER), f.user(engine, T0, hcm, Role.OFFICER)
    ns.editor, ns.other_editor = f.user(engine, T0, platform, Role.EDITOR), f.user(engine, T0, other, Role.EDITOR)
    ns.directive = f.published(engine, T0, officer, {"provinces": ["HNI"]}).directive
    ns.directive_issuer = regulator
    return ns


def attach(s, who, uploads, limits=LIMITS):
    with write_session(s.engine) as session:
        rows = attachments.attach_evidence(session, who, T0, s.directive.id, uploads, limits, s.store)
        return [(r.id, r.sha256, r.type, r.name, r.size) for r in rows]


def test_files_are_stored_by_hash_and_logged(setup):
    (row,) = attach(setup, setup.editor, [Upload("C:\\shots\\proof.png", PNG)])
    digest = hashlib.sha256(PNG).hexdigest()
    assert row[1:] == (digest, "image/png", "proof.png", len(PNG))
    assert (setup.store.root / digest[:2] / digest).read_bytes() == PNG
    with read_session(setup.engine) as session:
        event = session.exec(select(Event).where(Event.kind == "evidence_attached")).one()
    assert event.details == {
        "attachment_id": row[0],
        "sha256": digest,
        "name": "proof.png",
        "type": "image/png",
        "size": len(PNG),
    }
    assert event.directive_id == setup.directive.id and event.delivery_id is not None


def test_type_is_read_from_the_content_not_the_name(setup):
    rows = attach(setup, setup.editor, [Upload("photo.pdf", JPEG), Upload("scan.png", PDF)])
    assert [r[2] for r in rows] == ["image/jpeg", "application/pdf"]
    with pytest.raises(InvalidInput) as refused:
        attach(setup, setup.editor, [Upload("evil.png", b"<html><script>alert(1)</script>")])
    assert refused.value.code == "attachment_type_not_allowed" and refused.value.values == {"name": "evil.png"}


def test_size_empty_and_count_limits(setup):
    with pytest.raises(InvalidInput) as big:
        attach(setup, setup.editor, [Upload("big.png", PNG + b"\x00" * 1_000)])
    assert big.value.code == "attachment_too_large"
    with pytest.raises(InvalidInput) as empty:
        attach(setup, setup.editor, [Upload("nothing.pdf", b"")])
    assert empty.value.code == "attachment_empty"
    with pytest.raises(InvalidInput) as none:
        attach(setup, setup.editor, [])
    assert none.value.code == "attachment_missing"
    attach(setup, setup.editor, [Upload("a.png", PNG), Upload("b.pdf", PDF)])
    with pytest.raises(Conflict) as many:
        attach(setup, setup.editor, [Upload("c.png", PNG), Upload("d.png", JPEG)])
    assert many.value.code == "attachment_too_many"


def test_one_bad_file_keeps_none(setup):
    with pytest.raises(InvalidInput):
        attach(setup, setup.editor, [Upload("good.png", PNG), Upload("bad.exe", b"MZ\x90\x00")])
    with read_session(setup.engine) as session:
        assert session.exec(select(Attachment)).all() == []
        assert session.exec(select(Event).where(Event.kind == "evidence_attached")).all() == []


def test_downloads_follow_the_scope_of_the_delivery(setup):
    ((attachment_id, *_),) = attach(setup, setup.editor, [Upload("proof.png", PNG)])
    with read_session(setup.engine) as session:
        for who in (setup.editor, setup.officer, setup.manager, setup.hni_officer):
            assert attachments.visible_attachment(session, who, attachment_id).id == attachment_id
        for who in (setup.other_editor, setup.hcm_officer):
            with pytest.raises(NotFound) as hidden:
                attachments.visible_attachment(session, who, attachment_id)
            assert hidden.value.code == "attachment_not_found"
        with pytest.raises(NotFound):
            attachments.visible_attachment(session, setup.officer, attachment_id + 1)


def test_another_platform_cannot_attach(setup):
    f.org(setup.engine, T0, OrgKind.PLATFORM, "HCM")
    other_directive = f.published(setup.engine, T0, setup.officer, {"provinces": ["HCM"]}).directive
    with write_session(setup.engine) as session, pytest.raises(NotFound):
        attachments.attach_evidence(
            session, setup.editor, T0, other_directive.id, [Upload("a.png", PNG)], LIMITS, setup.store
        )


def draft_of(s) -> int:
    with write_session(s.engine) as session:
        return directives.create(session, s.officer, T0, f.draft({"provinces": ["HNI"]}, title="Có văn bản")).id


def attach_document(s, directive_id, uploads, who=None):
    with write_session(s.engine) as session:
        rows = attachments.attach_official(session, who or s.officer, T0, directive_id, uploads, LIMITS, s.store)
        return [(r.id, r.sha256) for r in rows]


def test_the_signature_of_a_published_directive_covers_its_documents(setup):
    directive_id = draft_of(setup)
    ((document_id, digest),) = attach_document(setup, directive_id, [Upload("QĐ-15.pdf", PDF)])
    with write_session(setup.engine) as session:
        published = directives.publish(session, setup.officer, T0, directive_id, f.SIGNER)
    payload = published.payload
    assert payload["attachments"] == [
        {"id": document_id, "name": "QĐ-15.pdf", "sha256": digest, "size": len(PDF), "type": "application/pdf"}
    ]
    public = f.SIGNER.public_pem()
    assert signing.verify(public, payload, payload["signature"])
    assert not signing.verify(
        public, {**payload, "attachments": [{**payload["attachments"][0], "sha256": "0" * 64}]}, payload["signature"]
    )
    with read_session(setup.engine) as session:  # as the inbox and replay read it again later
        again = directive_payload.payload(
            session.get(Directive, directive_id), session.get(Organisation, published.directive.issuer_id)
        )
    assert again["attachments"] == payload["attachments"] and signing.verify(public, again, again["signature"])
    with read_session(setup.engine) as session:
        assert attachments.visible_attachment(session, setup.editor, document_id).sha256 == digest
        event = session.exec(select(Event).where(Event.kind == "document_attached")).one()
    assert event.details["sha256"] == digest and event.directive_id == directive_id


def test_a_directive_without_documents_is_signed_as_before(setup):
    payload = directive_payload.payload(setup.directive, setup.directive_issuer)
    assert "attachments" not in payload
    assert signing.verify(f.SIGNER.public_pem(), payload, payload["signature"])


def test_documents_are_pdf_only_and_only_on_drafts(setup):
    directive_id = draft_of(setup)
    with pytest.raises(InvalidInput) as not_pdf:
        attach_document(setup, directive_id, [Upload("scan.pdf", PNG)])
    assert not_pdf.value.code == "attachment_not_pdf"
    with pytest.raises(Conflict) as published:
        attach_document(setup, setup.directive.id, [Upload("late.pdf", PDF)])
    assert published.value.code == "attachment_directive_not_draft"
    with pytest.raises((NotFound, Forbidden)):
        attach_document(setup, directive_id, [Upload("x.pdf", PDF)], who=setup.hcm_officer)
