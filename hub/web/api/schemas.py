"""Response schemas of the JSON API, shared by its groups (and so described once in the OpenAPI document)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, computed_field, create_model

from hub.core.progress import Progress
from hub.models import Delivery, Directive, Event, Question, RatioReport
from hub.web.api.base import Out, from_table

# The API's two sequence numbers, one name each (docs/api.md, "Sequence numbers").
DIRECTIVE_SEQ = (
    "The hub-wide number of the directive: 1, 2, 3 ... in the order directives were published, the same for every "
    "platform; null until it is published."
)
DELIVERY_SEQ = (
    "This platform's delivery number: 1, 2, 3 ... for each platform in the order its deliveries were created; "
    "what `since` and `head` count, and a gap in it means a missed delivery."
)
DEPRECATED_SEQ = (
    "Deprecated, to be removed in API version 2: the same value as `directive_seq`. Everywhere else in the API "
    "`seq` is a platform's delivery number."
)


class DirectiveOut(from_table("DirectiveColumns", Directive, exclude=("seq", "search_text"))):
    directive_seq: int | None = Field(validation_alias=AliasChoices("directive_seq", "seq"), description=DIRECTIVE_SEQ)
    unanswered_questions: int = Field(default=0, description="platforms' questions still waiting for an answer")

    @computed_field(description=DEPRECATED_SEQ, json_schema_extra={"deprecated": True})
    @property
    def seq(self) -> int | None:
        """Kept for clients written before ``directive_seq`` (issue 10): they read the same number."""
        return self.directive_seq


# The counts are the core's (``Progress``), field for field: derived, so that a new count is added once.
ProgressOut = create_model("ProgressOut", **{f.name: (int, f.default) for f in dataclasses.fields(Progress)})


class DirectiveDetail(DirectiveOut):
    progress: ProgressOut


class DirectivePage(BaseModel):
    items: list[DirectiveOut]
    total: int
    page: int
    per_page: int


QuestionOut = from_table("QuestionOut", Question)


class PlatformRef(Out):
    id: int
    code: str
    name: str
    province: str | None
    platform_kind: str | None


# warned_phase is the mail outbox's bookkeeping (which deadline warning went out), not the delivery's state.
DeliveryOut = from_table("DeliveryOut", Delivery, exclude=("warned_phase",), seq=(int, Field(description=DELIVERY_SEQ)))


class DeliveryRow(DeliveryOut):
    platform: PlatformRef
    questions: list[QuestionOut]


class DeliveryPage(BaseModel):
    items: list[DeliveryRow]
    total: int
    page: int
    per_page: int


class SignedDocument(BaseModel):
    """An official document (PDF) attached to the directive; all but ``id`` are covered by its signature."""

    id: int = Field(description="download it with GET /api/v1/attachments/{id}")
    name: str
    sha256: str
    size: int
    type: str


class InboxItem(BaseModel):
    """A directive as the platform received it (the signed payload), with its sequence number and state."""

    id: int
    directive_seq: int | None = Field(description=DIRECTIVE_SEQ)
    ref_no: str | None
    kind: str
    title: str
    body: str
    priority: str
    issuer: str
    issuer_name: str
    status: str
    published_at: str | None
    ack_due_at: str | None
    implement_due_at: str | None
    expires_at: str | None
    supersedes_id: int | None
    legal_basis: str | None
    exercise: bool
    content_hash: str | None
    signature: str | None
    attachments: list[SignedDocument] = Field(
        default_factory=list, description="the signed official documents, sorted by sha256 (docs/protocol.md)"
    )
    seq: int = Field(description=DELIVERY_SEQ)
    state: str
    delivery_id: int
    due_at: datetime | None = Field(
        default=None,
        description="the deadline this platform now owes (acknowledgement, then implementation); null when none",
    )
    overdue: bool = Field(default=False, description="due_at has passed")


class InboxOut(BaseModel):
    items: list[InboxItem]
    head: int = Field(description="The platform's newest delivery number (`seq`), 0 when it has none.")


class InboxPage(BaseModel):
    items: list[InboxItem]
    total: int
    page: int
    per_page: int


class ChangeOut(BaseModel):
    directive_id: int
    seq: int = Field(description=DELIVERY_SEQ)
    state: str
    changed: bool


RatioReportOut = from_table("RatioReportOut", RatioReport)


class RatioReportRow(RatioReportOut):
    platform: PlatformRef


class RatioReportPage(BaseModel):
    items: list[RatioReportRow]
    total: int
    page: int
    per_page: int


EventOut = from_table("EventOut", Event)


class EventPage(BaseModel):
    """A page of the log; with ``format=csv`` the same call answers every match as CSV instead."""

    model_config = ConfigDict(openapi_extra={"content": {"text/csv": {"schema": {"type": "string"}}}})
    items: list[EventOut]
    total: int
    page: int
    per_page: int


class OrganisationOut(Out):
    id: int
    kind: str
    code: str
    name: str
    province: str | None
    platform_kind: str | None
    licence_no: str | None
    domains: list[str]
    ref_suffix: str | None
    active: bool
    created_at: datetime


class OrganisationPage(BaseModel):
    items: list[OrganisationOut]
    total: int
    page: int
    per_page: int


class UserOut(Out):
    id: int
    org_id: int
    role: str
    login: str
    display_name: str
    email: str | None
    active: bool
    created_at: datetime


class UserPage(BaseModel):
    items: list[UserOut]
    total: int
    page: int
    per_page: int


class TokenOut(Out):
    id: int
    org_id: int
    user_id: int | None
    label: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIssued(TokenOut):
    secret: str


class TokenPage(BaseModel):
    items: list[TokenOut]
    total: int
    page: int
    per_page: int


class SigningKeyOut(BaseModel):
    algorithm: str
    public_key_pem: str
