"""Issue 10 item 11: a provincial officer's audience is never silently narrowed. Naming a province or a platform
outside its province is an error naming them; ``{"all": true}`` is stored as what it means, all platforms of the
province, and shown so."""

from __future__ import annotations

from sqlmodel import select

from hub import clock
from hub.db import read_session
from hub.models import Delivery, Directive
from tests import factories as f

API = "/api/v1"


def directive_count(world) -> int:
    with read_session(world.app.extensions["hub"].engine) as s:
        return len(s.exec(select(Directive.id)).all())


def create(world, who: str, audience: dict, publish: bool = True):
    body = {"title": "Rà soát", "body": "Làm ngay.", "audience": audience, "publish": publish}
    return world.call(who, "POST", f"{API}/directives", json=body)


def test_naming_a_platform_of_another_province_is_refused_with_its_code(world):
    before = directive_count(world)
    refused = create(world, "hni_officer", {"platforms": ["P1", "P3"]})
    assert refused.status_code == 403
    body = refused.get_json()
    assert (body["error"], body["code"]) == ("forbidden", "out_of_scope")
    assert body["details"] == {"provinces": [], "platforms": ["P3"]}
    assert "P3" in body["message"] and "P1" not in body["message"]
    assert directive_count(world) == before


def test_naming_another_province_is_refused_with_its_code(world):
    refused = create(world, "hni_officer", {"provinces": ["HCM"], "platforms": ["P1"]}, publish=False)
    assert refused.status_code == 403
    assert refused.get_json()["details"] == {"provinces": ["HCM"], "platforms": []}


def test_all_from_a_province_is_stored_and_shown_as_all_of_its_platforms(world):
    created = create(world, "hni_officer", {"all": True})
    assert created.status_code == 201
    stored = created.get_json()
    assert stored["audience"]["all"] is False and stored["audience"]["provinces"] == ["HNI"]
    assert (
        world.call("hni_officer", "GET", f"{API}/directives/{stored['id']}").get_json()["audience"]
        == stored["audience"]
    )
    with read_session(world.app.extensions["hub"].engine) as s:
        reached = set(s.exec(select(Delivery.platform_id).where(Delivery.directive_id == stored["id"])))
    assert reached == {world.ids["org_p1"], world.ids["org_p2"]}
    engine = world.app.extensions["hub"].engine
    with world.client.session_transaction() as session:
        session.update(f.signed_in(engine, clock.now(), world.ids["user_hni_officer"]))
    world.client.set_cookie("lang", "vi")
    page = world.client.get(f"/console/directives/{stored['id']}").get_data(as_text=True)
    assert '<dd id="audience">Thành phố Hà Nội</dd>' in page


def test_the_central_regulators_all_stays_all(world):
    created = create(world, "reg_officer", {"all": True}, publish=False)
    assert created.status_code == 201 and created.get_json()["audience"]["all"] is True


def test_the_composer_names_the_foreign_platform_in_the_readers_language(world):
    engine = world.app.extensions["hub"].engine
    with world.client.session_transaction() as session:
        session.update(f.signed_in(engine, clock.now(), world.ids["user_hni_officer"]))
    world.client.set_cookie("lang", "vi")
    answer = world.client.get("/console/audience-count?platforms=P1,P3").get_json()
    assert answer["count"] == 0
    assert (
        answer["message"] == "Sở chỉ được gửi tới các nền tảng trong tỉnh, thành phố của mình, không gửi được tới: P3"
    )
