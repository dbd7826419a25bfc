"""Duplicating directives and templates over HTTP: new drafts of the caller's organisation, templates private to it,
and clear refusals."""

from __future__ import annotations

API = "/api/v1"


def test_duplicate_answers_a_new_draft_with_the_same_content(world):
    source = world.call("reg_officer", "GET", f"{API}/directives/{world.ids['central']}").get_json()
    response = world.call("reg_officer", "POST", f"{API}/directives/{source['id']}/duplicate")
    assert response.status_code == 201
    copy = response.get_json()
    assert copy["id"] != source["id"] and copy["status"] == "draft" and copy["ref_no"] is None
    assert (copy["title"], copy["body"], copy["audience"]) == (source["title"], source["body"], source["audience"])
    assert world.call("p1_editor", "POST", f"{API}/directives/{source['id']}/duplicate").status_code == 403
    assert world.call("hcm_officer", "POST", f"{API}/directives/{world.ids['hni']}/duplicate").status_code == 404


def test_a_template_is_kept_listed_drafted_from_and_removed_by_its_organisation_only(world):
    body = {"directive_id": world.ids["hni"], "name": "Hanoi weekly"}
    saved = world.call("hni_officer", "POST", f"{API}/templates", json=body)
    assert saved.status_code == 201
    template = saved.get_json()
    assert template["name"] == "Hanoi weekly" and template["content"]["title"] == "Hanoi"
    assert [t["id"] for t in world.call("hni_officer", "GET", f"{API}/templates").get_json()["items"]] == [
        template["id"]
    ]
    assert [t["name"] for t in world.call("reg_officer", "GET", f"{API}/templates").get_json()["items"]] == ["Central"]
    draft = world.call("hni_officer", "POST", f"{API}/templates/{template['id']}/drafts")
    assert draft.status_code == 201 and draft.get_json()["status"] == "draft"
    assert draft.get_json()["title"] == "Hanoi"
    assert world.call("hcm_officer", "POST", f"{API}/templates/{template['id']}/drafts").status_code == 404
    for bad in ({"directive_id": world.ids["hni"], "name": "  "}, {"name": "x"}, {**body, "extra": 1}):
        response = world.call("hni_officer", "POST", f"{API}/templates", json=bad)
        assert response.status_code == 422 and response.get_json()["error"]
    assert world.call("hni_officer", "DELETE", f"{API}/templates/{template['id']}").get_json() == {
        "deleted": template["id"]
    }
    assert world.call("hni_officer", "DELETE", f"{API}/templates/{template['id']}").status_code == 404
