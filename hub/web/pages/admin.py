"""Admin pages: organisations (register a platform, deactivate, reactivate), users (create, deactivate, reactivate,
sign out everywhere) and API tokens (revoke)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hub import clock, sockets
from hub.core import access, accounts, organisations, tokens, users
from hub.core.errors import HubError
from hub.db import read_session, write_session
from hub.models import OrgKind, PlatformKind, Role
from hub.web.forms import ConfirmForm, PlatformForm, UserForm, options
from hub.web.held import hold, restore
from hub.web.messages import error_note, error_text
from hub.web.pages.base import (
    PLATFORM_KIND_LABELS,
    ROLE_LABELS,
    allowed_if,
    bp,
    engine,
    int_arg,
    principal,
    province_choices,
    revoke_token,
)

admin_only = allowed_if(access.is_admin)


@bp.get("/admin")
@admin_only
def admin_home():
    return redirect(url_for("pages.admin_organisations"))


@bp.route("/admin/organisations", methods=["GET", "POST"])
@admin_only
def admin_organisations():
    form = PlatformForm()
    form.province.choices = options(province_choices())
    form.platform_kind.choices = options((k.value, PLATFORM_KIND_LABELS[k.value]) for k in PlatformKind)
    if request.method == "POST":
        if form.validate_on_submit():
            domains = [d.strip() for d in (form.domains.data or "").split(",") if d.strip()]
            try:
                with write_session(engine()) as session:
                    org = organisations.create_organisation(
                        session,
                        principal(),
                        clock.now(),
                        kind=OrgKind.PLATFORM,
                        code=form.code.data.strip(),
                        name=form.name.data.strip(),
                        province=form.province.data,
                        platform_kind=PlatformKind(form.platform_kind.data),
                        licence_no=form.licence_no.data or None,
                        domains=domains,
                    )
            except HubError as exc:
                form.form_errors.append(error_note(exc))
            else:
                flash(_("Platform %(code)s registered.", code=org.code), "success")
                return redirect(url_for("pages.admin_organisations"))
        return hold(form, "pages.admin_organisations", "#register")
    status = 422 if restore(form) else 200
    kind = request.args.get("kind") if request.args.get("kind") in [k.value for k in OrgKind] else None
    q = (request.args.get("q") or "").strip()[:100] or None
    with read_session(engine()) as session:
        page = organisations.list_organisations(session, principal(), kind=kind, q=q, page=int_arg("page", 1))
    return render_template("admin/organisations.html", form=form, page=page, kind=kind or "", q=q or ""), status


@bp.route("/admin/users", methods=["GET", "POST"])
@admin_only
def admin_users():
    form = UserForm()
    form.role.choices = options((r.value, ROLE_LABELS[r.value]) for r in Role)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                with write_session(engine()) as session:
                    org = organisations.get_org_by_code(session, form.org_code.data.strip())
                    user = users.create_user(
                        session,
                        principal(),
                        clock.now(),
                        org_id=org.id,
                        role=Role(form.role.data),
                        login=form.login.data.strip(),
                        display_name=form.display_name.data.strip(),
                        password=form.password.data,
                        email=form.email.data or None,
                    )
            except HubError as exc:
                form.form_errors.append(error_note(exc))
            else:
                flash(_("User %(login)s created.", login=user.login), "success")
                return redirect(url_for("pages.admin_users"))
        return hold(form, "pages.admin_users", "#create")
    status = 422 if restore(form) else 200
    q = (request.args.get("q") or "").strip()[:100] or None
    with read_session(engine()) as session:
        page = users.list_users(session, principal(), q=q, page=int_arg("page", 1))
    page_html = render_template("admin/users.html", form=form, page=page, q=q or "", roles_for=_roles_for)
    return page_html, status


def _roles_for(kind: str) -> list[str]:
    """The roles a user of an organisation of this kind may hold, for the role picker."""
    return [r.value for r in Role if r in users.ROLES_BY_KIND[OrgKind(kind)]]


def _account_action(change: Callable, done: str, back_to: str):
    """Apply one of the admin's account changes, cut the sockets it ended, say so, and go back to the list."""
    try:
        with write_session(engine()) as session:
            _row, ended = change(session, principal(), clock.now())
    except HubError as exc:
        flash(error_text(exc), "error")
    else:
        sockets.cut(ended)
        flash(done, "success")
    return redirect(url_for(back_to))


@bp.post("/admin/users/<int:user_id>/<any(deactivate, reactivate):action>")
@admin_only
def admin_user_active(user_id: int, action: str):
    active = action == "reactivate"
    done = _("The user was reactivated.") if active else _("The user was deactivated and signed out.")
    return _account_action(partial(accounts.set_user_active, user_id=user_id, active=active), done, "pages.admin_users")


@bp.post("/admin/users/<int:user_id>/role")
@admin_only
def admin_user_role(user_id: int):
    change = partial(accounts.set_role, user_id=user_id, role=request.form.get("role", ""))
    return _account_action(change, _("The role was changed; the user's sessions ended."), "pages.admin_users")


@bp.post("/admin/users/<int:user_id>/reset-password")
@admin_only
def admin_user_reset_password(user_id: int):
    """A temporary password, shown once on this answer (never stored in clear, never logged)."""
    try:
        with write_session(engine()) as session:
            user, temporary, ended = accounts.reset_password(session, principal(), clock.now(), user_id)
            login = user.login
    except HubError as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("pages.admin_users"))
    sockets.cut(ended)
    page = render_template("admin/password_reset.html", login=login, temporary=temporary)
    return page, 200, {"Cache-Control": "no-store"}


@bp.post("/admin/users/<int:user_id>/sign-out")
@admin_only
def admin_user_sign_out(user_id: int):
    change = partial(accounts.sign_out_everywhere, user_id=user_id)
    return _account_action(change, _("The user was signed out everywhere."), "pages.admin_users")


@bp.post("/admin/organisations/<int:org_id>/<any(deactivate, reactivate):action>")
@admin_only
def admin_organisation_active(org_id: int, action: str):
    active = action == "reactivate"
    done = _("The organisation was reactivated.") if active else _("The organisation was deactivated.")
    change = partial(accounts.set_org_active, org_id=org_id, active=active)
    return _account_action(change, done, "pages.admin_organisations")


@bp.get("/admin/tokens")
@admin_only
def admin_tokens():
    with read_session(engine()) as session:
        page = tokens.tokens_page(session, principal(), page=int_arg("page", 1))
    return render_template("admin/tokens.html", page=page, confirm_form=ConfirmForm())


@bp.post("/admin/tokens/<int:token_id>/revoke")
@admin_only
def admin_revoke_token(token_id: int):
    return revoke_token(token_id, "pages.admin_tokens")
