"""Admin pages: organisations (register a platform), users (create) and API tokens (revoke)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hub import clock
from hub.core import registry, views
from hub.core.errors import HubError
from hub.db import read_session, write_session
from hub.models import OrgKind, PlatformKind, Role
from hub.web.forms import ConfirmForm, PlatformForm, UserForm, options
from hub.web.pages.base import (
    PLATFORM_KIND_LABELS,
    ROLE_LABELS,
    bp,
    engine,
    int_arg,
    principal,
    province_choices,
    revoke_token,
    roles_required,
)
from hub.web.pages.messages import error_text

admin_only = roles_required(Role.ADMIN, platform=False)


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
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            domains = [d.strip() for d in (form.domains.data or "").split(",") if d.strip()]
            try:
                with write_session(engine()) as session:
                    org = registry.create_organisation(
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
                form.form_errors.append(error_text(exc))
            else:
                flash(_("Platform %(code)s registered.", code=org.code), "success")
                return redirect(url_for("pages.admin_organisations"))
    kind = request.args.get("kind") if request.args.get("kind") in [k.value for k in OrgKind] else None
    q = (request.args.get("q") or "").strip()[:100] or None
    with read_session(engine()) as session:
        page = views.organisations_page(session, principal(), kind=kind, q=q, page=int_arg("page", 1))
    return render_template("admin/organisations.html", form=form, page=page, kind=kind or "", q=q or ""), status


@bp.route("/admin/users", methods=["GET", "POST"])
@admin_only
def admin_users():
    form = UserForm()
    form.role.choices = options((r.value, ROLE_LABELS[r.value]) for r in Role)
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                with write_session(engine()) as session:
                    org = registry.get_org_by_code(session, form.org_code.data.strip())
                    user = registry.create_user(
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
                form.form_errors.append(error_text(exc))
            else:
                flash(_("User %(login)s created.", login=user.login), "success")
                return redirect(url_for("pages.admin_users"))
    q = (request.args.get("q") or "").strip()[:100] or None
    with read_session(engine()) as session:
        page = views.users_page(session, principal(), q=q, page=int_arg("page", 1))
    return render_template("admin/users.html", form=form, page=page, q=q or ""), status


@bp.get("/admin/tokens")
@admin_only
def admin_tokens():
    with read_session(engine()) as session:
        page = views.tokens_page(session, principal(), page=int_arg("page", 1))
    return render_template("admin/tokens.html", page=page, confirm_form=ConfirmForm())


@bp.post("/admin/tokens/<int:token_id>/revoke")
@admin_only
def admin_revoke_token(token_id: int):
    return revoke_token(token_id, "pages.admin_tokens")
