"""Reusing what was written: duplicate a directive as a new draft, save it as a template for recurring notices,
and start a new draft from a template. Dates are never copied (they would lie in the past): the new draft gets
deadlines when it is composed, or by its priority when it is published."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, select

from hub.core import directives, log
from hub.core.access import Principal, get_visible_directive, require_issuer
from hub.core.directive_input import DirectiveInput
from hub.core.errors import InvalidInput, NotFound
from hub.core.limits import trimmed
from hub.models import Directive, DirectiveTemplate, Organisation

# What a template and a duplicate carry over from a directive: its content and reminder policy, not its dates.
CARRIED = (
    "kind",
    "title",
    "body",
    "priority",
    "audience",
    "legal_basis",
    "exercise",
    "remind_interval_minutes",
    "remind_limit",
    "escalate_after_minutes",
)


def content_of(directive: Directive) -> dict[str, Any]:
    """The parts of a directive that a copy keeps."""
    return {name: getattr(directive, name) for name in CARRIED}


def _input(content: dict[str, Any]) -> DirectiveInput:
    """The saved content as the composer's input (a rule tightened since it was saved is a clear refusal)."""
    try:
        return DirectiveInput(**content)
    except ValidationError as exc:
        raise InvalidInput(
            "template_content_invalid",
            details=exc.errors(include_url=False, include_context=False),
        ) from None


def duplicate(session: Session, principal: Principal, now: datetime, directive_id: int) -> Directive:
    """A new draft of the principal's organisation with the content of a directive it may see."""
    source = get_visible_directive(session, principal, directive_id)
    draft = directives.create(session, principal, now, _input(content_of(source)))
    _log(session, "duplicated", principal, now, draft, {"from": source.id, "from_ref_no": source.ref_no})
    return draft


def save_template(
    session: Session, principal: Principal, now: datetime, directive_id: int, name: str
) -> DirectiveTemplate:
    """Keep a directive's content as a named template of the principal's organisation."""
    require_issuer(principal)
    name = trimmed(name)
    if not name or len(name) > 200:
        raise InvalidInput("template_name_invalid")
    source = get_visible_directive(session, principal, directive_id)
    template = DirectiveTemplate(
        org_id=principal.org_id,
        name=name,
        content=content_of(source),
        source_id=source.id,
        created_by=principal.label,
        created_at=now,
    )
    session.add(template)
    session.flush()
    _log(session, "template_saved", principal, now, source, {"template_id": template.id, "name": name})
    return template


def list_templates(session: Session, principal: Principal) -> list[DirectiveTemplate]:
    """The templates of the principal's organisation, by name."""
    require_issuer(principal)
    query = select(DirectiveTemplate).where(DirectiveTemplate.org_id == principal.org_id)
    return list(session.exec(query.order_by(DirectiveTemplate.name, DirectiveTemplate.id)))


def get_template(session: Session, principal: Principal, template_id: int) -> DirectiveTemplate:
    """One template of the principal's organisation (another organisation's is simply not found)."""
    require_issuer(principal)
    template = session.get(DirectiveTemplate, template_id)
    if template is None or template.org_id != principal.org_id:
        raise NotFound("template_not_found")
    return template


def draft_from_template(session: Session, principal: Principal, now: datetime, template_id: int) -> Directive:
    """A new draft with a template's content."""
    template = get_template(session, principal, template_id)
    draft = directives.create(session, principal, now, _input(template.content))
    _log(session, "drafted_from_template", principal, now, draft, {"template_id": template.id, "name": template.name})
    return draft


def delete_template(session: Session, principal: Principal, now: datetime, template_id: int) -> None:
    """Remove a template; the drafts made from it stay as they are."""
    template = get_template(session, principal, template_id)
    session.delete(template)
    org = session.get(Organisation, principal.org_id)
    details = {"template_id": template_id, "name": template.name}
    log.append(
        session,
        log.EventDraft("template_deleted", principal.label, now, org_id=org.id, province=org.province, details=details),
    )


def _log(session: Session, kind: str, principal: Principal, now: datetime, directive: Directive, details: dict) -> None:
    org = session.get(Organisation, principal.org_id)
    log.append(
        session,
        log.EventDraft(
            kind, principal.label, now, org_id=org.id, province=org.province, directive_id=directive.id, details=details
        ),
    )
