"""GET and PATCH /api/v1/me: a person reads who they are and changes their language and e-mail choice; bad input is
a 422 naming the field, nobody is 401, a platform's machine token is 403 (it is no person)."""

from __future__ import annotations

from tests.web.test_api_session import _sign_in

API = "/api/v1/me"


def test_an_editor_reads_who_they_are(world):
    me = world.call("p1_editor", "GET", API)
    assert me.status_code == 200
    body = me.get_json()
    assert body["id"] == world.ids["user_p1_editor"] and body["role"] == "editor"
    assert body["organisation"]["code"] == "P1" and body["organisation"]["kind"] == "platform"
    assert (body["language"], body["mail_notices"]) == (None, "immediate")


def test_an_officer_chooses_the_digest_and_english_and_reads_it_back(world):
    changed = world.call("hni_officer", "PATCH", API, {"mail_notices": "digest", "language": "en"})
    assert changed.status_code == 200
    assert (changed.get_json()["mail_notices"], changed.get_json()["language"]) == ("digest", "en")
    again = world.call("hni_officer", "GET", API).get_json()
    assert (again["mail_notices"], again["language"]) == ("digest", "en")


def test_a_field_left_out_stays_and_null_language_is_the_hubs_default(world):
    world.call("p1_editor", "PATCH", API, {"mail_notices": "off", "language": "vi"})
    kept = world.call("p1_editor", "PATCH", API, {"language": None}).get_json()
    assert (kept["mail_notices"], kept["language"]) == ("off", None)
    assert world.call("p1_editor", "PATCH", API, {}).status_code == 422  # nothing to change is a mistake
    assert world.call("p1_editor", "GET", API).get_json()["mail_notices"] == "off"


def test_bad_input_is_a_422_naming_the_field(world):
    for body, name in (
        ({"mail_notices": "hourly"}, "mail_notices"),
        ({"mail_notices": None}, "mail_notices"),
        ({"language": "fr"}, "language"),
        ({"colour": "red"}, "colour"),
    ):
        refused = world.call("p1_editor", "PATCH", API, body)
        assert refused.status_code == 422, body
        assert name in str(refused.get_json()), refused.get_json()
    assert world.call("p1_editor", "GET", API).get_json()["mail_notices"] == "immediate"


def test_anonymous_is_401(world):
    assert world.client.get(API).status_code == 401
    assert world.client.patch(API, json={"mail_notices": "off"}).status_code == 401


def test_a_machine_token_has_no_account(world):
    for method, body in (("GET", None), ("PATCH", {"mail_notices": "off"})):
        refused = world.call("p1_machine", method, API, body)
        assert refused.status_code == 403 and refused.get_json()["code"] == "account_needs_person"


def test_the_signed_in_page_session_needs_the_csrf_token_to_change(world):
    token = _sign_in(world, "p3_editor")
    assert world.client.get(API).get_json()["login"]
    refused = world.client.patch(API, json={"mail_notices": "digest"})
    assert refused.status_code == 400 and refused.get_json()["error"] == "csrf"
    done = world.client.patch(API, json={"mail_notices": "digest"}, headers={"X-CSRFToken": token})
    assert done.status_code == 200 and done.get_json()["mail_notices"] == "digest"
