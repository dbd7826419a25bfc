"""Hole 5: sessions that can really be ended. Signing out, a password change, deactivating a user or an
organisation and an admin's "sign out everywhere" end sessions on the server (a copied cookie stops working), and
the live sockets opened with them are cut; sessions lapse after their idle and absolute limits."""

from __future__ import annotations

import dataclasses
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from sqlmodel import select

from hub import clock
from hub.core import sessions, tokens
from hub.core.access import SYSTEM
from hub.core.errors import Unauthenticated
from hub.core.sessions import SessionPolicy
from hub.db import read_session, write_session
from hub.models import Event, OrgKind, Role, User
from tests import factories as f
from tests.conftest import T0
from tests.e2e import sockclient
from tests.e2e.hubproc import wait_until
from tests.e2e.world import World, api, create_pg_database, drop_pg_database, need_redis

CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')
COOKIE = "session"


class Browser:
    """A test client that signs in through the login form and sends the page's CSRF token with its forms."""

    def __init__(self, app) -> None:
        self.client = app.test_client()

    def token(self, path: str = "/login") -> str:
        return CSRF_RE.search(self.client.get(path).text).group(1)

    def sign_in(self, login: str, password: str = f.PASSWORD):
        return self.client.post("/login", data={"login": login, "password": password, "csrf_token": self.token()})

    def post(self, path: str, data: dict | None = None, form_page: str = "/account/password"):
        return self.client.post(path, data={**(data or {}), "csrf_token": self.token(form_page)})

    def signed_in(self) -> bool:
        """What a person notices: the API answers as somebody, or as nobody (401)."""
        status = self.client.get("/api/v1/directives").status_code
        assert status in (200, 401)
        return status == 200


def login_of(principal) -> str:
    return principal.label.removeprefix("user:")


@pytest.fixture
def people(app):
    engine, now = app.extensions["hub"].engine, clock.now()
    regulator = f.org(engine, now, OrgKind.REGULATOR)
    platform = f.org(engine, now, OrgKind.PLATFORM, "HNI")
    return {
        "engine": engine,
        "admin": f.user(engine, now, regulator, Role.ADMIN),
        "officer": f.user(engine, now, regulator, Role.OFFICER),
        "platform": platform,
        "editor": f.user(engine, now, platform, Role.EDITOR),
    }


def admin_browser(app, people) -> Browser:
    admin = Browser(app)
    assert admin.sign_in(login_of(people["admin"])).status_code == 302
    return admin


def events(engine, kind: str) -> list[Event]:
    with read_session(engine) as session:
        return list(session.exec(select(Event).where(Event.kind == kind)))


def test_a_copied_cookie_answers_as_signed_out_after_logout(app, people):
    browser = Browser(app)
    assert browser.sign_in(login_of(people["officer"])).status_code == 302
    thief = app.test_client()
    thief.set_cookie(COOKIE, browser.client.get_cookie(COOKIE).value)
    assert thief.get("/api/v1/directives").status_code == 200
    assert browser.post("/logout").status_code == 302
    assert thief.get("/api/v1/directives").status_code == 401
    assert thief.get("/console").headers["Location"].startswith("/login")


def test_signing_in_again_after_logout_works_and_gives_a_new_session(app, people):
    browser = Browser(app)
    browser.sign_in(login_of(people["officer"]))
    first = browser.client.get_cookie(COOKIE).value
    browser.post("/logout")
    assert not browser.signed_in()
    browser.sign_in(login_of(people["officer"]))
    assert browser.signed_in() and browser.client.get_cookie(COOKIE).value != first


def test_a_password_change_ends_the_other_session_and_keeps_this_one(app, people):
    here, elsewhere = Browser(app), Browser(app)
    for browser in (here, elsewhere):
        browser.sign_in(login_of(people["officer"]))
    new = {"current": f.PASSWORD, "new": "a-brand-new-password", "confirm": "a-brand-new-password"}
    assert here.post("/account/password", new).status_code == 302
    assert here.signed_in()
    assert not elsewhere.signed_in()
    assert elsewhere.sign_in(login_of(people["officer"]), "a-brand-new-password").status_code == 302


def test_a_deactivated_user_is_signed_out_cannot_sign_in_and_its_token_stops_working(app, people):
    engine = people["engine"]
    with write_session(engine) as session:
        _, secret = tokens.issue_token(session, SYSTEM, clock.now(), label="cms", user_id=people["editor"].user_id)
    editor = Browser(app)
    editor.sign_in(login_of(people["editor"]))
    admin = admin_browser(app, people)
    page = "/admin/users"
    assert admin.post(f"/admin/users/{people['editor'].user_id}/deactivate", form_page=page).status_code == 302
    assert not editor.signed_in()
    assert editor.sign_in(login_of(people["editor"])).status_code == 401
    bearer = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/v1/inbox", headers=bearer).status_code == 401
    assert [e.details["name"] for e in events(engine, "user_deactivated")] == [login_of(people["editor"])]
    assert admin.post(f"/admin/users/{people['editor'].user_id}/reactivate", form_page=page).status_code == 302
    assert editor.sign_in(login_of(people["editor"])).status_code == 302
    assert app.test_client().get("/api/v1/inbox", headers=bearer).status_code == 200
    assert len(events(engine, "user_reactivated")) == 1


def test_a_deactivated_platform_loses_its_sessions_and_machine_tokens_until_reactivated(app, people):
    engine, platform = people["engine"], people["platform"]
    _, machine = f.machine(engine, clock.now(), platform)
    bearer = {"Authorization": f"Bearer {machine}"}
    editor = Browser(app)
    editor.sign_in(login_of(people["editor"]))
    admin = admin_browser(app, people)
    answer = admin.client.post(
        f"/api/v1/organisations/{platform.id}/deactivate", headers={"X-CSRFToken": admin.token("/admin/users")}
    )
    assert answer.status_code == 200 and answer.get_json()["active"] is False
    assert not editor.signed_in()
    assert editor.sign_in(login_of(people["editor"])).status_code == 401
    refused = app.test_client().get("/api/v1/inbox", headers=bearer)
    assert refused.status_code == 401 and refused.get_json()["error"] == "unauthenticated"
    assert len(events(engine, "organisation_deactivated")) == 1
    admin.post(f"/admin/organisations/{platform.id}/reactivate", form_page="/admin/organisations")
    assert app.test_client().get("/api/v1/inbox", headers=bearer).status_code == 200


def test_sign_out_everywhere_ends_every_session_and_personal_token_and_is_logged(app, people):
    engine, officer = people["engine"], people["officer"]
    with write_session(engine) as session:
        _, secret = tokens.issue_token(session, SYSTEM, clock.now(), label="script", user_id=officer.user_id)
    browsers = [Browser(app), Browser(app)]
    for browser in browsers:
        browser.sign_in(login_of(officer))
    admin = admin_browser(app, people)
    assert admin.post(f"/admin/users/{officer.user_id}/sign-out", form_page="/admin/users").status_code == 302
    assert not any(b.signed_in() for b in browsers)
    assert app.test_client().get("/api/v1/directives", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    [logged] = events(engine, "signed_out_everywhere")
    assert logged.details["sessions"] == 2 and logged.actor == people["admin"].label
    # Signing in again works; the API does the same for an admin's token.
    browsers[0].sign_in(login_of(officer))
    with write_session(engine) as session:
        _, admin_token = tokens.issue_token(session, SYSTEM, clock.now(), label="a", user_id=people["admin"].user_id)
    answer = app.test_client().post(
        f"/api/v1/users/{officer.user_id}/sign-out", headers={"Authorization": f"Bearer {admin_token}"}
    )
    assert answer.status_code == 200 and answer.get_json()["login"] == login_of(officer)
    assert not browsers[0].signed_in()
    assert len(events(engine, "signed_out_everywhere")) == 2


def test_only_an_admin_may_end_other_peoples_sessions_and_not_its_own_standing(app, people):
    engine = people["engine"]
    with write_session(engine) as session:
        _, officer_token = tokens.issue_token(session, SYSTEM, T0, label="o", user_id=people["officer"].user_id)
        _, admin_token = tokens.issue_token(session, SYSTEM, T0, label="a", user_id=people["admin"].user_id)
    client = app.test_client()
    as_officer = {"Authorization": f"Bearer {officer_token}"}
    refused = client.post(f"/api/v1/users/{people['editor'].user_id}/deactivate", headers=as_officer)
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
    as_admin = {"Authorization": f"Bearer {admin_token}"}
    itself = client.post(f"/api/v1/users/{people['admin'].user_id}/deactivate", headers=as_admin)
    assert itself.status_code == 409 and itself.get_json()["error"] == "conflict"
    own_org = client.post(f"/api/v1/organisations/{people['admin'].org_id}/deactivate", headers=as_admin)
    assert own_org.status_code == 409
    missing = client.post("/api/v1/users/999999/sign-out", headers=as_admin)
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    assert client.get("/api/v1/inbox", headers=as_admin).status_code != 401  # the admin is still active


POLICY = SessionPolicy(idle=timedelta(hours=8), absolute=timedelta(days=7))


def test_a_session_lapses_after_its_idle_limit_and_its_absolute_lifetime(engine):
    org = f.org(engine, T0, OrgKind.REGULATOR)
    who = f.user(engine, T0, org, Role.OFFICER)
    with write_session(engine) as session:
        row, key = sessions.begin(session, session.get(User, who.user_id), T0)
        session_id = row.id

    def live_at(when) -> bool:
        with read_session(engine) as session:
            try:
                sessions.resolve(session, key, who.user_id, when, POLICY)
            except Unauthenticated:
                return False
            return True

    def lapsed_at(when) -> list:
        with read_session(engine) as session:
            return sessions.lapsed(session, {"socket": dataclasses.replace(who, session_id=session_id)}, when, POLICY)

    assert live_at(T0 + timedelta(hours=7, minutes=59)) and lapsed_at(T0 + timedelta(hours=7)) == []
    assert not live_at(T0 + timedelta(hours=8, minutes=1)) and lapsed_at(T0 + timedelta(hours=9)) == ["socket"]
    # Used every few hours, it still ends seven days after sign-in.
    when = T0
    while when < T0 + timedelta(days=7) - timedelta(hours=4):
        when += timedelta(hours=4)
        assert live_at(when)
        with write_session(engine) as session:
            sessions.touch(session, session_id, when)
    assert live_at(T0 + timedelta(days=6, hours=23))
    assert not live_at(T0 + timedelta(days=7, minutes=1))
    assert lapsed_at(T0 + timedelta(days=7, minutes=1)) == ["socket"]


# Live sockets against real hub processes; where their periodic check is slow (60 s), a quick cut is the change's.


class LiveBrowser:
    """A person's browser against a real hub: cookies kept, forms sent with the page's CSRF token."""

    def __init__(self, hub) -> None:
        self.hub = hub
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def open(self, path: str, form: dict | None = None) -> int:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.hub.url + path, data=data, timeout=30) as response:
                self.last_page = response.read().decode()
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def post(self, path: str, form: dict | None = None, form_page: str = "/account/password") -> int:
        self.open(form_page)
        return self.open(path, {**(form or {}), "csrf_token": CSRF_RE.search(self.last_page).group(1)})

    def sign_in(self, principal) -> LiveBrowser:
        assert self.post("/login", {"login": login_of(principal), "password": f.PASSWORD}, "/login") == 302
        return self

    @property
    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar if c.name == COOKIE)

    def console(self) -> sockclient.Recorder:
        return sockclient.console(self.hub.url, self.cookie)

    def platform(self) -> sockclient.Recorder:
        return sockclient.Recorder("/platform", sockclient.PLATFORM_EVENTS).connect(self.hub.url, cookie=self.cookie)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("sessions")
    world = World(base / "instance", f"sqlite:///{base / 'hub.sqlite3'}")
    yield world
    world.close()


@pytest.fixture(scope="module")
def hub(world):
    return world.hub(HUB_HEAD_INTERVAL="60", HUB_CREDENTIAL_CHECK="60")


def cut_soon(client: sockclient.Recorder) -> bool:
    return client.disconnected.wait(3)


@pytest.mark.slow
def test_logout_cuts_the_console_and_platform_sockets_of_that_session_and_no_other(world, hub):
    platform = world.platform()
    officer, editor = world.officer, world.editor(platform)
    leaving, staying = LiveBrowser(hub).sign_in(officer), LiveBrowser(hub).sign_in(officer)
    editor_browser = LiveBrowser(hub).sign_in(editor)
    console, witness, inbox = leaving.console(), staying.console(), editor_browser.platform()
    inbox.wait_for("head")
    assert leaving.post("/logout") == 302
    assert cut_soon(console)
    assert editor_browser.post("/logout") == 302
    assert cut_soon(inbox)
    world.publish(hub, {"platforms": [platform.org.code]}, title="After logout")
    wait_until(lambda: witness.events("published"), message="the publication on the console still signed in")
    assert console.events("published") == [] and inbox.events("directive") == []
    assert not sockclient.Recorder("/console", ()).try_connect(hub.url, cookie=leaving.cookie)
    witness.close()


@pytest.mark.slow
def test_a_password_change_cuts_the_other_sessions_sockets_and_keeps_its_own(world, hub):
    officer = f.user(world.engine, clock.now(), world.regulator, Role.OFFICER)
    here, there = LiveBrowser(hub).sign_in(officer), LiveBrowser(hub).sign_in(officer)
    mine, theirs = here.console(), there.console()
    new = {"current": f.PASSWORD, "new": "another-long-password", "confirm": "another-long-password"}
    assert here.post("/account/password", new) == 302
    assert cut_soon(theirs)
    assert mine.connected
    mine.close()


@pytest.mark.slow
def test_sign_out_everywhere_cuts_session_and_personal_token_sockets(world, hub):
    manager = f.user(world.engine, clock.now(), world.hanoi_dept, Role.MANAGER)
    with write_session(world.engine) as session:
        _, secret = tokens.issue_token(session, SYSTEM, clock.now(), label="wall", user_id=manager.user_id)
    by_session = LiveBrowser(hub).sign_in(manager).console()
    by_token = sockclient.Recorder("/console", sockclient.CONSOLE_EVENTS).connect(hub.url, auth={"token": secret})
    api(hub, "POST", f"/api/v1/users/{manager.user_id}/sign-out", world.admin_token, {})
    assert cut_soon(by_session) and cut_soon(by_token)


@pytest.mark.slow
def test_deactivating_a_user_cuts_its_sockets(world, hub):
    platform = world.platform()
    editor = world.editor(platform)
    inbox = LiveBrowser(hub).sign_in(editor).platform()
    inbox.wait_for("head")
    api(hub, "POST", f"/api/v1/users/{editor.user_id}/deactivate", world.admin_token, {})
    assert cut_soon(inbox)


@pytest.mark.slow
def test_deactivating_a_platform_cuts_its_machine_and_editor_sockets_and_refuses_its_token(world, hub):
    platform = world.platform()
    machine = sockclient.platform(hub.url, platform.token)
    editor_inbox = LiveBrowser(hub).sign_in(world.editor(platform)).platform()
    other = world.platform()
    witness = sockclient.platform(hub.url, other.token)
    for client in (machine, editor_inbox, witness):
        client.wait_for("head")
    api(hub, "POST", f"/api/v1/organisations/{platform.org.id}/deactivate", world.admin_token, {})
    assert cut_soon(machine) and cut_soon(editor_inbox)
    refused = sockclient.Recorder("/platform", ())
    assert not refused.try_connect(hub.url, auth={"token": platform.token})
    assert refused.refused["message"] == "unauthenticated: the token's organisation is inactive"
    assert witness.connected
    witness.close()


@pytest.mark.slow
def test_sockets_of_a_session_that_reached_its_idle_limit_are_cut_by_the_periodic_check(world):
    idle_hub = world.hub(HUB_SESSION_IDLE="3", HUB_CREDENTIAL_CHECK="1")
    officer = f.user(world.engine, clock.now(), world.regulator, Role.OFFICER)
    console = LiveBrowser(idle_hub).sign_in(officer).console()
    assert console.connected
    assert console.disconnected.wait(8)


@pytest.fixture(scope="module")
def two_hubs(tmp_path_factory):
    """Two hub processes sharing a PostgreSQL database and a Redis queue; their periodic check is slow."""
    queue = need_redis()
    url = create_pg_database()
    shared = World(tmp_path_factory.mktemp("sessions-two") / "instance", url, message_queue=queue)
    yield shared, shared.start_hubs(2, HUB_HEAD_INTERVAL="60", HUB_CREDENTIAL_CHECK="60")
    shared.close()
    drop_pg_database(url)


@pytest.mark.slow
def test_ending_a_session_or_an_organisation_in_one_process_cuts_sockets_held_by_the_other(two_hubs):
    shared, (a, b) = two_hubs
    browser = LiveBrowser(a).sign_in(shared.officer)
    console_on_b = sockclient.console(b.url, browser.cookie)
    platform = shared.platform()
    machine_on_b = sockclient.platform(b.url, platform.token)
    machine_on_b.wait_for("head")
    assert browser.post("/logout") == 302
    assert cut_soon(console_on_b)
    api(a, "POST", f"/api/v1/organisations/{platform.org.id}/deactivate", shared.admin_token, {})
    assert cut_soon(machine_on_b)
