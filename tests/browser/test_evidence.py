"""Real Chromium: an editor attaches evidence with the status report, in Vietnamese and in English at 390 px; a file
that is not what it claims to be is refused with a message in the page's language; the officer downloads it."""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.layout import assert_fits
from tests.browser.test_messages import _published_to_tin01, sign_in

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def _report(browser, hub_server, lang: str, files: list[dict], state: str = "in_progress"):
    directive_id = _published_to_tin01(browser, hub_server)
    editor = sign_in(browser, hub_server, "editor.tin01", lang=lang, width=390)
    editor.goto(f"{hub_server.url}/inbox/{directive_id}")
    editor.check(f"#status-form input[value={state}]")
    editor.fill("#report", "Đã gỡ bài, ảnh chụp màn hình kèm theo.")
    editor.set_input_files("#evidence", files)
    editor.click("#status-form button[type=submit]")
    return editor, directive_id


@pytest.mark.parametrize(("lang", "recorded"), [("vi", "Đã ghi nhận"), ("en", "Your status was recorded")])
def test_an_editor_attaches_a_screenshot_and_the_officer_downloads_it(browser, hub_server, lang, recorded):
    editor, directive_id = _report(
        browser, hub_server, lang, [{"name": "go-bai.png", "mimeType": "image/png", "buffer": PNG}]
    )
    expect(editor.locator(".flash.success")).to_contain_text(recorded)
    link = editor.locator("#evidence-list a", has_text="go-bai.png")
    expect(link).to_be_visible()
    expect(editor.locator("#evidence-list")).to_contain_text(hashlib.sha256(PNG).hexdigest()[:12])
    assert_fits(editor)
    with editor.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes() == PNG
    editor.context.close()
    officer = sign_in(browser, hub_server, "officer", lang=lang)
    officer.goto(f"{hub_server.url}/console/directives/{directive_id}")
    with officer.expect_download() as download:
        officer.locator("a.evidence", has_text="go-bai.png").click()
    assert Path(download.value.path()).read_bytes() == PNG
    officer.context.close()


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("vi", "Tệp trang.png không phải ảnh PNG, JPEG hay tài liệu PDF"),
        ("en", "The file trang.png is not a PNG or JPEG image or a PDF document"),
    ],
)
def test_a_file_that_is_not_an_image_is_refused_in_the_page_language(browser, hub_server, lang, message):
    fake = [{"name": "trang.png", "mimeType": "image/png", "buffer": b"<html><body>not a picture</body></html>"}]
    editor, _ = _report(browser, hub_server, lang, fake)
    expect(editor.locator(".form-errors")).to_contain_text(message)
    expect(editor.locator("#evidence-list a")).to_have_count(0)
    editor.context.close()


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.mark.parametrize(("lang", "heading"), [("vi", "Văn bản chính thức"), ("en", "Official documents")])
def test_an_officer_attaches_the_signed_document_to_a_draft_and_the_editor_receives_it(
    browser, hub_server, lang, heading
):
    officer = sign_in(browser, hub_server, "officer", lang=lang)
    officer.goto(hub_server.url + "/console/new")
    officer.fill("#title", f"Văn bản ký số {uuid.uuid4().hex[:6]}")
    officer.fill("#body", "Xem văn bản đính kèm.")
    officer.uncheck("#audience_all")
    officer.fill("#platforms", "P-TIN01")
    officer.click("button[name=action][value=draft]")
    officer.wait_for_url(re.compile(r"/console/directives/\d+"))
    directive_id = int(re.search(r"/console/directives/(\d+)", officer.url).group(1))
    expect(officer.locator("#documents")).to_have_text(heading)
    officer.set_input_files("#document", [{"name": "QĐ-15.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    officer.click("#document-form button[type=submit]")
    expect(officer.locator("ul.documents a", has_text="QĐ-15.pdf")).to_be_visible()
    officer.set_input_files("#document", [{"name": "anh.pdf", "mimeType": "application/pdf", "buffer": PNG}])
    officer.click("#document-form button[type=submit]")
    refused = "tệp anh.pdf không phải tài liệu PDF" if lang == "vi" else "the file anh.pdf is not a PDF document"
    expect(officer.locator(".flash.error")).to_contain_text(refused, ignore_case=True)
    officer.click("form[action$='/publish'] button[type=submit]")
    expect(officer.locator(".flash.success")).to_be_visible()
    expect(officer.locator("#document-form")).to_have_count(0)  # published: the signed documents cannot change
    officer.context.close()
    editor = sign_in(browser, hub_server, "editor.tin01", lang=lang, width=390)
    editor.goto(f"{hub_server.url}/inbox/{directive_id}")
    expect(editor.locator("#documents")).to_have_text(heading)
    with editor.expect_download() as download:
        editor.locator("ul.documents a", has_text="QĐ-15.pdf").click()
    assert Path(download.value.path()).read_bytes() == PDF
    editor.context.close()
