"""The log page and its CSV, audited as a manager does: filters take what the page shows (the reference number, an
event's translated name) and never ignore input silently; the CSV has Hanoi time with its offset, codes and names."""

from __future__ import annotations

import csv
import io
from html import escape

import sqlalchemy as sa

from hub.models import Organisation
from tests import factories as f
from tests.web.pages.visitor import signed_in


def rename_issuer(engine, suffix: str) -> None:
    """Give the regulator the reference suffix of the real department (PTTH&TTĐT), as the demo data does."""
    with engine.begin() as conn:
        conn.execute(sa.update(Organisation).where(Organisation.kind == "regulator").values(ref_suffix=suffix))


def published_pair(site):
    engine, now, officer = site["engine"], site["now"], site["people"]["officer"]
    rename_issuer(engine, "PTTH&TTĐT")
    first = f.published(engine, now, officer, {"provinces": ["HNI"]}, title="Storm")
    second = f.published(engine, now, officer, {"all": True}, title="Flood")
    return first.directive, second.directive


def test_the_reference_number_filters_the_log(app, site):
    first, second = published_pair(site)
    assert first.ref_no.endswith("/PTTH&TTĐT")
    page = signed_in(app, site, "manager").get("/dashboard/log", query_string={"directive": f" {first.ref_no} "})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "log-filter-problem" not in text
    assert f">{escape(first.ref_no)}</a>" in text and f">{escape(second.ref_no)}</a>" not in text


def test_a_reference_number_that_names_nothing_says_so_and_shows_nothing(app, site):
    published_pair(site)
    browser = signed_in(app, site, "manager")
    browser.client.set_cookie("lang", "vi")
    text = browser.get("/dashboard/log", query_string={"directive": "999/PTTH&TTĐT"}).get_data(as_text=True)
    assert "Không có chỉ đạo nào trong phạm vi bạn được xem mang số hiệu “999/PTTH&amp;TTĐT”" in text
    assert "Không có sự kiện phù hợp." in text


def test_the_event_filter_offers_translated_names_and_refuses_unknown_ones(app, site):
    published_pair(site)
    browser = signed_in(app, site, "manager")
    browser.client.set_cookie("lang", "vi")
    text = browser.get("/dashboard/log").get_data(as_text=True)
    assert '<option value="acknowledged" >Đã xác nhận</option>' in text
    assert ">acknowledged<" not in text and "<datalist" not in text
    wrong = browser.get("/dashboard/log", query_string={"kind": "acknowleged"}).get_data(as_text=True)
    assert "Không có loại sự kiện “acknowleged”" in wrong


def test_the_log_names_the_platform_of_each_event(app, site):
    published_pair(site)
    p1 = site["platforms"][0]
    text = signed_in(app, site, "manager").get("/dashboard/log").get_data(as_text=True)
    assert f'{escape(p1.name)} <small class="muted">{p1.code}</small>' in text


def test_the_csv_has_hanoi_time_with_its_offset_codes_names_and_reference_numbers(app, site):
    first, _ = published_pair(site)
    browser = signed_in(app, site, "manager")
    browser.client.set_cookie("lang", "vi")
    answer = browser.get("/dashboard/log.csv", query_string={"directive": first.ref_no})
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows and {r["reference_no"] for r in rows} == {first.ref_no}
    assert all(r["at"].endswith("+07:00") for r in rows)
    assert "org_id" not in rows[0]
    delivered = [r for r in rows if r["kind"] == "published"]
    assert delivered and delivered[0]["event"] == "Đã phát hành"
    assert delivered[0]["organisation_code"] and delivered[0]["organisation"]
    assert {r["province_name"] for r in rows if r["province"] == "HNI"} <= {"Hà Nội"}
