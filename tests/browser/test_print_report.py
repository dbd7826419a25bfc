"""The printed follow-through report identifies itself: Chromium's print to PDF of the report page starts, on page 1,
with the issuer, the reference number, the title, the dates and the time it was printed, in English and Vietnamese."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from hub.db import make_engine
from tests.browser.test_live_pages import open_as

pytestmark = pytest.mark.browser


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


@pytest.fixture(scope="module")
def directive(hub_server) -> dict:
    """A published demo directive with both deadlines, and its issuer's name."""
    engine = make_engine(hub_server.database_url)
    sql = (
        "SELECT d.id, d.ref_no, d.title, o.name FROM directive d JOIN organisation o ON o.id = d.issuer_id "
        "WHERE d.status = 'published' AND d.ack_due_at IS NOT NULL AND d.implement_due_at IS NOT NULL "
        "ORDER BY d.id LIMIT 1"
    )
    with engine.connect() as conn:
        row = conn.execute(sa.text(sql)).one()
    engine.dispose()
    return {"id": row[0], "ref_no": row[1], "title": row[2], "issuer": row[3]}


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("en", ["Issued by", "Follow-through report", "Published", "Acknowledge by", "Implement by", "Printed"]),
        (
            "vi",
            [
                "Cơ quan ban hành",
                "Báo cáo tình hình thực hiện",
                "Đã phát hành",
                "Hạn xác nhận",
                "Hạn thực hiện",
                "In lúc",
            ],
        ),
    ],
)
def test_the_pdf_of_the_printable_report_starts_with_its_identification(
    browser, hub_server, artifacts, directive, lang, labels
):
    page = open_as(browser, hub_server, "manager", lang)
    page.goto(hub_server.url + f"/dashboard/directives/{directive['id']}/report")
    shown = [
        _flat(line)
        for line in page.locator(
            "article.report > header p:not(.no-print), article.report > header h1"
        ).all_inner_texts()
    ]
    pdf = page.pdf(format="A4", print_background=False)
    (artifacts / f"report-{lang}.pdf").write_bytes(pdf)
    page.context.close()

    first = _flat(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    for label in labels:
        assert label in first, (label, first[:400])
    for value in (directive["issuer"], directive["ref_no"], directive["title"]):
        assert _flat(value) in first, (value, first[:400])
    for line in shown:  # every line of the title block, dates and printing time as the page shows them
        assert line in first, (line, first[:400])
    assert first.index(_flat(directive["issuer"])) < first.index(labels[1]) < first.index(labels[-1]) < 400
    printed = next(line for line in shown if line.startswith(labels[-1]))
    assert re.search(r"\d", printed), "the time printed is on the page"
