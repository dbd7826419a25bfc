"""The console's directive pages: another's directive is not found, revoking and amending need a confirmation,
reminders and rectifications stay within the officer's province."""

from __future__ import annotations

import sqlalchemy as sa

from hub.db import read_session
from hub.models import Delivery, Directive, DirectiveStatus
from tests import factories as f
from tests.web.pages.visitor import compose_data, count, signed_in


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
