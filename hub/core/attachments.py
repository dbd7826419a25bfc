"""Evidence attached to implementation reports: screenshots (PNG, JPEG) and PDFs.

The type is read from the content's first bytes, never from the name a browser or a CMS sends, and each file is
refused above the size limit or beyond the number allowed per report. The content is stored once under its SHA-256
(``store`` is the instance's attachments folder, :class:`hub.blobs.BlobStore`) and the log records the hash, name,
type and size, so what was shown as evidence can be proven later. Downloads follow who may see the delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath
from typing import Protocol

from sqlmodel import Session, func, select

from hub.core import log
from hub.core.access import Principal, get_own_directive, get_visible_directive
from hub.core.deliveries import own_delivery
from hub.core.errors import Conflict, InvalidInput, NotFound
from hub.models import Attachment, Delivery, DirectiveStatus, Organisation

__all__ = [
    "Attachment",
    "Limits",
    "Upload",
    "attach_evidence",
    "attach_official",
    "evidence_by_delivery",
    "evidence_of",
    "visible_attachment",
]

EVIDENCE_ATTACHED = "evidence_attached"
DOCUMENT_ATTACHED = "document_attached"
NAME_MAX = 200
# The first bytes of each accepted type (a file's "magic number").
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"%PDF-", "application/pdf"),
)


class Store(Protocol):
    def put(self, content: bytes) -> str: ...


@dataclass(frozen=True)
class Limits:
    """How large one file may be, and how many files one report may carry."""

    max_bytes: int
    max_per_report: int


@dataclass(frozen=True)
class Upload:
    """A file as it arrives: the name its sender gave and its content."""

    name: str
    content: bytes


def sniff(content: bytes) -> str | None:
    """The media type the content really is, or None when it is none of the accepted ones."""
    return next((kind for magic, kind in SIGNATURES if content.startswith(magic)), None)


def clean_name(name: str) -> str:
    """The file name without any folder a browser or client put in front, trimmed to fit."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name.strip()
    return (base or "attachment")[:NAME_MAX]


def check(upload: Upload, limits: Limits) -> str:
    """The type of an acceptable file; refuses empty, oversize and unaccepted content by name."""
    name = clean_name(upload.name)
    if not upload.content:
        raise InvalidInput("attachment_empty", name=name)
    if len(upload.content) > limits.max_bytes:
        raise InvalidInput("attachment_too_large", name=name, limit=f"{limits.max_bytes / 1_000_000:g} MB")
    kind = sniff(upload.content)
    if kind is None:
        raise InvalidInput("attachment_type_not_allowed", name=name)
    return kind


def attach_evidence(
    session: Session,
    principal: Principal,
    now: datetime,
    directive_id: int,
    uploads: list[Upload],
    limits: Limits,
    store: Store,
) -> list[Attachment]:
    """Attach files to the principal's platform's report on a directive; every file is checked before any is kept."""
    delivery, _directive = own_delivery(session, principal, directive_id)
    if not uploads:
        raise InvalidInput("attachment_missing")
    held = session.scalar(select(func.count()).select_from(Attachment).where(Attachment.delivery_id == delivery.id))
    if held + len(uploads) > limits.max_per_report:
        raise Conflict("attachment_too_many", limit=limits.max_per_report)
    kinds = [check(upload, limits) for upload in uploads]
    province = session.get(Organisation, delivery.platform_id).province
    return [
        _keep(session, principal, now, delivery, upload, kind, store, province)
        for upload, kind in zip(uploads, kinds, strict=True)
    ]


def _keep(
    session: Session,
    principal: Principal,
    now: datetime,
    delivery: Delivery,
    upload: Upload,
    kind: str,
    store: Store,
    province: str | None,
) -> Attachment:
    sha256 = store.put(upload.content)
    row = Attachment(
        directive_id=delivery.directive_id,
        delivery_id=delivery.id,
        sha256=sha256,
        name=clean_name(upload.name),
        type=kind,
        size=len(upload.content),
        created_by=principal.label,
        created_at=now,
    )
    session.add(row)
    session.flush()
    details = {"attachment_id": row.id, "sha256": sha256, "name": row.name, "type": kind, "size": row.size}
    ids = {"org_id": delivery.platform_id, "directive_id": delivery.directive_id, "delivery_id": delivery.id}
    draft = log.EventDraft(EVIDENCE_ATTACHED, principal.label, now, province=province, details=details, **ids)
    log.append(session, draft)
    return row


def attach_official(
    session: Session,
    principal: Principal,
    now: datetime,
    directive_id: int,
    uploads: list[Upload],
    limits: Limits,
    store: Store,
) -> list[Attachment]:
    """Attach the signed official document (PDF) to a draft of the principal's organisation. Only a draft: once
    published, the directive's signature covers the documents' hashes (docs/protocol.md) and nothing may change."""
    directive = get_own_directive(session, principal, directive_id)
    if directive.status != DirectiveStatus.DRAFT:
        raise Conflict("attachment_directive_not_draft", title=directive.title)
    if not uploads:
        raise InvalidInput("attachment_missing")
    held = session.scalar(
        select(func.count())
        .select_from(Attachment)
        .where(Attachment.directive_id == directive_id, Attachment.delivery_id.is_(None))
    )
    if held + len(uploads) > limits.max_per_report:
        raise Conflict("attachment_too_many", limit=limits.max_per_report)
    for upload in uploads:
        if check(upload, limits) != "application/pdf":
            raise InvalidInput("attachment_not_pdf", name=clean_name(upload.name))
    return [_keep_document(session, principal, now, directive.issuer_id, directive_id, u, store) for u in uploads]


def _keep_document(
    session: Session,
    principal: Principal,
    now: datetime,
    issuer_id: int,
    directive_id: int,
    upload: Upload,
    store: Store,
) -> Attachment:
    row = Attachment(
        directive_id=directive_id,
        sha256=store.put(upload.content),
        name=clean_name(upload.name),
        type="application/pdf",
        size=len(upload.content),
        created_by=principal.label,
        created_at=now,
    )
    session.add(row)
    session.flush()
    details = {"attachment_id": row.id, "sha256": row.sha256, "name": row.name, "type": row.type, "size": row.size}
    ids = {"org_id": issuer_id, "directive_id": directive_id}
    log.append(session, log.EventDraft(DOCUMENT_ATTACHED, principal.label, now, details=details, **ids))
    return row


def evidence_of(session: Session, delivery_id: int) -> list[Attachment]:
    """The files attached to one delivery's report, oldest first."""
    return list(session.exec(select(Attachment).where(Attachment.delivery_id == delivery_id).order_by(Attachment.id)))


def evidence_by_delivery(session: Session, delivery_ids: list[int]) -> dict[int, list[Attachment]]:
    """The evidence of several deliveries at once (one query for a page of the follow-through table)."""
    found: dict[int, list[Attachment]] = {}
    if delivery_ids:
        query = select(Attachment).where(Attachment.delivery_id.in_(delivery_ids)).order_by(Attachment.id)
        for row in session.exec(query):
            found.setdefault(row.delivery_id, []).append(row)
    return found


def visible_attachment(session: Session, principal: Principal, attachment_id: int) -> Attachment:
    """An attachment the principal may download: its own platform's evidence or the official documents of a
    directive it received, or any file of a directive the officer or manager may read. Anything else is NotFound
    (a foreign file is not even confirmed)."""
    row = session.get(Attachment, attachment_id)
    if row is None:
        raise NotFound("attachment_not_found")
    try:
        if principal.is_platform:
            delivery, _ = own_delivery(session, principal, row.directive_id)
            if row.delivery_id in (delivery.id, None):  # its own evidence, or the directive's signed document
                return row
        else:
            get_visible_directive(session, principal, row.directive_id)
            return row
    except NotFound:
        pass
    raise NotFound("attachment_not_found")
