"""The directive as platforms receive it (socket event, inbox API, webhook, client library) and as it is signed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hub.models import Directive, Organisation


def payload(directive: Directive, issuer: Organisation) -> dict[str, Any]:
    """The directive as platforms receive it (socket event, inbox API, client library) and as it is signed."""

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": directive.id,
        "directive_seq": directive.seq,
        "ref_no": directive.ref_no,
        "kind": directive.kind,
        "title": directive.title,
        "body": directive.body,
        "priority": directive.priority,
        "issuer": issuer.code,
        "issuer_name": issuer.name,
        "status": directive.status,
        "published_at": iso(directive.published_at),
        "ack_due_at": iso(directive.ack_due_at),
        "implement_due_at": iso(directive.implement_due_at),
        "expires_at": iso(directive.expires_at),
        "supersedes_id": directive.supersedes_id,
        "legal_basis": directive.legal_basis,
        "exercise": directive.exercise,
        "content_hash": directive.content_hash,
        "signature": directive.signature,
    } | official_documents(directive)


def official_documents(directive: Directive) -> dict[str, Any]:
    """``attachments``, the signed official documents (sorted by SHA-256), only when there are some: directives
    without any keep the signed form they always had (docs/protocol.md). ``id`` (to download one) is not signed."""
    found = [
        {"id": a.id, "name": a.name, "sha256": a.sha256, "size": a.size, "type": a.type}
        for a in directive.official_documents or ()
    ]
    return {"attachments": sorted(found, key=lambda a: a["sha256"])} if found else {}
