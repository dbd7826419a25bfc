"""The registry over HTTP: organisations, users and API tokens (admins; platform editors for their own tokens)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hub import sockets
from hub.core import accounts
from hub.core import organisations as core_organisations
from hub.core import tokens as core_tokens
from hub.core import users as core_users
from hub.models import OrgKind, PlatformKind, Role
from hub.provinces import PROVINCES
from hub.web.api import schemas
from hub.web.api.base import (
    ID,
    LIMITED,
    BodyID,
    PageQuery,
    Province,
    blueprint,
    now,
    ok,
    ok_page,
    principal,
    reading,
    writing,
)
from hub.web.limited import limited

bp = blueprint("admin", __name__, "registry", "organisations, users and credentials")

Code = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]+$")


PLACED = {  # a province's department and a platform are in a province; a platform also has a kind
    OrgKind.PROVINCE: {"province": {"enum": sorted(PROVINCES)}},
    OrgKind.PLATFORM: {
        "province": {"enum": sorted(PROVINCES)},
        "platform_kind": {"enum": [k.value for k in PlatformKind]},
    },
}
ORGANISATION_KINDS = [
    {"properties": {"kind": {"const": OrgKind.REGULATOR.value}}},
    *({"properties": {"kind": {"const": kind.value}, **need}, "required": list(need)} for kind, need in PLACED.items()),
]


class OrganisationIn(BaseModel):
    """An organisation; ``province`` is required for provinces and platforms, ``platform_kind`` for platforms."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"anyOf": ORGANISATION_KINDS})
    kind: OrgKind
    code: str = Code
    name: str = Field(min_length=1, max_length=300, pattern=r"\S")
    province: Province | None = Field(default=None, description="for provinces and platforms (ignored otherwise)")
    platform_kind: PlatformKind | None = Field(default=None, description="for platforms (ignored otherwise)")
    licence_no: str | None = Field(default=None, max_length=100)
    domains: list[Annotated[str, Field(min_length=1, max_length=253)]] = Field(default_factory=list, max_length=50)
    ref_suffix: str | None = Field(default=None, max_length=64, description="the issuer part of reference numbers")


class OrganisationQuery(PageQuery):
    kind: OrgKind | None = None
    province: Province | None = None
    q: str | None = Field(default=None, max_length=200)


ROLES_DOC = "what the organisation's kind allows, else 409: " + "; ".join(
    f"{kind}: {', '.join(sorted(roles))}" for kind, roles in core_users.ROLES_BY_KIND.items()
)


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    org_id: BodyID
    role: Role = Field(description=ROLES_DOC)
    login: str = Field(min_length=2, max_length=100, pattern=core_users.LOGIN_RE.pattern)
    display_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=10, max_length=256)
    email: str | None = Field(default=None, max_length=254)


class UserQuery(PageQuery):
    org_id: ID | None = None
    role: Role | None = None


class TokenIn(BaseModel):
    """A machine token for a platform (``platform_id``) or a personal token for a user (``user_id``)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {"properties": {"platform_id": {"type": "integer"}}, "required": ["platform_id"]},
                {"properties": {"user_id": {"type": "integer"}}, "required": ["user_id"]},
            ]
        },
    )
    label: str = Field(min_length=1, max_length=100)
    platform_id: BodyID | None = None
    user_id: BodyID | None = None

    @model_validator(mode="after")
    def _one_owner(self) -> TokenIn:
        if (self.platform_id is None) == (self.user_id is None):
            raise ValueError("give exactly one of platform_id and user_id")
        return self


class TokenPath(BaseModel):
    token_id: ID


class UserPath(BaseModel):
    user_id: ID


class OrganisationPath(BaseModel):
    org_id: ID


@bp.get("/organisations", summary="Organisations in your scope", responses={200: schemas.OrganisationPage})
def organisations(query: OrganisationQuery):
    with reading() as session:
        page = core_organisations.list_organisations(
            session,
            principal(),
            kind=query.kind,
            province=query.province,
            q=query.q,
            page=query.page,
            per_page=query.per_page,
        )
        items = [schemas.OrganisationOut.model_validate(o) for o in page.items]
    return ok_page(schemas.OrganisationPage, items, page)


@bp.post("/organisations", summary="Register an organisation (admin)", responses={201: schemas.OrganisationOut})
def create_organisation(body: OrganisationIn):
    with writing() as session:
        org = core_organisations.create_organisation(session, principal(), now(), **body.model_dump())
    return ok(schemas.OrganisationOut.model_validate(org), 201)


@bp.get("/users", summary="Users (admin: all; others: their organisation's)", responses={200: schemas.UserPage})
def users(query: UserQuery):
    with reading() as session:
        page = core_users.list_users(
            session, principal(), org_id=query.org_id, role=query.role, page=query.page, per_page=query.per_page
        )
        items = [schemas.UserOut.model_validate(u) for u, _org in page.items]
    return ok_page(schemas.UserPage, items, page)


@bp.post("/users", summary="Create a user (admin)", responses={201: schemas.UserOut})
def create_user(body: UserIn):
    with writing() as session:
        user = core_users.create_user(session, principal(), now(), **body.model_dump())
    return ok(schemas.UserOut.model_validate(user), 201)


@bp.get(
    "/tokens", summary="API tokens you may manage (secrets are never shown again)", responses={200: schemas.TokenPage}
)
def tokens(query: PageQuery):
    with reading() as session:
        found = core_tokens.list_tokens(session, principal())
    start = (query.page - 1) * query.per_page
    items = [schemas.TokenOut.model_validate(t) for t in found[start : start + query.per_page]]
    return ok(schemas.TokenPage(items=items, total=len(found), page=query.page, per_page=query.per_page))


@bp.post(
    "/tokens",
    summary="Issue a token; the secret is in this answer only",
    responses={201: schemas.TokenIssued, **LIMITED},
)
@limited("tokens")
def issue_token(body: TokenIn):
    with writing() as session:
        token, secret = core_tokens.issue_token(session, principal(), now(), **body.model_dump())
    return ok(schemas.TokenIssued(**schemas.TokenOut.model_validate(token).model_dump(), secret=secret), 201)


def _revoke(token_id: int):
    with writing() as session:
        token = core_tokens.revoke_token(session, principal(), now(), token_id)
    sockets.disconnect_token(token.id)
    return ok(schemas.TokenOut.model_validate(token))


@bp.post(
    "/tokens/<int:token_id>/revoke",
    summary="Revoke a token (idempotent); its sockets are cut off",
    responses={200: schemas.TokenOut},
)
def revoke_token(path: TokenPath):
    return _revoke(path.token_id)


@bp.delete(
    "/tokens/<int:token_id>", summary="Revoke a token (the same as POST .../revoke)", responses={200: schemas.TokenOut}
)
def delete_token(path: TokenPath):
    return _revoke(path.token_id)


def _user_active(user_id: int, active: bool):
    with writing() as session:
        user, ended = accounts.set_user_active(session, principal(), now(), user_id, active)
        out = schemas.UserOut.model_validate(user)
    sockets.cut(ended)
    return ok(out)


@bp.post(
    "/users/<int:user_id>/deactivate",
    summary="Deactivate a user (admin): its sessions end, its tokens stop working, its sockets are cut",
    responses={200: schemas.UserOut},
)
def deactivate_user(path: UserPath):
    return _user_active(path.user_id, False)


@bp.post("/users/<int:user_id>/reactivate", summary="Reactivate a user (admin)", responses={200: schemas.UserOut})
def reactivate_user(path: UserPath):
    return _user_active(path.user_id, True)


class RoleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role = Field(description=ROLES_DOC)


@bp.post(
    "/users/<int:user_id>/role",
    summary="Change a user's role (admin): its sessions end and its sockets are cut; logged with the old and new role",
    responses={200: schemas.UserOut},
)
def change_role(path: UserPath, body: RoleIn):
    with writing() as session:
        user, ended = accounts.set_role(session, principal(), now(), path.user_id, body.role)
        out = schemas.UserOut.model_validate(user)
    sockets.cut(ended)
    return ok(out)


class PasswordResetOut(BaseModel):
    user: schemas.UserOut
    temporary_password: str = Field(description="shown only in this answer; the user must change it at sign-in")


@bp.post(
    "/users/<int:user_id>/reset-password",
    summary="Reset a user's password (admin): a temporary one, returned once; sessions end; logged without it",
    responses={200: PasswordResetOut},
)
def reset_password(path: UserPath):
    with writing() as session:
        user, temporary, ended = accounts.reset_password(session, principal(), now(), path.user_id)
        out = PasswordResetOut(user=schemas.UserOut.model_validate(user), temporary_password=temporary)
    sockets.cut(ended)
    response = ok(out)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post(
    "/users/<int:user_id>/sign-out",
    summary="Sign a user out everywhere (admin): every session ends, personal tokens are revoked, sockets are cut",
    responses={200: schemas.UserOut},
)
def sign_out_everywhere(path: UserPath):
    with writing() as session:
        user, ended = accounts.sign_out_everywhere(session, principal(), now(), path.user_id)
        out = schemas.UserOut.model_validate(user)
    sockets.cut(ended)
    return ok(out)


def _org_active(org_id: int, active: bool):
    with writing() as session:
        org, ended = accounts.set_org_active(session, principal(), now(), org_id, active)
        out = schemas.OrganisationOut.model_validate(org)
    sockets.cut(ended)
    return ok(out)


@bp.post(
    "/organisations/<int:org_id>/deactivate",
    summary="Deactivate an organisation (admin): its users' sessions end, its tokens stop working, sockets are cut",
    responses={200: schemas.OrganisationOut},
)
def deactivate_organisation(path: OrganisationPath):
    return _org_active(path.org_id, False)


@bp.post(
    "/organisations/<int:org_id>/reactivate",
    summary="Reactivate an organisation (admin)",
    responses={200: schemas.OrganisationOut},
)
def reactivate_organisation(path: OrganisationPath):
    return _org_active(path.org_id, True)
