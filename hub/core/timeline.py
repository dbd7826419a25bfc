"""A directive's timeline in words a reader knows: who acted (a person's name, not ``user:login``; a platform's
system, not ``token:CODE:label``; the hub itself) and which platform each delivery event is about."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from hub.models import Event, Organisation, User

USER, TOKEN, SYSTEM = "user", "token", "system"


@dataclass(frozen=True)
class Actor:
    """Who acted: ``kind`` user, token or system; ``name`` the person's display name, the token's label or the
    hub's part (``scheduler``); ``organisation`` the name of the person's or token's organisation."""

    kind: str
    name: str
    organisation: str | None = None


@dataclass(frozen=True)
class Entry:
    """One event of the timeline, its actor, and the platform it is about (None for a directive-wide event)."""

    event: Event
    actor: Actor
    platform: str | None = None


def describe(session: Session, events: Sequence[Event]) -> list[Entry]:
    """The events with their actors and platforms named, in the order given (two reads, whatever their number)."""
    logins = {e.actor.split(":", 1)[1] for e in events if e.actor.startswith("user:")}
    codes = {e.actor.split(":", 2)[1] for e in events if e.actor.startswith("token:") and e.actor.count(":") >= 2}
    codes |= {e.details.get("platform") for e in events if isinstance(e.details.get("platform"), str)}
    org_ids = {e.org_id for e in events if e.delivery_id is not None and e.org_id is not None}
    people = _people(session, logins)
    orgs = list(session.exec(select(Organisation).where(Organisation.id.in_(org_ids) | Organisation.code.in_(codes))))
    by_id, by_code = {o.id: o.name for o in orgs}, {o.code: o.name for o in orgs}
    return [Entry(e, _actor(e.actor, people, by_code), _platform(e, by_id, by_code)) for e in events]


def _people(session: Session, logins: set[str]) -> dict[str, tuple[str, str]]:
    if not logins:
        return {}
    rows = session.exec(
        select(User.login, User.display_name, Organisation.name)
        .join(Organisation, Organisation.id == User.org_id)
        .where(User.login.in_(logins))
    )
    return {login: (name, org) for login, name, org in rows}


def _actor(label: str, people: dict[str, tuple[str, str]], by_code: dict[str, str]) -> Actor:
    kind, _, rest = label.partition(":")
    if kind == USER and rest in people:
        name, org = people[rest]
        return Actor(USER, name, org)
    if kind == TOKEN:
        code, _, token_label = rest.partition(":")
        return Actor(TOKEN, token_label, by_code.get(code, code))
    if kind == SYSTEM:
        return Actor(SYSTEM, rest)
    return Actor(kind or SYSTEM, rest or label)


def _platform(event: Event, by_id: dict[int, str], by_code: dict[str, str]) -> str | None:
    if event.delivery_id is not None and event.org_id in by_id:
        return by_id[event.org_id]
    code = event.details.get("platform")
    return by_code.get(code, code) if isinstance(code, str) else None
