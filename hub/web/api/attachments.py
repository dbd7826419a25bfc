"""Evidence files of implementation reports: upload (multipart or base64 in JSON) and download.

The body of an upload may be larger than other calls' (``upload_body_limit``); the core checks each file's size
and type (read from its content) and every refusal is a 4xx JSON error with a code."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import datetime

from flask import request, send_file
from pydantic import BaseModel, ConfigDict, Field
from werkzeug.datastructures import FileStorage

from hub.core import attachments
from hub.core.attachments import Upload
from hub.core.errors import InvalidInput
from hub.models import Attachment
from hub.runtime import current_hub
from hub.web.api.base import ID, LIMITED, Out, blueprint, now, ok, principal, reading, writing
from hub.web.limited import limited

bp = blueprint(
    "attachments",
    __name__,
    "attachments",
    "evidence files (PNG, JPEG, PDF) attached to a platform's implementation report",
)
FILE_SCHEMA = {
    "type": "object",
    "required": ["name", "content_base64"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "maxLength": 200},
        "content_base64": {"type": "string", "format": "byte"},
    },
}
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "description": "one or more files: multipart fields named `file`, or JSON with the content in base64",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "array", "minItems": 1, "items": {"type": "string", "format": "binary"}}
                    },
                }
            },
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "additionalProperties": False,
                    "properties": {"files": {"type": "array", "minItems": 1, "maxItems": 100, "items": FILE_SCHEMA}},
                }
            },
        },
    }
}


class UploadPath(BaseModel):
    directive_id: ID


class AttachmentPath(BaseModel):
    attachment_id: ID


class AttachmentOut(Out):
    id: int
    name: str
    type: str = Field(description="read from the content: image/png, image/jpeg or application/pdf")
    size: int = Field(description="bytes")
    sha256: str = Field(description="hex SHA-256 of the content, as recorded in the log")
    created_at: datetime


BINARY = {"schema": {"type": "string", "format": "binary"}}


class AttachmentFile(BaseModel):
    """The file itself (never JSON): sent with ``Content-Disposition: attachment`` and ``nosniff``."""

    model_config = ConfigDict(openapi_extra={"content": {kind: BINARY for _, kind in attachments.SIGNATURES}})


class AttachmentsOut(BaseModel):
    attachments: list[AttachmentOut]


class FileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=attachments.NAME_MAX)
    content_base64: str = Field(description="the file's bytes in standard base64")


class FilesIn(BaseModel):
    """The JSON form of an upload (the multipart form sends the same files as ``file`` parts)."""

    model_config = ConfigDict(extra="forbid")

    files: list[FileIn] = Field(min_length=1, max_length=100)


def _uploads() -> list[Upload]:
    """The files of the request, from multipart fields ``file`` or from JSON ``files``."""
    if request.mimetype == "multipart/form-data":
        return [read_upload(f) for f in request.files.getlist("file")]
    body = FilesIn.model_validate(request.get_json(silent=True) or {})  # a refusal is a 422 with details
    return [_decoded(item) for item in body.files]


def read_upload(part: FileStorage) -> Upload:
    """The content of one multipart file, its spooled temporary file closed at once."""
    try:
        return Upload(part.filename or "", part.read())
    finally:
        part.close()


def _decoded(item: FileIn) -> Upload:
    try:
        content = base64.b64decode(item.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("attachment_base64_invalid") from None
    return Upload(item.name, content)


def _attach(attach: Callable[..., list[Attachment]], directive_id: int):
    """Store the request's files with one of the core's attach verbs (evidence or official document): 201 and rows."""
    hub = current_hub()
    with writing() as session:
        rows = attach(session, principal(), now(), directive_id, _uploads(), hub.attachment_limits, hub.blobs)
        out = AttachmentsOut(attachments=[AttachmentOut.model_validate(r) for r in rows])
    return ok(out, 201)


@bp.post(
    "/inbox/<int:directive_id>/attachments",
    summary="Attach evidence files (PNG, JPEG, PDF) to your platform's implementation report",
    responses={201: AttachmentsOut, **LIMITED},
    openapi_extensions=UPLOAD_BODY,
)
@limited("updates")
def upload(path: UploadPath):
    return _attach(attachments.attach_evidence, path.directive_id)


@bp.post(
    "/directives/<int:directive_id>/attachments",
    summary="Attach the signed official document (PDF) to a draft of your organisation; its signature will cover it",
    responses={201: AttachmentsOut, **LIMITED},
    openapi_extensions=UPLOAD_BODY,
)
@limited("updates")
def attach_document(path: UploadPath):
    return _attach(attachments.attach_official, path.directive_id)


@bp.get(
    "/attachments/<int:attachment_id>",
    summary="Download an attachment (its own platform, or officers and managers who may see the directive)",
    responses={200: AttachmentFile},
)
def download(path: AttachmentPath):
    with reading() as session:
        row = attachments.visible_attachment(session, principal(), path.attachment_id)
    return send_attachment(row)


def send_attachment(row: attachments.Attachment):
    """The file as a download that no browser renders in place or guesses the type of."""
    response = send_file(
        current_hub().blobs.path(row.sha256), mimetype=row.type, as_attachment=True, download_name=row.name
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
