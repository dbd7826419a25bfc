"""A visitor of the pages: signs in like a person and sends each page's CSRF token with its forms."""

from __future__ import annotations

import re

import sqlalchemy as sa

from hub.db import read_session
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
