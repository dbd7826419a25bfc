"""A platform's inbox: acknowledging and reporting, and content-ratio reports (bad figures refused, Vietnamese
numbers, corrections, the monthly request)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import select

from hub.db import read_session
from hub.models import Delivery
from tests import factories as f
from tests.web.pages.visitor import count, signed_in


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
