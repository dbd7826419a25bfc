"""One read path per question: the API and the pages show the same organisations, users and ratio reports, in the
same order, for each role that sees them."""

from __future__ import annotations

import re

from hub import clock
from tests import factories as f

API = "/api/v1"


def _sign_in(world, user: str) -> None:
    engine = world.app.extensions["hub"].engine
    with world.client.session_transaction() as session:
        session.update(f.signed_in(engine, clock.now(), world.ids[f"user_{user}"]))


def _rows(html: str, attribute: str) -> list[str]:
    return re.findall(rf'<tr[^>]* {attribute}="([^"]+)"', html)


def test_the_admin_sees_the_same_organisations_in_the_same_order_on_the_page_and_the_api(world):
    api = world.call("admin", "GET", f"{API}/organisations?per_page=50").get_json()
    _sign_in(world, "admin")
    page = world.client.get("/admin/organisations").get_data(as_text=True)
    assert _rows(page, "data-code") == [o["code"] for o in api["items"]]
    assert len(api["items"]) == 6
    search = world.call("admin", "GET", f"{API}/organisations?q=P&kind=platform").get_json()
    page = world.client.get("/admin/organisations?q=P&kind=platform").get_data(as_text=True)
    assert _rows(page, "data-code") == [o["code"] for o in search["items"]] == ["P1", "P2", "P3"]


def test_the_admin_sees_the_same_users_in_the_same_order_on_the_page_and_the_api(world):
    api = world.call("admin", "GET", f"{API}/users?per_page=50").get_json()
    _sign_in(world, "admin")
    page = world.client.get("/admin/users").get_data(as_text=True)
    logins = [u["login"] for u in api["items"]]
    assert _rows(page, "data-login") == logins
    assert logins == sorted(logins) and len(logins) == 8


def test_other_roles_list_only_their_own_organisations_users(world):
    for who, org in (("hni_officer", "org_hni"), ("p1_editor", "org_p1")):
        items = world.call(who, "GET", f"{API}/users").get_json()["items"]
        assert {u["org_id"] for u in items} == {world.ids[org]}, who


def test_an_editor_sees_the_same_ratio_reports_in_the_same_order_on_the_page_and_the_api(world):
    for month in ("2025-11", "2026-02", "2025-12"):
        body = {"period_start": f"{month}-01", "period_end": f"{month}-28", "items_published": 100, "negative_items": 1}
        assert world.call("p1_machine", "POST", f"{API}/ratio-reports", json=body).status_code == 201
    api = world.call("p1_editor", "GET", f"{API}/ratio-reports").get_json()
    _sign_in(world, "p1_editor")
    page = world.client.get("/inbox/ratio").get_data(as_text=True)
    periods = [r["period_start"] for r in api["items"]]
    assert _rows(page, "data-period") == periods == ["2026-02-01", "2026-01-01", "2025-12-01", "2025-11-01"]


def test_each_reader_sees_the_ratio_reports_of_its_scope(world):
    def platforms(who: str) -> set[str]:
        return {r["platform"]["code"] for r in world.call(who, "GET", f"{API}/ratio-reports").get_json()["items"]}

    assert platforms("reg_manager") == {"P1", "P3"}
    assert platforms("hni_manager") == {"P1"}
    assert platforms("p3_editor") == {"P3"}
