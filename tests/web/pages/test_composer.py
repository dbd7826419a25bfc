"""The composer: bad input refused with a message and nothing saved, a province's officer confined to its
province, drafts, publishing, the audience count and the preview."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hub.models import Delivery, Directive, DirectiveStatus
from tests.web.pages.visitor import compose_data, count, signed_in


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
