"""The OpenAPI document and its page: valid, complete enough to be useful, and served without the internet."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

API = "/api/v1"


def test_the_document_is_valid_openapi(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    validate(response.get_json())


def test_every_operation_declares_its_answer_and_its_errors(client):
    spec = client.get(f"{API}/openapi.json").get_json()
    operations = [(p, m, op) for p, item in spec["paths"].items() for m, op in item.items()]
    assert len(operations) >= 25
    for path, method, op in operations:
        success = [code for code in op["responses"] if code.startswith("2")]
        assert success, (method, path)
        assert "schema" in op["responses"][success[0]]["content"]["application/json"], (method, path)
        if path != f"{API}/signing-key":
            assert op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
            assert op["security"], (method, path)
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "DirectiveCreate" in spec["components"]["schemas"]


def test_the_swagger_page_loads_only_local_assets(client):
    for page in (f"{API}/", f"{API}/swagger"):
        response = client.get(page)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
        assert not [a for a in assets if a.startswith(("http:", "https:", "//"))], assets
    html = client.get(f"{API}/swagger").get_data(as_text=True)
    for asset in re.findall(r'(?:src|href)="(swagger/[^"]+)"', html):
        with client.get(f"{API}/{asset}") as response:
            assert response.status_code == 200 and response.data, asset
