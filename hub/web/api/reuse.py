"""Reusing directives over HTTP: duplicate one as a new draft, keep templates of recurring notices, start a draft
from a template. Thin adapters over ``hub.core.directive_templates``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hub.core import directive_templates as reuse
from hub.web.api import schemas
from hub.web.api.base import ID, Out, blueprint, now, ok, principal, reading, writing

bp = blueprint("reuse", __name__, "templates", "duplicate a directive; templates for recurring notices")


class DirectivePath(BaseModel):
    directive_id: ID


class TemplatePath(BaseModel):
    template_id: ID


class TemplateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    directive_id: ID = Field(description="the directive whose content the template keeps")
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")


class TemplateOut(Out):
    id: int
    name: str
    content: dict[str, Any] = Field(description="kind, title, body, priority, audience, legal basis, reminder policy")
    source_id: int | None
    created_by: str
    created_at: datetime


class TemplateList(BaseModel):
    items: list[TemplateOut]


class Deleted(BaseModel):
    deleted: int


@bp.post(
    "/directives/<int:directive_id>/duplicate",
    summary="A new draft with this directive's content and reminder policy (no dates)",
    responses={201: schemas.DirectiveOut},
)
def duplicate(path: DirectivePath):
    with writing() as session:
        draft = reuse.duplicate(session, principal(), now(), path.directive_id)
        out = schemas.DirectiveOut.model_validate(draft)
    return ok(out, 201)


@bp.get("/templates", summary="Your organisation's templates, by name", responses={200: TemplateList})
def index():
    with reading() as session:
        items = [TemplateOut.model_validate(t) for t in reuse.list_templates(session, principal())]
    return ok(TemplateList(items=items))


@bp.post("/templates", summary="Keep a directive's content as a template", responses={201: TemplateOut})
def save(body: TemplateBody):
    with writing() as session:
        template = reuse.save_template(session, principal(), now(), body.directive_id, body.name)
        out = TemplateOut.model_validate(template)
    return ok(out, 201)


@bp.post(
    "/templates/<int:template_id>/drafts",
    summary="A new draft from a template",
    responses={201: schemas.DirectiveOut},
)
def draft(path: TemplatePath):
    with writing() as session:
        directive = reuse.draft_from_template(session, principal(), now(), path.template_id)
        out = schemas.DirectiveOut.model_validate(directive)
    return ok(out, 201)


@bp.delete("/templates/<int:template_id>", summary="Remove a template", responses={200: Deleted})
def delete(path: TemplatePath):
    with writing() as session:
        reuse.delete_template(session, principal(), now(), path.template_id)
    return ok(Deleted(deleted=path.template_id))
