"""The pages, driven through the HTTP test client with CSRF on: who may open what, and forms refusing bad input
with a clear message while saving nothing."""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlmodel import select

from hub import clock, create_app
from hub.core import users
from hub.db import make_engine, read_session
from hub.models import ApiToken, Delivery, Directive, DirectiveStatus, Organisation, OrgKind, PlatformKind, Role, User
from tests import factories as f

CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


class Browser:
    """A test client that signs in like a person and sends the page's CSRF token with its forms."""

    def __init__(self, app) -> None:
        self.app = app
        self.client = app.test_client()
        self.client.set_cookie("lang", "en")

    def token(self, path: str = "/login") -> str:
        return CSRF_RE.search(self.client.get(path).text).group(1)

    def login(self, login: str, password: str = f.PASSWORD):
        return self.client.post("/login", data={"login": login, "password": password, "csrf_token": self.token()})

    def get(self, path: str, **kw):
        return self.client.get(path, **kw)

    def post(self, path: str, data: dict | None = None, *, csrf: bool = True, form_page: str | None = None):
        data = dict(data or {})
        if csrf:
            data["csrf_token"] = self.token(form_page or path)
        response = self.client.post(path, data=data)
        if response.status_code == 303:  # a refused form: the browser is sent to the page that shows it again
            response = self.client.get(response.headers["Location"])
        return response


CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Passwords hashed and checked with the cheapest argon2 parameters, so that signing in costs no seconds; the
    rules around passwords are the same."""
    monkeypatch.setattr(users, "_hasher", CHEAP_HASHER)


@pytest.fixture(scope="session")
def site_template(tmp_path_factory, sqlite_template) -> tuple[Path, dict]:
    """A regulator, Hanoi and Da Nang departments, two platforms in Hanoi and one in Da Nang, and a user per role,
    built once (password hashing is slow on purpose) and copied for each test."""
    saved, users._hasher = users._hasher, CHEAP_HASHER
    path = tmp_path_factory.mktemp("web-site") / "hub.sqlite3"
    shutil.copy(sqlite_template, path)
    engine, now = make_engine(f"sqlite:///{path}"), clock.now()
    regulator = f.org(engine, now, OrgKind.REGULATOR)
    hni = f.org(engine, now, OrgKind.PROVINCE, "HNI")
    f.org(engine, now, OrgKind.PROVINCE, "DNG")
    p1 = f.org(engine, now, OrgKind.PLATFORM, "HNI", code="P-HN1")
    p2 = f.org(engine, now, OrgKind.PLATFORM, "HNI", code="P-HN2", platform_kind=PlatformKind.SOCIAL_NETWORK)
    p3 = f.org(engine, now, OrgKind.PLATFORM, "DNG", code="P-DN1")
    people = {
        "admin": f.user(engine, now, regulator, Role.ADMIN),
        "officer": f.user(engine, now, regulator, Role.OFFICER),
        "manager": f.user(engine, now, regulator, Role.MANAGER),
        "officer_hni": f.user(engine, now, hni, Role.OFFICER),
        "editor1": f.user(engine, now, p1, Role.EDITOR),
        "editor3": f.user(engine, now, p3, Role.EDITOR),
    }
    with read_session(engine) as s:
        logins = {key: s.get(User, p.user_id).login for key, p in people.items()}
    engine.dispose()
    users._hasher = saved
    return path, {"people": people, "logins": logins, "platforms": (p1, p2, p3)}


@pytest.fixture
def app(tmp_path, site_template):
    """A hub on its own copy of the site's database, CSRF on, scheduler off."""
    path = tmp_path / "hub.sqlite3"
    shutil.copy(site_template[0], path)
    app = create_app(
        {
            "instance_path": str(tmp_path / "instance"),
            "database_url": f"sqlite:///{path}",
            "scheduler_enabled": False,
            "TESTING": True,
        },
        environ=False,
    )
    yield app
    app.extensions["hub"].engine.dispose()


@pytest.fixture
def site(app, site_template) -> dict:
    return {**site_template[1], "engine": app.extensions["hub"].engine, "now": clock.now()}


def signed_in(app, site, who: str) -> Browser:
    browser = Browser(app)
    assert browser.login(site["logins"][who]).status_code == 302
    return browser


def count(engine, model, *where) -> int:
    with read_session(engine) as s:
        return s.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def compose_data(**overrides) -> dict:
    data = {"kind": "directive", "title": "Rà soát tin bài", "body": "Làm ngay.", "priority": "routine"}
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("who", "home"),
    [("officer", "/console"), ("editor1", "/inbox"), ("manager", "/dashboard"), ("admin", "/admin")],
)
def test_each_role_lands_on_its_own_home(app, site, who, home):
    response = Browser(app).login(site["logins"][who])
    assert response.status_code == 302
    assert response.headers["Location"] == home


@pytest.mark.parametrize(
    ("who", "forbidden"),
    [
        ("editor1", ["/console", "/console/new", "/dashboard", "/dashboard/log.csv", "/admin/users"]),
        ("manager", ["/console/new", "/console/escalations", "/inbox", "/admin/organisations"]),
        ("officer", ["/inbox", "/inbox/ratio", "/admin/tokens"]),
        ("admin", ["/inbox", "/inbox/tokens"]),
    ],
)
def test_each_role_is_refused_pages_not_meant_for_it(app, site, who, forbidden):
    browser = signed_in(app, site, who)
    for path in forbidden:
        response = browser.get(path)
        assert response.status_code == 403, path
        assert "This page is not for your role." in response.text


def test_anonymous_visitor_is_sent_to_sign_in(app, site):
    response = Browser(app).get("/console/new")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/console/new")


def test_wrong_password_shows_a_message_and_repeated_failures_delay_the_account(app, site):
    browser = Browser(app)
    for _ in range(5):
        response = browser.login(site["logins"]["officer"], "not-the-password")
        assert response.status_code == 401
        assert "Wrong login or password." in response.text
    blocked = browser.login(site["logins"]["officer"], f.PASSWORD)
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.text


def test_repeated_csv_exports_are_rate_limited_with_a_translated_message_and_retry_after(app, site):
    app.extensions["hub"].settings.limit_exports = "2/minute"
    browser = signed_in(app, site, "manager")
    assert [browser.get("/dashboard/log.csv").status_code for _ in range(2)] == [200, 200]
    blocked = browser.get("/dashboard/log.csv")
    assert blocked.status_code == 429
    assert re.search(r"Too many requests\. Try again in \d+ seconds\.", blocked.text)
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    browser.client.set_cookie("lang", "vi")
    assert "Quá nhiều yêu cầu" in browser.get("/dashboard/log.csv").text


def test_a_form_without_its_csrf_token_is_refused_and_saves_nothing(app, site):
    browser = signed_in(app, site, "officer")
    response = browser.post("/console/new", compose_data(action="publish", audience_all="y"), csrf=False)
    assert response.status_code == 400
    assert "missing its security token" in response.text
    assert count(site["engine"], Directive) == 0


def test_logout_needs_the_csrf_token_too(app, site):
    browser = signed_in(app, site, "officer")
    assert browser.post("/logout", csrf=False).status_code == 400
    assert browser.get("/console").status_code == 200
    assert browser.post("/logout", form_page="/console").status_code == 302
    assert browser.get("/console").status_code == 302


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"title": "x" * 301}, "Between 0 and 300 characters."),
        ({"body": ""}, "This field is required."),
        ({"ack_due_at": "2026-13-40T99:99"}, "Not a valid date and time."),
        ({"remind_interval_minutes": "often"}, "Not a whole number."),
        ({"priority": "whenever"}, "Not a valid choice."),
        ({"audience_all": "", "provinces": "XXX"}, "is not a valid choice"),
        ({"audience_all": ""}, "The audience is empty"),
        ({"audience_all": "", "platforms": "P-HN1, P-NOPE"}, "Unknown platforms: P-NOPE"),
    ],
)
def test_composer_refuses_bad_input_with_a_message_and_saves_nothing(app, site, overrides, message):
    browser = signed_in(app, site, "officer")
    data = compose_data(action="publish", audience_all="y")
    data.update(overrides)
    response = browser.post("/console/new", data)
    assert response.status_code == 422
    assert message in response.text
    assert count(site["engine"], Directive) == 0


def test_composer_refuses_deadlines_in_the_wrong_order(app, site):
    browser = signed_in(app, site, "officer")
    wall_clock = site["now"] + timedelta(hours=7)  # the form speaks Vietnam time
    sooner = (wall_clock + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    later = (wall_clock + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    data = compose_data(action="publish", audience_all="y", ack_due_at=later, implement_due_at=sooner)
    response = browser.post("/console/new", data)
    assert response.status_code == 422
    assert "The implementation deadline cannot be before the acknowledgement deadline." in response.text
    past = compose_data(action="schedule", audience_all="y", publish_at="2020-01-01T08:00")
    response = browser.post("/console/new", past)
    assert "The publication time must be in the future." in response.text
    assert count(site["engine"], Directive) == 0


def test_provincial_officer_cannot_address_another_province(app, site):
    browser = signed_in(app, site, "officer_hni")
    response = browser.post("/console/new", compose_data(action="publish", provinces="DNG"))
    assert response.status_code == 422
    assert count(site["engine"], Directive) == 0


def test_publishing_from_the_composer_delivers_to_the_province(app, site):
    browser = signed_in(app, site, "officer")
    response = browser.post("/console/new", compose_data(action="publish", provinces="HNI"))
    assert response.status_code == 302
    page = browser.get(response.headers["Location"])
    assert "Published to 2 platforms." in page.text
    assert "P-HN1" in page.text and "P-DN1" not in page.text
    assert count(site["engine"], Delivery) == 2


def test_saving_a_draft_then_publishing_it(app, site):
    browser = signed_in(app, site, "officer")
    response = browser.post("/console/new", compose_data(action="draft", audience_all="y"))
    directive_url = response.headers["Location"]
    assert count(site["engine"], Directive, Directive.status == DirectiveStatus.DRAFT) == 1
    assert count(site["engine"], Delivery) == 0
    browser.post(directive_url + "/publish", form_page=directive_url)
    assert count(site["engine"], Delivery) == 3


def test_audience_count_and_preview(app, site):
    browser = signed_in(app, site, "officer")
    assert browser.get("/console/audience-count?provinces=HNI").json["count"] == 2
    assert browser.get("/console/audience-count?platform_kinds=social_network").json["count"] == 1
    assert browser.get("/console/audience-count?all=1").json["count"] == 3
    assert browser.get("/console/audience-count").json["count"] == 0
    html = browser.post(
        "/console/preview",
        {"body": "**ok** <script>alert(1)</script> [x](javascript:alert(1)) [y](https://a.vn)"},
        form_page="/console/new",
    ).json["html"]
    assert "<strong>ok</strong>" in html
    assert "<script>" not in html and 'href="javascript' not in html
    assert 'rel="noopener noreferrer"' in html


def test_foreign_directive_is_not_found_for_a_province_or_another_platform(app, site):
    published = f.published(site["engine"], site["now"], site["people"]["officer"], {"provinces": ["DNG"]})
    directive_id = published.directive.id
    assert signed_in(app, site, "officer_hni").get(f"/console/directives/{directive_id}").status_code == 404
    assert signed_in(app, site, "editor1").get(f"/inbox/{directive_id}").status_code == 404
    assert signed_in(app, site, "editor3").get(f"/inbox/{directive_id}").status_code == 200


def test_revoking_needs_a_reason_and_a_confirmation(app, site):
    published = f.published(site["engine"], site["now"], site["people"]["officer"])
    path = f"/console/directives/{published.directive.id}/revoke"
    browser = signed_in(app, site, "officer")
    response = browser.post(path, {"reason": "Sai đối tượng"})
    assert response.status_code == 422
    assert "Tick the box to confirm." in response.text
    response = browser.post(path, {"reason": "", "confirm": "y"})
    assert "This field is required." in response.text
    assert count(site["engine"], Directive, Directive.status == DirectiveStatus.REVOKED) == 0
    assert browser.post(path, {"reason": "Sai đối tượng", "confirm": "y"}).status_code == 302
    assert count(site["engine"], Directive, Directive.status == DirectiveStatus.REVOKED) == 1


def test_editor_acknowledges_and_status_form_refuses_a_missing_report(app, site):
    published = f.published(site["engine"], site["now"], site["people"]["officer"])
    directive_id = published.directive.id
    browser = signed_in(app, site, "editor1")
    page = f"/inbox/{directive_id}"
    assert browser.post(page + "/acknowledge", form_page=page).status_code == 302
    response = browser.post(page + "/status", {"state": "implemented", "report": ""}, form_page=page)
    assert response.status_code == 422
    assert "Reporting implemented needs a report of what was done" in response.text
    response = browser.post(page + "/status", {"state": "done", "report": "x"}, form_page=page)
    assert response.status_code == 422
    assert "Not a valid choice" in response.text
    with read_session(site["engine"]) as s:
        assert (
            s.exec(sa.select(Delivery.state).where(Delivery.directive_id == directive_id))
            .all()
            .count(("acknowledged",))
            == 1
        )
    response = browser.post(page + "/status", {"state": "implemented", "report": "Đã gỡ 12 bài."}, form_page=page)
    assert response.status_code == 302
    assert "Đã gỡ 12 bài." in browser.get(page).text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"items_published": "100", "negative_items": "101"}, "Negative items cannot exceed items published."),
        ({"items_published": "", "negative_items": "3"}, "This field is required."),
        ({"items_published": "-5", "negative_items": "0"}, "Must be 0 or more."),
        ({"month": "not-a-month"}, "Not a valid month."),
        ({"items_published": "1,5"}, "Not a whole number."),
        ({"items_published": "1.200"}, "Not a whole number."),  # in English, 1.2
    ],
)
def test_ratio_form_refuses_bad_figures(app, site, data, message):
    from hub.models import RatioReport

    browser = signed_in(app, site, "editor1")
    form = {"month": "2026-01", "items_published": "100", "negative_items": "9"}
    form.update(data)
    response = browser.post("/inbox/ratio", form)
    assert response.status_code == 422
    assert message in response.text
    assert count(site["engine"], RatioReport) == 0


def test_ratio_report_is_recorded_with_its_ratio(app, site):
    browser = signed_in(app, site, "editor1")
    form = {"month": "2026-01", "items_published": "1,200", "negative_items": "204"}
    response = browser.post("/inbox/ratio", form)
    assert response.status_code == 302
    page = browser.get("/inbox/ratio").text
    assert "Report recorded: 17.0 %." in page
    assert "Flagged" in page and "01/2026" in page and "1,200" in page


def test_ratio_figures_are_read_and_shown_as_vietnamese_write_them(app, site):
    from hub.models import RatioReport

    browser = signed_in(app, site, "editor1")
    browser.client.set_cookie("lang", "vi")
    refused = browser.post("/inbox/ratio", {"month": "2026-01", "items_published": "1,5", "negative_items": "0"})
    assert refused.status_code == 422 and "Không phải số nguyên." in refused.text
    response = browser.post("/inbox/ratio", {"month": "2026-01", "items_published": "1.200", "negative_items": "30"})
    assert response.status_code == 302
    page = browser.get("/inbox/ratio").text
    assert "2,5 %" in page and "1.200" in page
    with read_session(site["engine"]) as s:
        (report,) = s.exec(select(RatioReport)).all()
    assert (report.period_start, report.period_end) == (date(2026, 1, 1), date(2026, 1, 31))
    assert report.items_published == 1200


def test_a_filed_month_is_corrected_and_the_log_keeps_the_original(app, site):
    from hub.models import Event, RatioReport

    browser = signed_in(app, site, "editor1")
    browser.post("/inbox/ratio", {"month": "2026-02", "items_published": "100", "negative_items": "5"})
    with read_session(site["engine"]) as s:
        (report,) = s.exec(select(RatioReport)).all()
    form = browser.get(f"/inbox/ratio?correct={report.id}").text
    assert 'value="2026-02"' in form and "You are correcting" in form
    fixed = {"month": "2026-02", "items_published": "100", "negative_items": "25", "report_id": str(report.id)}
    assert browser.post("/inbox/ratio", fixed, form_page="/inbox/ratio").status_code == 302
    with read_session(site["engine"]) as s:
        (after,) = s.exec(select(RatioReport)).all()
        event = s.exec(select(Event).where(Event.kind == "ratio_report_corrected")).one()
    assert (after.id, after.negative_items, after.flagged) == (report.id, 25, True)
    assert event.details["before"]["negative_items"] == 5


def test_machine_token_secret_is_shown_once_and_can_be_revoked(app, site):
    browser = signed_in(app, site, "editor1")
    assert browser.post("/inbox/tokens", {"label": ""}).status_code == 422
    response = browser.post("/inbox/tokens", {"label": "CMS"})
    secret = re.search(r'id="token-secret">(dh_[^<]+)<', response.text).group(1)
    assert secret not in browser.get("/inbox/tokens").text
    with read_session(site["engine"]) as s:
        token = s.exec(sa.select(ApiToken).where(ApiToken.label == "CMS")).scalar_one()
    other = signed_in(app, site, "editor3")
    yes = {"confirm": "y"}
    assert other.post(f"/inbox/tokens/{token.id}/revoke", yes, form_page="/inbox/tokens").status_code == 302
    assert count(site["engine"], ApiToken, ApiToken.revoked_at.is_not(None)) == 0
    unconfirmed = browser.post(f"/inbox/tokens/{token.id}/revoke", form_page="/inbox/tokens")
    assert "Tick the box to confirm revoking the token." in browser.get(unconfirmed.headers["Location"]).text
    assert count(site["engine"], ApiToken, ApiToken.revoked_at.is_not(None)) == 0
    browser.post(f"/inbox/tokens/{token.id}/revoke", yes, form_page="/inbox/tokens")
    assert count(site["engine"], ApiToken, ApiToken.revoked_at.is_not(None)) == 1


def test_an_admin_changes_a_role_and_the_change_is_in_the_log(app, site):
    from hub.models import Event

    browser = signed_in(app, site, "admin")
    manager = site["people"]["manager"]
    page = browser.get("/admin/users").text
    assert f'action="/admin/users/{manager.user_id}/role"' in page
    response = browser.post(f"/admin/users/{manager.user_id}/role", {"role": "officer"}, form_page="/admin/users")
    assert response.status_code == 302
    assert "The role was changed" in browser.get("/admin/users").text
    refused = browser.post(f"/admin/users/{manager.user_id}/role", {"role": "editor"}, form_page="/admin/users")
    assert "cannot have the role Editor" in browser.get(refused.headers["Location"]).text
    with read_session(site["engine"]) as s:
        assert s.get(User, manager.user_id).role == Role.OFFICER
        event = s.exec(select(Event).where(Event.kind == "user_role_changed")).one()
    assert (event.details["from"], event.details["to"]) == ("manager", "officer")


def test_admin_registers_a_platform_and_refuses_bad_codes(app, site):
    browser = signed_in(app, site, "admin")
    bad = {"code": "bad code!", "name": "X", "province": "HNI", "platform_kind": "news_site"}
    response = browser.post("/admin/organisations", bad)
    assert response.status_code == 422
    assert "Code: 2-64 letters" in response.text
    assert browser.post("/admin/organisations", {**bad, "code": "P-HN1"}).status_code == 422
    assert browser.post("/admin/organisations", {**bad, "code": "P-NEW"}).status_code == 302
    assert count(site["engine"], Organisation, Organisation.code == "P-NEW") == 1
    response = browser.post(
        "/admin/users",
        {"org_code": "P-NOPE", "role": "editor", "login": "ed.new", "display_name": "Ed", "password": "long-enough-1"},
    )
    assert response.status_code == 422
    assert count(site["engine"], User, User.login == "ed.new") == 0


def test_dashboard_counts_leave_exercises_out_and_csv_export_matches_the_filter(app, site):
    engine, now, officer = site["engine"], site["now"], site["people"]["officer"]
    real = f.published(engine, now, officer, {"provinces": ["HNI"]})
    f.published(engine, now, officer, {"all": True}, exercise=True)
    browser = signed_in(app, site, "manager")
    page = browser.get("/dashboard").text
    assert re.search(r'id="kpi-deliveries">2<', page)
    response = browser.get(f"/dashboard/log.csv?kind=published&directive={real.directive.id}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["id", "at", "kind"]
    assert [r[2] for r in rows[1:]] == ["published"]
    assert rows[1][10] == str(real.directive.id) and rows[1][9] == real.directive.ref_no
    report = browser.get(f"/dashboard/directives/{real.directive.id}/report")
    assert report.status_code == 200 and "P-HN1" not in report.text  # names, not codes, on paper
    assert "Follow-through report" in report.text


def test_language_switch_remembers_the_choice(app, site):
    browser = Browser(app)
    browser.client.delete_cookie("lang")
    assert "Đăng nhập" in browser.get("/login").text
    response = browser.get("/lang/en?next=/login")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "<h1>Sign in</h1>" in browser.get("/login").text
    browser.get("/lang/vi?next=https://evil.example/")
    assert "<h1>Đăng nhập</h1>" in browser.get("/login").text


def test_change_password_checks_the_current_one(app, site):
    browser = signed_in(app, site, "editor1")
    bad = browser.post(
        "/account/password", {"current": "wrong-password", "new": "new-password-1", "confirm": "new-password-1"}
    )
    assert bad.status_code == 422 and "The current password is wrong" in bad.text
    mismatch = browser.post(
        "/account/password", {"current": f.PASSWORD, "new": "new-password-1", "confirm": "other-password"}
    )
    assert "The two new passwords differ." in mismatch.text
    ok = browser.post(
        "/account/password", {"current": f.PASSWORD, "new": "new-password-1", "confirm": "new-password-1"}
    )
    assert ok.status_code == 302
    assert Browser(app).login(site["logins"]["editor1"], "new-password-1").status_code == 302


def test_provincial_officer_reminds_and_rectifies_only_platforms_of_its_province(app, site):
    from hub.models import Event

    engine, now, officer = site["engine"], site["now"], site["people"]["officer"]
    published = f.published(engine, now, officer, {"all": True})
    p1, _p2, p3 = site["platforms"]
    with read_session(engine) as s:
        ids = dict(s.exec(sa.select(Delivery.platform_id, Delivery.id)).all())
    browser = signed_in(app, site, "officer_hni")
    page = f"/console/directives/{published.directive.id}"
    assert browser.post(f"/console/deliveries/{ids[p1.id]}/remind", form_page=page).status_code == 302
    assert count(engine, Event, Event.kind == "reminded", Event.delivery_id == ids[p1.id]) == 1
    browser.post(f"/console/deliveries/{ids[p3.id]}/remind", form_page=page)
    assert count(engine, Event, Event.kind == "reminded", Event.delivery_id == ids[p3.id]) == 0
    assert browser.get(f"/console/platforms/{p3.id}/rectify").status_code == 404
    form = f"/console/platforms/{p1.id}/rectify"
    empty = browser.post(form, {"title": "", "body": "Sửa ngay.", "priority": "urgent"})
    assert empty.status_code == 422 and "This field is required." in empty.text
    before = count(engine, Directive)
    assert browser.post(form, {"title": "Chấn chỉnh", "body": "Sửa ngay.", "priority": "urgent"}).status_code == 302
    assert count(engine, Directive) == before + 1
    assert count(engine, Delivery, Delivery.platform_id == p1.id) == 2


def test_dashboard_figures_stay_within_the_readers_province(app, site):
    import json

    from hub.core import deliveries
    from hub.db import write_session

    engine, now, officer = site["engine"], site["now"], site["people"]["officer"]
    published = f.published(engine, now - timedelta(hours=2), officer, {"all": True})
    with write_session(engine) as s:
        deliveries.acknowledge(
            s, site["people"]["editor1"], now - timedelta(hours=1, minutes=30), published.directive.id
        )
    central = signed_in(app, site, "manager").get("/dashboard").text
    hanoi = signed_in(app, site, "officer_hni").get("/dashboard").text
    assert re.search(r'id="kpi-deliveries">3<', central) and re.search(r'id="kpi-deliveries">2<', hanoi)
    assert re.search(r'id="kpi-acknowledged">1<', central) and re.search(r'id="kpi-acknowledged">1<', hanoi)
    charts = json.loads(re.search(r'id="chart-data">(.*?)</script>', hanoi, re.S).group(1))
    assert charts["ackBuckets"] == [1, 0, 0, 0, 0]  # acknowledged within the first hour
    assert charts["ack"] == [50.0]
    assert charts["overdueProvinces"] == []


def test_amending_needs_a_confirmation_then_supersedes(app, site):
    published = f.published(site["engine"], site["now"], site["people"]["officer"], {"provinces": ["HNI"]})
    path = f"/console/directives/{published.directive.id}/amend"
    browser = signed_in(app, site, "officer")
    data = compose_data(action="publish", provinces="HNI", title="Bản sửa đổi")
    response = browser.post(path, data)
    assert response.status_code == 422 and "Tick the box to confirm the amendment." in response.text
    assert count(site["engine"], Directive) == 1
    response = browser.post(path, {**data, "confirm_amend": "y"})
    assert response.status_code == 302
    with read_session(site["engine"]) as s:
        old = s.get(Directive, published.directive.id)
        assert old.superseded_by_id is not None


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_sign_in_never_redirects_off_site(app, site, target):
    browser = Browser(app)
    token = browser.token()
    response = browser.client.post(
        "/login?next=" + target,
        data={"login": site["logins"]["manager"], "password": f.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_a_report_request_links_to_the_form_and_filing_it_closes_the_request(app, site):
    officer = site["people"]["officer"]
    request = f.published(site["engine"], site["now"], officer, {"all": True}, kind="report_request").directive
    browser = signed_in(app, site, "editor1")
    page = browser.get(f"/inbox/{request.id}").text
    assert f'href="/inbox/ratio?request={request.id}"' in page
    form = browser.get(f"/inbox/ratio?request={request.id}").text
    assert f'name="directive_id" type="hidden" value="{request.id}"' in form
    answer = {"month": "2026-01", "items_published": "100", "negative_items": "3", "directive_id": str(request.id)}
    assert browser.post("/inbox/ratio", answer, form_page="/inbox/ratio").status_code == 302
    with read_session(site["engine"]) as s:
        p1 = site["platforms"][0]
        delivery = s.exec(select(Delivery).where(Delivery.directive_id == request.id, Delivery.platform_id == p1.id))
        assert delivery.one().state == "implemented"
    assert 'id="file-ratio-report"' not in browser.get(f"/inbox/{request.id}").text


def test_a_reset_password_is_shown_once_and_must_be_changed_at_the_next_sign_in(app, site):
    admin = signed_in(app, site, "admin")
    editor = site["people"]["editor1"]
    answer = admin.post(f"/admin/users/{editor.user_id}/reset-password", form_page="/admin/users")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    temporary = re.search(r'id="temporary-password">([^<]+)<', answer.text).group(1)
    assert temporary not in admin.get("/admin/users").text
    person = Browser(app)
    assert person.login(site["logins"]["editor1"], temporary).status_code == 302
    sent_away = person.get("/inbox")
    assert sent_away.status_code == 302 and sent_away.headers["Location"] == "/account/password"
    new = {"current": temporary, "new": "brand-new-pass-1", "confirm": "brand-new-pass-1"}
    assert person.post("/account/password", new).status_code == 302
    assert person.get("/inbox").status_code == 200
