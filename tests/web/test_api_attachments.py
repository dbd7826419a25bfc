"""Evidence files over the API: multipart and base64 uploads, refusals as 4xx JSON, downloads within scope."""

from __future__ import annotations

import base64
import hashlib
import io

from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.factories import SIGNER

API = "/api/v1"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"


def upload(world, who, directive_id, files):
    # encoded in memory: the test client would spool a large body to a temporary file it never closes
    boundary, body = encode_multipart(
        MultiDict([("file", FileStorage(io.BytesIO(content), name)) for name, content in files])
    )
    return world.call(
        who,
        "POST",
        f"{API}/inbox/{directive_id}/attachments",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_multipart_upload_then_download_with_safe_headers(world):
    answer = upload(world, "p1_machine", world.ids["hni"], [("screen.png", PNG), ("order.pdf", PDF)])
    assert answer.status_code == 201, answer.get_json()
    first, second = answer.get_json()["attachments"]
    assert (first["name"], first["type"], first["size"]) == ("screen.png", "image/png", len(PNG))
    assert first["sha256"] == hashlib.sha256(PNG).hexdigest() and second["type"] == "application/pdf"
    got = world.call("hni_officer", "GET", f"{API}/attachments/{first['id']}")
    assert got.status_code == 200 and got.data == PNG
    assert got.headers["Content-Type"] == "image/png"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert (
        got.headers["Content-Disposition"].startswith("attachment;")
        and "screen.png" in got.headers["Content-Disposition"]
    )


def test_base64_json_upload(world):
    body = {"files": [{"name": "scan.pdf", "content_base64": base64.b64encode(PDF).decode()}]}
    answer = world.call("p1_editor", "POST", f"{API}/inbox/{world.ids['hni']}/attachments", json=body)
    assert answer.status_code == 201
    assert answer.get_json()["attachments"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    bad = world.call(
        "p1_editor",
        "POST",
        f"{API}/inbox/{world.ids['hni']}/attachments",
        json={"files": [{"name": "x.pdf", "content_base64": "%%%not base64"}]},
    )
    assert bad.status_code == 422 and bad.get_json()["code"] == "attachment_base64_invalid"


def test_wrong_type_too_big_and_too_many_are_4xx_json(world):
    hni = world.ids["hni"]
    wrong = upload(world, "p1_machine", hni, [("shot.png", b"<svg onload=alert(1)>")])
    assert wrong.status_code == 422 and wrong.get_json()["code"] == "attachment_type_not_allowed"
    assert "shot.png" in wrong.get_json()["message"]
    big = upload(world, "p1_machine", hni, [("huge.png", PNG + b"\x00" * 10_000_000)])
    assert big.status_code == 422 and big.get_json()["code"] == "attachment_too_large"
    many = upload(world, "p1_machine", hni, [(f"{n}.png", PNG) for n in range(6)])
    assert many.status_code == 409 and many.get_json()["code"] == "attachment_too_many"
    vi = world.client.post(
        f"{API}/inbox/{hni}/attachments",
        data={"file": [(io.BytesIO(b"x"), "a")]},
        content_type="multipart/form-data",
        headers={**world.headers("p1_machine"), "Accept-Language": "vi"},
    )
    assert vi.status_code == 422 and "không phải" in vi.get_json()["message"]


def test_not_yours_is_not_found(world):
    assert upload(world, "p3_machine", world.ids["hni"], [("a.png", PNG)]).status_code == 404
    (row,) = upload(world, "p1_machine", world.ids["hni"], [("a.png", PNG)]).get_json()["attachments"]
    for who in ("p3_machine", "p3_editor", "hcm_officer"):
        refused = world.call(who, "GET", f"{API}/attachments/{row['id']}")
        assert refused.status_code == 404 and refused.get_json()["code"] == "attachment_not_found", who
    assert world.call("reg_manager", "GET", f"{API}/attachments/{row['id']}").status_code == 200


def test_upload_is_described_in_the_openapi_document(world):
    doc = world.call(None, "GET", f"{API}/openapi.json").get_json()
    operation = doc["paths"]["/api/v1/inbox/{directive_id}/attachments"]["post"]
    assert set(operation["requestBody"]["content"]) == {"multipart/form-data", "application/json"}
    assert "/api/v1/attachments/{attachment_id}" in doc["paths"]


def test_an_issuer_attaches_the_signed_document_to_a_draft_and_the_platform_verifies_it(world):
    from directive_hub_client import signing as client

    draft = world.ids["draft"]
    boundary, body = encode_multipart(MultiDict([("file", FileStorage(io.BytesIO(PDF), "QĐ 15.pdf"))]))
    answer = world.call(
        "reg_officer",
        "POST",
        f"{API}/directives/{draft}/attachments",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert answer.status_code == 201, answer.get_json()
    published = world.call("reg_officer", "POST", f"{API}/directives/{draft}/publish")
    assert published.status_code == 200, published.get_json()
    again = world.call(
        "reg_officer",
        "POST",
        f"{API}/directives/{draft}/attachments",
        json={"files": [{"name": "late.pdf", "content_base64": base64.b64encode(PDF).decode()}]},
    )
    assert again.status_code == 409 and again.get_json()["code"] == "attachment_directive_not_draft"
    item = next(i for i in world.call("p1_machine", "GET", f"{API}/inbox").get_json()["items"] if i["id"] == draft)
    (document,) = item["attachments"]
    assert document["sha256"] == hashlib.sha256(PDF).hexdigest() and document["name"] == "QĐ 15.pdf"
    key = world.call(None, "GET", f"{API}/signing-key").get_json()["public_key_pem"]
    assert client.verify(key, item, item["signature"])
    assert not client.verify(key, {**item, "attachments": []}, item["signature"])
    got = world.call("p1_machine", "GET", f"{API}/attachments/{document['id']}")
    assert got.status_code == 200 and hashlib.sha256(got.data).hexdigest() == document["sha256"]
    old = next(
        i for i in world.call("p1_machine", "GET", f"{API}/inbox").get_json()["items"] if i["id"] == world.ids["hni"]
    )
    # the world was built (before attachments existed in it) with the factories' key
    assert old["attachments"] == [] and client.verify(SIGNER.public_pem(), old, old["signature"])


def test_a_document_must_be_a_pdf(world):
    body = {"files": [{"name": "scan.pdf", "content_base64": base64.b64encode(PNG).decode()}]}
    refused = world.call("reg_officer", "POST", f"{API}/directives/{world.ids['draft']}/attachments", json=body)
    assert refused.status_code == 422 and refused.get_json()["code"] == "attachment_not_pdf"
