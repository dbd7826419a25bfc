"""A NUL (which PostgreSQL refuses in text) or an unpaired surrogate in any page form or query-string filter is
refused at the edge with a message (the form's, or a 400 page), on SQLite and PostgreSQL alike: never a 500, and
nothing is written."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hub import clock
from hub.core import deliveries, questions
from hub.db import read_session, write_session
from hub.models import Delivery, Event, OrgKind, Role, User
from tests import factories as f
from tests.security.conftest import Browser

MESSAGE = "The text contains a character that is not allowed"
NUL = "bad\x00text"


@pytest.fixture
def site(app) -> dict:
    """A regulator (admin, officer, manager), platform P-NUL in Hanoi with an editor, a directive to all platforms
    and the platform's question on it."""
    engine, now = app.extensions["hub"].engine, clock.now()
    regulator = f.org(engine, now, OrgKind.REGULATOR)
    platform = f.org(engine, now, OrgKind.PLATFORM, "HNI", code="P-NUL")
    people = {
        role: f.user(engine, now, org, role) for org, role in ((regulator, Role.ADMIN), (regulator, Role.OFFICER))
    }
    people[Role.MANAGER] = f.user(engine, now, regulator, Role.MANAGER)
    people[Role.EDITOR] = f.user(engine, now, platform, Role.EDITOR)
    directive = f.published(engine, now, people[Role.OFFICER], {"all": True}).directive
    machine, _ = f.machine(engine, now, platform)
    with write_session(engine) as s:
        question = questions.ask(s, machine, now, directive.id, "which items?").question
        deliveries.set_status(s, machine, now, directive.id, "implemented", "done")
    with read_session(engine) as s:
        logins = {role.value: s.get(User, p.user_id).login for role, p in people.items()}
        delivery = s.scalars(sa.select(Delivery.id).where(Delivery.directive_id == directive.id)).one()
    return {
        "logins": logins,
        "ids": {"d": directive.id, "q": question.id, "p": platform.id, "dl": delivery},
        "engine": engine,
    }


def signed_in(app, site, role: str) -> Browser:
    browser = Browser(app)
    assert browser.login(site["logins"][role]).status_code == 302
    return browser


def written(engine) -> int:
    """Every change the hub makes leaves a log event: their count shows whether anything was written."""
    with read_session(engine) as s:
        return s.scalar(sa.select(sa.func.count()).select_from(Event))


COMPOSE = {"kind": "directive", "title": "Tiêu đề", "body": "Nội dung.", "priority": "routine", "audience_all": "y"}
FORMS = [
    ("officer", "/console/new", {**COMPOSE, "title": NUL, "action": "publish"}),
    ("officer", "/console/new", {**COMPOSE, "body": NUL, "action": "draft"}),
    ("officer", "/console/new", {**COMPOSE, "audience_all": "", "platforms": "P-NUL\x00", "action": "publish"}),
    ("officer", "/console/directives/{d}/amend", {**COMPOSE, "legal_basis": NUL, "confirm_amend": "y"}),
    ("officer", "/console/directives/{d}/revoke", {"reason": NUL, "confirm": "y"}),
    ("officer", "/console/questions/{q}/answer", {"text": NUL, "directive_id": "{d}"}),
    ("officer", "/console/deliveries/{dl}/review", {"verdict": "returned", "note": NUL, "directive_id": "{d}"}),
    ("officer", "/console/platforms/{p}/rectify", {"title": NUL, "body": "Sửa.", "priority": "routine"}),
    ("editor", "/inbox/{d}/status", {"state": "declined", "report": NUL}),
    ("editor", "/inbox/{d}/question", {"text": NUL}),
    (
        "editor",
        "/inbox/ratio",
        {
            "month": "2026-01",
            "items_published": "10",
            "negative_items": "1",
            "note": NUL,
        },
    ),
    ("editor", "/inbox/tokens", {"label": NUL}),
    (
        "admin",
        "/admin/organisations",
        {"code": "P-\x00X", "name": "Báo", "province": "HNI", "platform_kind": "news_site"},
    ),
    (
        "admin",
        "/admin/users",
        {
            "org_code": "P-NUL",
            "role": "editor",
            "login": "new\x00user",
            "display_name": "N",
            "password": "long-enough-password",
        },
    ),
    (
        "manager",
        "/account/password",
        {"current": NUL, "new": "another-long-password", "confirm": "another-long-password"},
    ),
]


@pytest.mark.parametrize(("who", "path", "data"), FORMS, ids=[f"{w}:{p}:{sorted(d)[0]}" for w, p, d in FORMS])
def test_a_nul_in_a_form_gets_a_message_and_writes_nothing(app, site, who, path, data):
    ids = site["ids"]
    browser = signed_in(app, site, who)
    form_page = (
        path.format(**ids) if "/answer" not in path and "/review" not in path else f"/console/directives/{ids['d']}"
    )
    if path.startswith("/inbox/{d}/"):
        form_page = f"/inbox/{ids['d']}"
    before = written(site["engine"])
    response = browser.post(path.format(**ids), {k: v.format(**ids) for k, v in data.items()}, form_page=form_page)
    assert response.status_code < 500
    page = response.text if response.status_code != 302 else browser.get(response.headers["Location"]).text
    assert MESSAGE in page
    assert written(site["engine"]) == before


def test_a_nul_in_the_login_form_gets_a_message_and_logs_no_failure(app, site):
    before = written(site["engine"])
    response = Browser(app).login("offi\x00cer", "whatever")
    assert response.status_code == 422
    assert MESSAGE in response.text
    assert written(site["engine"]) == before


QUERIES = [
    ("officer", "/console?q=a%00b"),
    ("officer", "/console?status=%00"),
    ("officer", "/console/audience-count?platforms=P-NUL%00"),
    ("officer", "/console/directives/{d}?q=%00"),
    ("officer", "/console/directives/{d}/table?province=%00"),
    ("officer", "/console/escalations?page=1%00"),
    ("manager", "/dashboard?province=%00"),
    ("manager", "/dashboard/log?kind=a%00"),
    ("manager", "/dashboard/log.csv?directive=%00"),
    ("editor", "/inbox?state=%00"),
    ("admin", "/admin/organisations?q=%00"),
    ("admin", "/admin/users?q=x%00"),
    ("admin", "/admin/tokens?q%00=1"),
]


@pytest.mark.parametrize(("who", "path"), QUERIES)
def test_a_nul_in_a_query_string_filter_is_a_400_with_a_message(app, site, who, path):
    response = signed_in(app, site, who).get(path.format(**site["ids"]))
    assert response.status_code == 400
    assert MESSAGE in response.text


def test_a_nul_in_the_sign_in_redirect_is_a_400(app, site):
    response = Browser(app).get("/login?next=/console%00")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        "title=%ED%A0%80x",  # a lone surrogate, percent-encoded as CESU-8 would
        "title=" + "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
    ],
)
def test_a_lone_surrogate_never_reaches_the_database(app, site, body):
    browser = signed_in(app, site, "officer")
    token = browser.token("/console/new")
    raw = f"{body}&body=x&kind=directive&priority=routine&audience_all=y&action=draft&csrf_token={token}"
    response = browser.client.post(
        "/console/new", data=raw.encode("latin-1"), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code < 500
    with read_session(site["engine"]) as s:
        titles = s.scalars(sa.text("SELECT title FROM directive")).all()
    assert not [t for t in titles if any(0xD800 <= ord(c) <= 0xDFFF for c in t)]
