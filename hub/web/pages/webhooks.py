"""Webhook pages: a platform's editors manage their platform's webhook (``/inbox/webhook``), the regulator's admin
sees every webhook and may allow internal addresses or plain http (``/admin/webhooks``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session
from wtforms import BooleanField, SelectField, StringField

from hub import clock
from hub.core import access, organisations
from hub.core import webhooks as core_webhooks
from hub.core.errors import HubError
from hub.db import read_session, write_session
from hub.models import OrgKind, Role
from hub.runtime import current_hub
from hub.web.api.webhooks import url_policy
from hub.web.forms import HubForm, length, options, required
from hub.web.messages import error_text
from hub.web.pages.base import allowed_if, bp, engine, principal

editor_only = allowed_if(access.is_platform_member)
admin_only = allowed_if(access.is_admin)
editor_or_admin = allowed_if(lambda who: access.is_platform_member(who) or access.is_admin(who))
NO_STORE = {"Cache-Control": "no-store"}
T = TypeVar("T")


class WebhookForm(HubForm):
    url = StringField(_l("Endpoint URL (https)"), [required(), length(2000, 8)])


class AdminWebhookForm(WebhookForm):
    platform = SelectField(_l("Platform"), choices=[])
    allow_internal = BooleanField(_l("Allow internal addresses"))
    allow_http = BooleanField(_l("Allow plain http"))


def _register(form: WebhookForm, **extra) -> tuple[str | None, int]:
    """Register from a valid form; the secret (shown once) or None, and the page's status."""
    if not form.validate_on_submit():
        return None, 422
    try:
        with write_session(engine()) as session:
            _hook, secret = core_webhooks.register(
                session, principal(), clock.now(), url_policy(), url=form.url.data.strip(), **extra
            )
    except HubError as exc:
        form.form_errors.append(error_text(exc))
        return None, 422
    return secret, 201


def _state(platform_id: int | None = None) -> list[dict]:
    with read_session(engine()) as session:
        rows = core_webhooks.list_webhooks(session, principal())
        if platform_id is not None:
            rows = [(h, p) for h, p in rows if p.id == platform_id]
        pending = core_webhooks.pending_count(session, [h.id for h, _ in rows])
        return [
            {
                "hook": h,
                "platform": p,
                "pending": pending.get(h.id, 0),
                "recent": core_webhooks.recent_messages(session, h.id, 10),
            }
            for h, p in rows
        ]


@bp.route("/inbox/webhook", methods=["GET", "POST"])
@editor_only
def platform_webhook():
    """The platform's webhook: its state, its latest attempts, and the secret once after registering."""
    form = WebhookForm()
    secret, status = (None, 200)
    if request.method == "POST":
        secret, status = _register(form)
    hooks = _state(principal().org_id)
    page = render_template("inbox/webhook.html", form=form, hooks=hooks, secret=secret)
    return page, status, NO_STORE


@bp.route("/admin/webhooks", methods=["GET", "POST"])
@admin_only
def admin_webhooks():
    """Every platform's webhook; the admin may register one for a platform with the allowances only it may give."""
    form = AdminWebhookForm()
    with read_session(engine()) as session:
        platforms = organisations.list_organisations(session, principal(), kind=OrgKind.PLATFORM, per_page=500).items
    form.platform.choices = options((str(p.id), f"{p.code} — {p.name}") for p in platforms)
    secret, status = (None, 200)
    if request.method == "POST":
        extra = {"allow_internal": form.allow_internal.data, "allow_http": form.allow_http.data}
        platform_id = form.platform.data if (form.platform.data or "").isdigit() else "0"
        secret, status = _register(form, platform_id=int(platform_id), **extra)
    page = render_template("admin/webhooks.html", form=form, hooks=_state(), secret=secret)
    return page, status, NO_STORE


def _back():
    return redirect(url_for("pages.admin_webhooks" if principal().role == Role.ADMIN else "pages.platform_webhook"))


def _act(verb: Callable[[Session], T], done: str | None = None) -> T | None:
    """Run one webhook verb in its own write transaction; a refusal is flashed and gives None."""
    try:
        with write_session(engine()) as session:
            outcome = verb(session)
    except HubError as exc:
        flash(error_text(exc), "error")
        return None
    if done:
        flash(done, "success")
    return outcome


@bp.post("/webhooks/<int:webhook_id>/send-again")
@editor_or_admin
def webhook_send_again(webhook_id: int):
    done = _("The webhook will be tried again within seconds.")
    _act(lambda session: core_webhooks.send_again(session, principal(), clock.now(), webhook_id), done)
    return _back()


@bp.post("/webhooks/<int:webhook_id>/remove")
@editor_or_admin
def webhook_remove(webhook_id: int):
    _act(
        lambda session: core_webhooks.remove(session, principal(), clock.now(), webhook_id),
        _("The webhook was removed."),
    )
    return _back()


@bp.post("/webhooks/<int:webhook_id>/rotate")
@editor_or_admin
def webhook_rotate(webhook_id: int):
    """A new secret, shown once on the page this answers with."""
    who, key = principal(), current_hub().settings.secret_key
    rotated = _act(lambda session: core_webhooks.rotate(session, who, clock.now(), key, webhook_id))
    if rotated is None:
        return _back()
    _hook, secret = rotated
    if who.role == Role.ADMIN:
        page = render_template("admin/webhooks.html", form=None, hooks=_state(), secret=secret)
    else:
        page = render_template("inbox/webhook.html", form=None, hooks=_state(who.org_id), secret=secret)
    return page, 200, NO_STORE
