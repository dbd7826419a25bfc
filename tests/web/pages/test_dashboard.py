"""The manager's dashboard: figures without exercises and within the reader's province, the printable report, the
log's CSV and its rate limit."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from tests import factories as f
from tests.web.pages.visitor import signed_in


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
