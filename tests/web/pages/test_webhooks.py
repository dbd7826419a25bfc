"""The webhook pages: an editor registers its platform's webhook and sees the secret once; the admin sees every
webhook, a disabled one flagged, and may give the allowances only it may give; bad input gets a form message."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from hub.db import read_session, write_session
from hub.models import Webhook
from tests.web.pages.visitor import signed_in

PUBLIC = "https://93.184.216.34/hook"


def hooks(engine) -> list[Webhook]:
    with read_session(engine) as s:
        return list(s.exec(select(Webhook)))


def test_an_editor_registers_a_webhook_and_the_secret_is_shown_once(app, site):
    editor = signed_in(app, site, "editor1")
    page = editor.post("/inbox/webhook", {"url": PUBLIC})
    assert page.status_code == 201 and "whsec_" in page.text and "Copy the secret now" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    again = editor.get("/inbox/webhook")
    assert PUBLIC in again.text and "whsec_" + "x" not in again.text
    secret_shown = page.text.split('id="webhook-secret">')[1].split("<")[0]
    assert secret_shown not in again.text
    hook = hooks(site["engine"])[0]
    rotated = editor.post(f"/webhooks/{hook.id}/rotate", form_page="/inbox/webhook")
    assert rotated.status_code == 200 and 'id="webhook-secret"' in rotated.text and secret_shown not in rotated.text


def test_an_editor_is_refused_internal_addresses_with_a_message(app, site):
    editor = signed_in(app, site, "editor1")
    page = editor.post("/inbox/webhook", {"url": "https://10.0.0.8/x"})
    assert page.status_code == 422 and "internal address" in page.text, page.text
    assert editor.post("/inbox/webhook", {"url": ""}).status_code == 422
    assert hooks(site["engine"]) == []


def test_the_admin_allows_a_loopback_receiver_and_sees_a_disabled_webhook(app, site):
    admin = signed_in(app, site, "admin")
    p2 = site["platforms"][1]
    data = {"platform": str(p2.id), "url": "http://127.0.0.1:9/x", "allow_internal": "y", "allow_http": "y"}
    assert admin.post("/admin/webhooks", data).status_code == 201
    with write_session(site["engine"]) as s:
        hook = s.exec(select(Webhook)).one()
        hook.active, hook.disabled_at, hook.disabled_reason = False, datetime.now(UTC), "failing since then: refused"
        s.add(hook)
    page = admin.get("/admin/webhooks")
    assert "1 webhook is disabled" in page.text and "P-HN2" in page.text
    resumed = admin.post(f"/webhooks/{hook.id}/send-again", form_page="/admin/webhooks")
    assert resumed.status_code == 302 and hooks(site["engine"])[0].active


def test_the_pages_speak_vietnamese(app, site):
    editor = signed_in(app, site, "editor1")
    editor.client.set_cookie("lang", "vi")
    page = editor.get("/inbox/webhook")
    assert page.status_code == 200 and "Đăng ký webhook" in page.text


def test_who_may_open_the_pages(app, site):
    assert signed_in(app, site, "officer").get("/admin/webhooks").status_code == 403
    assert signed_in(app, site, "manager").get("/inbox/webhook").status_code == 403
    editor3 = signed_in(app, site, "editor3")
    admin = signed_in(app, site, "admin")
    admin.post("/admin/webhooks", {"platform": str(site["platforms"][0].id), "url": PUBLIC})
    hook = hooks(site["engine"])[0]
    editor3.post(f"/webhooks/{hook.id}/remove", form_page="/inbox/webhook")
    assert len(hooks(site["engine"])) == 1
