"""Webhooks as a registry: a platform's editors (or the regulator's admin) register one HTTPS endpoint per platform,
get its secret once, rotate it, ask for a failing or disabled webhook to be tried again now, and remove it.

Only the regulator's admin may allow a webhook to reach internal addresses or to use plain http
(``hub/core/webhook_urls.py``). Machine tokens cannot manage webhooks: a leaked CMS token must not be able to send
the platform's directives somewhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from hub.core import log, webhook_signing, webhook_urls
from hub.core.access import Principal
from hub.core.errors import Conflict, Forbidden, NotFound
from hub.models import Counter, Organisation, OrgKind, Role, Webhook, WebhookMessage

CURSOR = "webhook_event_cursor"  # the Counter row: the last log event the outbox has looked at
Resolve = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class UrlPolicy:
    """What a URL is checked against: the hub's own host names, the sealing key and a DNS resolver."""

    hub_hosts: tuple[str, ...]
    master_key: str
    resolve: Resolve | None = None


def _may_manage(actor: Principal, platform: Organisation) -> bool:
    if actor.role == Role.ADMIN and actor.is_regulator:
        return True
    return actor.org_id == platform.id and actor.role == Role.EDITOR and actor.user_id is not None


def _is_regulator_admin(actor: Principal) -> bool:
    return actor.role == Role.ADMIN and actor.is_regulator


def _platform(session: Session, actor: Principal, platform_id: int | None) -> Organisation:
    platform = session.get(Organisation, platform_id if platform_id is not None else actor.org_id)
    if platform is None or platform.kind != OrgKind.PLATFORM:
        raise NotFound("platform_not_found")
    if not _may_manage(actor, platform):
        if actor.org_id == platform.id:
            raise Forbidden("webhook_managers_only")
        raise NotFound("platform_not_found")
    return platform


def check_url(url: str, allow_http: bool, allow_internal: bool, policy: UrlPolicy) -> None:
    """Refuse a URL (and, with a resolver, the addresses it resolves to) that the webhook may not call."""
    host, port = webhook_urls.check_url(
        url, allow_http=allow_http, allow_internal=allow_internal, hub_hosts=policy.hub_hosts
    )
    if policy.resolve is not None and not allow_internal:
        webhook_urls.check_addresses(host, policy.resolve(host, port), allow_internal=False)


def register(
    session: Session,
    actor: Principal,
    now: datetime,
    policy: UrlPolicy,
    *,
    url: str,
    platform_id: int | None = None,
    allow_internal: bool = False,
    allow_http: bool = False,
) -> tuple[Webhook, str]:
    """Register a platform's webhook; returns it and its secret (shown this once). It receives what happens next."""
    platform = _platform(session, actor, platform_id)
    if (allow_internal or allow_http) and not _is_regulator_admin(actor):
        raise Forbidden("webhook_allowance_admin_only")
    check_url(url, allow_http, allow_internal, policy)
    if session.exec(select(Webhook.id).where(Webhook.platform_id == platform.id)).first() is not None:
        raise Conflict("webhook_exists", code=platform.code)
    head = log.lock(session)  # the webhook receives every event after this one
    secret = webhook_signing.new_secret()
    hook = Webhook(
        platform_id=platform.id,
        url=url,
        secret_sealed=webhook_signing.seal(policy.master_key, secret),
        secret_prefix=secret[:12],
        allow_internal=allow_internal,
        allow_http=allow_http,
        since_event_id=head.last_id,
        created_by=actor.label,
        created_at=now,
    )
    session.add(hook)
    if session.get(Counter, CURSOR) is None:
        session.add(Counter(name=CURSOR, value=head.last_id))
    session.flush()
    _log(session, "webhook_registered", actor.label, now, platform, hook, {"url": url})
    return hook, secret


def rotate(session: Session, actor: Principal, now: datetime, master_key: str, webhook_id: int) -> tuple[Webhook, str]:
    """Replace the webhook's secret; the new one signs from the next attempt on and is shown this once."""
    hook, platform = get(session, actor, webhook_id)
    secret = webhook_signing.new_secret()
    hook.secret_sealed, hook.secret_prefix, hook.rotated_at = webhook_signing.seal(master_key, secret), secret[:12], now
    session.add(hook)
    _log(session, "webhook_secret_rotated", actor.label, now, platform, hook, {})
    return hook, secret


def send_again(session: Session, actor: Principal, now: datetime, webhook_id: int) -> Webhook:
    """Try the webhook again now: clear the wait after failures and re-enable it if it was disabled."""
    hook, platform = get(session, actor, webhook_id)
    was_disabled = not hook.active
    hook.active, hook.disabled_at, hook.disabled_reason = True, None, None
    hook.next_attempt_at, hook.failing_since = now, None
    session.add(hook)
    _log(session, "webhook_resumed", actor.label, now, platform, hook, {"was_disabled": was_disabled})
    return hook


def remove(session: Session, actor: Principal, now: datetime, webhook_id: int) -> Webhook:
    """Remove a webhook and what its outbox still held (the deliveries stay in the inbox API and on sockets)."""
    hook, platform = get(session, actor, webhook_id)
    for message in session.exec(select(WebhookMessage).where(WebhookMessage.webhook_id == hook.id)):
        session.delete(message)
    session.delete(hook)
    _log(session, "webhook_removed", actor.label, now, platform, hook, {"url": hook.url})
    return hook


def get(session: Session, actor: Principal, webhook_id: int) -> tuple[Webhook, Organisation]:
    """A webhook the actor may manage, with its platform (NotFound for anyone else's)."""
    hook = session.get(Webhook, webhook_id)
    if hook is None:
        raise NotFound("webhook_not_found")
    platform = session.get(Organisation, hook.platform_id)
    if not _may_manage(actor, platform):
        raise NotFound("webhook_not_found")
    return hook, platform


def list_webhooks(session: Session, actor: Principal) -> list[tuple[Webhook, Organisation]]:
    """The regulator's admin sees every webhook; a platform's editors see their platform's."""
    query = select(Webhook, Organisation).join(Organisation, Organisation.id == Webhook.platform_id)
    if not _is_regulator_admin(actor):
        if actor.role != Role.EDITOR or not actor.is_platform or actor.user_id is None:
            raise Forbidden("webhook_managers_only")
        query = query.where(Webhook.platform_id == actor.org_id)
    return [tuple(row) for row in session.exec(query.order_by(Webhook.id))]


def recent_messages(session: Session, webhook_id: int, limit: int = 20) -> list[WebhookMessage]:
    """The webhook's latest outbox rows, newest first (what the platform's page shows)."""
    query = select(WebhookMessage).where(WebhookMessage.webhook_id == webhook_id)
    return list(session.exec(query.order_by(WebhookMessage.id.desc()).limit(limit)))


def pending_count(session: Session, webhook_ids: Iterable[int]) -> dict[int, int]:
    """How many messages each webhook still owes."""
    ids = list(webhook_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(WebhookMessage.webhook_id, func.count())
        .where(WebhookMessage.webhook_id.in_(ids), WebhookMessage.sent_at.is_(None))
        .group_by(WebhookMessage.webhook_id)
    )
    return dict(rows.all())


def _log(session, kind: str, actor: str, now: datetime, platform: Organisation, hook: Webhook, details: dict) -> None:
    details = {"webhook_id": hook.id, **details}
    log.append(
        session, log.EventDraft(kind, actor, now, org_id=platform.id, province=platform.province, details=details)
    )
