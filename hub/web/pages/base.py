"""What every page shares: the blueprint, who may open which page, and the helpers templates use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Flask, abort, flash, redirect, request, url_for
from flask_babel import format_datetime, get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hub.collation import place_name_key
from hub.core import access
from hub.core.access import Principal
from hub.core.errors import HubError
from hub.models import Role
from hub.provinces import PROVINCES
from hub.runtime import current_hub
from hub.web import markdown
from hub.web.auth import current_principal

bp = Blueprint("pages", __name__)

HOME = {
    Role.OFFICER: "pages.console",
    Role.EDITOR: "pages.inbox",
    Role.MANAGER: "pages.dashboard",
    Role.ADMIN: "pages.admin_home",
}

STATE_LABELS = {
    "pending": _l("Pending"),
    "delivered": _l("Delivered"),
    "acknowledged": _l("Acknowledged"),
    "in_progress": _l("In progress"),
    "implemented": _l("Implemented"),
    "declined": _l("Not applicable"),
    "overdue": _l("Overdue"),
}
STATUS_LABELS = {
    "draft": _l("Draft"),
    "scheduled": _l("Scheduled"),
    "published": _l("Published"),
    "revoked": _l("Revoked"),
    "expired": _l("Expired"),
}
KIND_LABELS = {
    "directive": _l("Directive"),
    "orientation": _l("Orientation notice"),
    "reminder": _l("Reminder"),
    "rectification": _l("Rectification"),
    "report_request": _l("Report request"),
}
PRIORITY_LABELS = {"routine": _l("Routine"), "urgent": _l("Urgent"), "flash": _l("Flash")}
PLATFORM_KIND_LABELS = {"news_site": _l("General news site"), "social_network": _l("Social network")}
ROLE_LABELS = {"admin": _l("Administrator"), "officer": _l("Officer"), "editor": _l("Editor"), "manager": _l("Manager")}
EVENT_LABELS = {
    "drafted": _l("Draft saved"),
    "scheduled": _l("Scheduled"),
    "draft_updated": _l("Draft changed"),
    "duplicated": _l("Drafted as a copy"),
    "drafted_from_template": _l("Drafted from a template"),
    "template_saved": _l("Saved as a template"),
    "template_deleted": _l("Template removed"),
    "published": _l("Published"),
    "delivered": _l("Delivered"),
    "delivered_to_new_platform": _l("Delivered to a new platform"),
    "acknowledged": _l("Acknowledged"),
    "status_changed": _l("Status changed"),
    "report_updated": _l("Report updated"),
    "report_verified": _l("Report verified"),
    "report_returned": _l("Report returned"),
    "question_asked": _l("Question asked"),
    "question_answered": _l("Question answered"),
    "deadline_near": _l("Deadline approaching"),
    "reminded": _l("Reminded"),
    "escalated": _l("Escalated"),
    "superseded": _l("Amended"),
    "revoked": _l("Revoked"),
    "expired": _l("Expired"),
    "ratio_report_submitted": _l("Ratio report submitted"),
    "ratio_report_corrected": _l("Ratio report corrected"),
    "organisation_registered": _l("Organisation registered"),
    "user_created": _l("User created"),
    "token_issued": _l("Token issued"),
    "token_revoked": _l("Token revoked"),
    "login_failed": _l("Failed sign-in"),
    "checkpoint": _l("Log checkpoint signed"),
    "password_changed": _l("Password changed"),
    "user_deactivated": _l("User deactivated"),
    "user_reactivated": _l("User reactivated"),
    "user_role_changed": _l("Role changed"),
    "password_reset": _l("Password reset by an administrator"),
    "organisation_deactivated": _l("Organisation deactivated"),
    "organisation_reactivated": _l("Organisation reactivated"),
    "signed_out_everywhere": _l("Signed out everywhere"),
    "evidence_attached": _l("Evidence attached"),
    "document_attached": _l("Official document attached"),
    "webhook_registered": _l("Webhook registered"),
    "webhook_secret_rotated": _l("Webhook secret changed"),
    "webhook_disabled": _l("Webhook disabled after failing"),
    "webhook_resumed": _l("Webhook resumed"),
    "webhook_removed": _l("Webhook removed"),
    "mail_given_up": _l("E-mail given up"),
}
PHASE_LABELS = {"acknowledge": _l("acknowledgement"), "implement": _l("implementation")}
VERIFICATION_LABELS = {"verified": _l("Verified"), "returned": _l("Returned for more work")}


def principal() -> Principal:
    """The signed-in user's principal (pages are session-only)."""
    return current_user.principal


def engine():
    return current_hub().engine


def allowed_if(check: Callable[[Principal], bool]) -> Callable:
    """Only signed-in users for whom the core's ``check`` (``access.may_issue``, ``may_read``…) holds may open the
    page; others get 403 (anonymous: sign-in)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                return redirect(url_for("pages.login", next=request.full_path.rstrip("?")))
            if not check(principal()):
                abort(403)
            current_principal(required=False)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def home_endpoint(who: Principal) -> str:
    return HOME.get(who.role, "pages.login")


def province_name(code: str | None) -> str:
    if not code:
        return ""
    names = PROVINCES.get(code)
    if names is None:
        return code
    return names[1] if str(get_locale()) == "en" else names[0]


def province_choices() -> list[tuple[str, str]]:
    """Every province by name in Vietnamese alphabetical order ("Hà Nội" before "Huế"), in either language."""
    return sorted(((code, province_name(code)) for code in PROVINCES), key=lambda c: place_name_key(c[1]))


# Day, month and year never in an order a reader could mistake: "3 Dec 2026, 14:05" in English (not "12/3/26"),
# "03/12/2026 14:05" in Vietnamese (always day first), on a 24-hour clock in both.
TIME_PATTERNS = {
    "en": {"short": "d MMM yyyy, HH:mm", "medium": "d MMM yyyy, HH:mm:ss"},
    "vi": {"short": "dd/MM/yyyy HH:mm", "medium": "dd/MM/yyyy HH:mm:ss"},
}


def local_time(value: datetime | None, fmt: str = "short") -> str:
    """A UTC time as the reader sees it (Asia/Ho_Chi_Minh, in the page's language, unambiguous)."""
    if not value:
        return "—"
    patterns = TIME_PATTERNS.get(str(get_locale()), TIME_PATTERNS["en"])
    return format_datetime(value, patterns.get(fmt, fmt))


def page_url(page: int, **overrides: Any) -> str:
    """This page's URL with the same query and another page number (or other overrides)."""
    args = request.args.to_dict()
    args.update({k: v for k, v in overrides.items() if v is not None})
    args["page"] = page
    return request.path + "?" + urlencode(args)


def safe_next(target: str | None) -> str | None:
    """Only paths of this site are followed after a form (no scheme, host, or '//' and '\\' tricks)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def int_arg(name: str, default: int, low: int = 1, high: int = 10_000_000) -> int:
    """An integer query argument, clamped to a sane range (bad values fall back to the default)."""
    try:
        value = int(request.args.get(name, default))
    except (TypeError, ValueError):
        return default
    return min(max(value, low), high)


def revoke_token(token_id: int, back_to: str):
    """Revoke a token from a page (admin's list or a platform's own), cut its live sockets, go back to ``back_to``."""
    from hub import clock, sockets
    from hub.core import tokens
    from hub.db import write_session
    from hub.web.messages import error_text

    if request.form.get("confirm") != "y":  # revoking cuts a platform off: a second, explicit yes first
        flash(gettext("Tick the box to confirm revoking the token."), "error")
        return redirect(url_for(back_to))
    try:
        with write_session(engine()) as session:
            tokens.revoke_token(session, principal(), clock.now(), token_id)
    except HubError as exc:
        flash(error_text(exc), "error")
    else:
        sockets.disconnect_token(token_id)
        flash(gettext("The token was revoked."), "success")
    return redirect(url_for(back_to))


def init_app(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = local_time
    app.jinja_env.filters["markdown"] = markdown.render
    app.jinja_env.filters["province"] = province_name
    app.jinja_env.globals.update(
        page_url=page_url,
        STATE_LABELS=STATE_LABELS,
        STATUS_LABELS=STATUS_LABELS,
        KIND_LABELS=KIND_LABELS,
        PRIORITY_LABELS=PRIORITY_LABELS,
        PLATFORM_KIND_LABELS=PLATFORM_KIND_LABELS,
        ROLE_LABELS=ROLE_LABELS,
        VERIFICATION_LABELS=VERIFICATION_LABELS,
        EVENT_LABELS=EVENT_LABELS,
        may_issue=access.may_issue,
        may_read=access.may_read,
        is_admin=access.is_admin,
        is_platform_member=access.is_platform_member,
        PHASE_LABELS=PHASE_LABELS,
    )

    @app.context_processor
    def _page_context() -> dict[str, Any]:
        who = current_user.principal if current_user.is_authenticated else None
        return {"who": who, "lang": str(get_locale() or "vi")}
