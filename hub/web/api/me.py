"""The caller's own account: who they are, and how they receive e-mail notices and in which language (docs/mail.md).

For people only: a signed-in session (with CSRF on ``PATCH``) or a personal token. A platform's machine token acts
for the platform, not for a person, so it has no account here: 403 ``account_needs_person``.
"""

from __future__ import annotations

from typing import Literal

from flask_openapi3 import APIBlueprint
from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub.core import accounts, mail_notices
from hub.models import Organisation, User
from hub.web.api.base import ERRORS, SECURITY, ok, principal, reading, tag, writing

bp = APIBlueprint(
    "me",
    __name__,
    abp_tags=tag("me", "the caller's own account and e-mail settings (people, not machine tokens)"),
    abp_security=SECURITY,
    abp_responses=ERRORS,
)

Language = Literal["vi", "en"]
Notices = Literal["immediate", "digest", "off"]
NOTICES_DOC = (
    "non-urgent e-mail notices: `immediate` (at once), `digest` (one mail a day at HUB_MAIL_DIGEST_HOUR) or `off`; "
    "urgent ones (an urgent directive, a deadline passed, an escalation) are always sent at once"
)
LANGUAGE_DOC = "language of the pages and e-mails; null: the hub's default (HUB_LOCALE)"


class MyOrganisation(BaseModel):
    id: int
    kind: str
    code: str
    name: str
    province: str | None


class MeOut(BaseModel):
    """Who the caller is, and their own settings."""

    id: int
    login: str
    name: str
    role: str
    email: str | None = Field(description="where e-mail notices go (set by an administrator); null: none are sent")
    organisation: MyOrganisation
    language: Language | None = Field(description=LANGUAGE_DOC)
    mail_notices: Notices = Field(description=NOTICES_DOC)


class MePatch(BaseModel):
    """The settings to change (at least one); a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})
    language: Language | None = Field(default=None, description=LANGUAGE_DOC)
    # None only when left out (a null sent is refused); the document shows no default, since null is no choice.
    mail_notices: Notices = Field(  # type: ignore[assignment]
        default=None, description=NOTICES_DOC, json_schema_extra=lambda schema: schema.pop("default", None)
    )

    @model_validator(mode="after")
    def _something(self) -> MePatch:
        if not self.model_fields_set:
            raise ValueError("give language, mail_notices or both")
        return self


def _out(user: User, org: Organisation) -> MeOut:
    return MeOut(
        id=user.id,
        login=user.login,
        name=user.display_name,
        role=str(user.role),
        email=user.email or None,
        organisation=MyOrganisation(id=org.id, kind=str(org.kind), code=org.code, name=org.name, province=org.province),
        language=user.locale,
        mail_notices=user.mail_notices,
    )


@bp.get("/me", summary="Who am I: login, name, role, organisation, language and e-mail choice", responses={200: MeOut})
def me():
    with reading() as session:
        return ok(_out(*accounts.own_account(session, principal())))


@bp.patch("/me", summary="Change my language or how I receive non-urgent e-mail notices", responses={200: MeOut})
def update_me(body: MePatch):
    """Only the fields sent change; ``"language": null`` goes back to the hub's default language."""
    with writing() as session:
        user, org = accounts.own_account(session, principal())
        given = body.model_fields_set
        notices = body.mail_notices if "mail_notices" in given else user.mail_notices
        locale = body.language if "language" in given else user.locale
        user = mail_notices.set_preferences(session, user.id, notices, locale)
        out = _out(user, org)
    return ok(out)
