"""Webhooks over HTTP: register (the secret is in that answer only), list, show, rotate, send again, remove."""

from __future__ import annotations

from datetime import datetime

from flask import request
from pydantic import BaseModel, ConfigDict, Field

from hub.core import webhooks as core_webhooks
from hub.models import Organisation
from hub.runtime import current_hub
from hub.web.api.base import ID, BodyID, Out, blueprint, now, ok, principal, reading, writing
from hub.webhooks import dispatcher, sender

bp = blueprint("webhooks", __name__, "webhooks", "signed HTTPS POSTs of a platform's deliveries (docs/webhooks.md)")


class WebhookIn(BaseModel):
    """A platform's endpoint. ``platform_id`` is for the regulator's admin (editors register their own platform's);
    ``allow_internal`` and ``allow_http`` only the regulator's admin may set."""

    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=8, max_length=2000, examples=["https://cms.example.vn/hub-webhook"])
    platform_id: BodyID | None = None
    allow_internal: bool = Field(default=False, description="may call loopback/private addresses (regulator admin)")
    allow_http: bool = Field(default=False, description="may use plain http (regulator admin)")


class WebhookPath(BaseModel):
    webhook_id: ID


class WebhookMessageOut(Out):
    id: int
    kind: str
    directive_id: int | None
    seq: int | None
    created_at: datetime
    attempts: int
    last_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    sent_at: datetime | None


class WebhookOut(Out):
    id: int
    platform_id: int
    platform_code: str = ""
    url: str
    secret_prefix: str = Field(description="the first characters of the secret, to tell secrets apart")
    allow_internal: bool
    allow_http: bool
    active: bool
    created_at: datetime
    rotated_at: datetime | None
    last_attempt_at: datetime | None
    last_status: int | None = Field(description="the HTTP status of the last attempt (none: no answer)")
    last_error: str | None
    last_success_at: datetime | None
    failing_since: datetime | None
    next_attempt_at: datetime | None = Field(description="when the next try is due after a failure")
    disabled_at: datetime | None
    disabled_reason: str | None
    pending: int = Field(default=0, description="rows still owed to the endpoint")


class WebhookIssued(WebhookOut):
    secret: str = Field(description="the HMAC secret, shown in this answer only")


class WebhookDetail(WebhookOut):
    recent: list[WebhookMessageOut] = Field(default_factory=list, description="the latest rows, newest first")


class WebhookList(BaseModel):
    items: list[WebhookOut]


def url_policy() -> core_webhooks.UrlPolicy:
    """The URL checks of this request: the hub's names (with the one this request came to) and a real resolver."""
    settings = current_hub().settings
    return core_webhooks.UrlPolicy(
        dispatcher.hub_hosts(settings, request.host.rsplit(":", 1)[0].strip("[]")), settings.secret_key, _resolve
    )


def _resolve(host: str, port: int) -> list[str]:
    try:
        return sender.resolve(host, port)
    except OSError:
        return []  # "does not resolve", a 422


def _out(model: type[WebhookOut], hook, platform, pending: int = 0, **extra) -> WebhookOut:
    data = WebhookOut.model_validate(hook).model_dump()
    return model(**{**data, "platform_code": platform.code, "pending": pending, **extra})


@bp.get("/webhooks", summary="Webhooks you manage (regulator admin: all)", responses={200: WebhookList})
def list_webhooks():
    with reading() as session:
        rows = core_webhooks.list_webhooks(session, principal())
        pending = core_webhooks.pending_count(session, [h.id for h, _ in rows])
        items = [_out(WebhookOut, h, p, pending.get(h.id, 0)) for h, p in rows]
    return ok(WebhookList(items=items))


@bp.post(
    "/webhooks",
    summary="Register a platform's webhook; its secret is in this answer only",
    responses={201: WebhookIssued},
)
def register_webhook(body: WebhookIn):
    with writing() as session:
        hook, secret = core_webhooks.register(session, principal(), now(), url_policy(), **body.model_dump())
        out = _out(WebhookIssued, hook, _platform(session, hook), secret=secret)
    return ok(out, 201)


def _platform(session, hook) -> Organisation:
    return session.get(Organisation, hook.platform_id)


@bp.get(
    "/webhooks/<int:webhook_id>", summary="A webhook: its state and latest attempts", responses={200: WebhookDetail}
)
def get_webhook(path: WebhookPath):
    with reading() as session:
        hook, platform = core_webhooks.get(session, principal(), path.webhook_id)
        pending = core_webhooks.pending_count(session, [hook.id]).get(hook.id, 0)
        recent = [WebhookMessageOut.model_validate(m) for m in core_webhooks.recent_messages(session, hook.id)]
        out = _out(WebhookDetail, hook, platform, pending, recent=recent)
    return ok(out)


@bp.post(
    "/webhooks/<int:webhook_id>/rotate",
    summary="Replace the secret; the new one is in this answer only",
    responses={200: WebhookIssued},
)
def rotate_webhook(path: WebhookPath):
    with writing() as session:
        hook, secret = core_webhooks.rotate(
            session, principal(), now(), current_hub().settings.secret_key, path.webhook_id
        )
        out = _out(WebhookIssued, hook, _platform(session, hook), secret=secret)
    return ok(out)


@bp.post(
    "/webhooks/<int:webhook_id>/send-again",
    summary="Try again now (re-enables a disabled webhook)",
    responses={200: WebhookOut},
)
def send_again(path: WebhookPath):
    with writing() as session:
        hook = core_webhooks.send_again(session, principal(), now(), path.webhook_id)
        out = _out(WebhookOut, hook, _platform(session, hook))
    return ok(out)


@bp.delete("/webhooks/<int:webhook_id>", summary="Remove a webhook and what it still owed", responses={200: WebhookOut})
def remove_webhook(path: WebhookPath):
    with writing() as session:
        hook = core_webhooks.remove(session, principal(), now(), path.webhook_id)
        out = _out(WebhookOut, hook, _platform(session, hook))
    return ok(out)
