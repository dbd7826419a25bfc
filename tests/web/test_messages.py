"""Error messages are translated by their stable code: every code has its Vietnamese text with the same values, the
API answers with the code and a message in the request's language, and nothing shows an id a person never saw."""

from __future__ import annotations

import ast
import re

from babel.messages.pofile import read_po
from babel.support import Translations

from hub import ROOT
from hub.core.errors import MESSAGES, HubError, InvalidInput, NotFound

API = "/api/v1"
VI_PO = ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
ERROR_CLASSES = {"InvalidInput", "Unauthenticated", "Forbidden", "NotFound", "Conflict", "InvalidTransition"}
ERROR_CLASSES |= {"Unavailable", "MalformedJson", "invalid_field"}


def _literals_outside_the_catalogue() -> set[str]:
    """Every string literal of the server's code, but for the catalogue itself."""
    found: set[str] = set()
    for path in (ROOT / "hub").rglob("*.py"):
        if path == ROOT / "hub" / "core" / "errors.py" or "client" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def _raised_codes() -> set[str]:
    """The first argument of every ``SomeError("code", ...)`` written in the server's code; a message written
    out (an f-string, a sentence) instead of a code fails."""
    codes = set()
    for path in (ROOT / "hub").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            names = {getattr(n, "id", None) for n in ast.walk(node.func)}
            if not names & ERROR_CLASSES:
                continue
            first = node.args[0]
            assert isinstance(first, ast.Constant | ast.Name | ast.Attribute), f"{path}:{node.lineno} names no code"
            if isinstance(first, ast.Constant):
                codes.add(first.value)
    return codes


def test_every_error_code_has_a_vietnamese_message_with_the_same_values():
    with VI_PO.open("rb") as po:
        catalogue = read_po(po)
    compiled = Translations.load(str(ROOT / "translations"), ["vi"])
    for code, english in MESSAGES.items():
        entry = catalogue.get(english)
        assert entry is not None and entry.string, f"{code}: no Vietnamese text for {english!r}"
        assert set(PLACEHOLDER.findall(entry.string)) == set(PLACEHOLDER.findall(english)), code
        assert compiled.gettext(english) == entry.string, f"{code}: the compiled catalogue is stale"


def test_every_code_raised_is_in_the_catalogue_and_every_code_in_it_is_used():
    raised = _raised_codes()
    assert raised - set(MESSAGES) == set()
    assert set(MESSAGES) - _literals_outside_the_catalogue() == set(), "codes nothing raises"


def test_a_domain_error_carries_its_code_and_the_values_a_person_knows():
    error = NotFound("platforms_unknown", platforms="P-NOPE")
    assert (error.kind, error.code, error.values) == ("not_found", "platforms_unknown", {"platforms": "P-NOPE"})
    assert error.message == "unknown platforms: P-NOPE"
    assert isinstance(InvalidInput("page_invalid"), HubError)


def test_the_api_answers_with_the_code_and_a_message_in_the_requested_language(world):
    headers = {**world.headers("p1_machine"), "Accept-Language": "vi"}
    vi = world.client.post(f"{API}/inbox/999999/acknowledge", headers=headers)
    en = world.call("p1_machine", "POST", f"{API}/inbox/999999/acknowledge")
    assert vi.status_code == en.status_code == 404
    assert vi.get_json()["code"] == en.get_json()["code"] == "directive_not_in_inbox"
    assert vi.get_json()["message"] == "văn bản này không có trong hộp thư của bạn"
    assert en.get_json()["message"] == "this directive is not in your inbox"


def test_a_missing_directive_is_not_named_by_its_internal_id(world):
    response = world.call("reg_officer", "GET", f"{API}/directives/987654")
    assert response.status_code == 404 and response.get_json()["code"] == "directive_not_found"
    assert "987654" not in response.get_json()["message"]


def test_an_overlapping_period_names_the_period_not_a_report_number(world):
    overlap = {"period_start": "2026-01-15", "period_end": "2026-02-15", "items_published": 10, "negative_items": 1}
    headers = {**world.headers("p1_machine"), "Accept-Language": "vi-VN,vi;q=0.9"}
    response = world.client.post(f"{API}/ratio-reports", json=overlap, headers=headers)
    body = response.get_json()
    assert response.status_code == 409 and body["code"] == "period_overlaps"
    assert "2026-01-01" in body["message"] and "2026-01-31" in body["message"] and "trùng" in body["message"]


def test_the_openapi_document_describes_the_code_of_an_error(world):
    schema = world.client.get(f"{API}/openapi.json").get_json()["components"]["schemas"]["ErrorOut"]
    assert "code" in schema["properties"]


def _logged_kinds() -> set[str]:
    """The kind of every event the server's code writes by name: the first argument of ``EventDraft(...)`` and of
    ``_draft(...)``, the second of ``_log(session, ...)``, when it is a string or a module constant holding one (a
    kind made at run time, such as ``report_{verdict}``, is not seen here)."""
    kinds = set()
    for path in (ROOT / "hub").rglob("*.py"):
        tree = ast.parse(path.read_text())
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", None))
            at = {"EventDraft": 0, "_draft": 0, "_log": 1}.get(name)
            if at is None or len(node.args) <= at:
                continue
            kind = node.args[at]
            if isinstance(kind, ast.Constant):
                kinds.add(kind.value)
            elif isinstance(kind, ast.Name) and kind.id in constants:
                kinds.add(constants[kind.id])
    return kinds


def test_every_kind_of_event_the_hub_logs_has_a_name_on_the_log_page():
    from hub.web.pages.base import EVENT_LABELS

    kinds = _logged_kinds()
    assert {"published", "webhook_registered", "evidence_attached", "checkpoint"} <= kinds  # the scan finds them
    assert kinds - set(EVENT_LABELS) == set(), "shown raw on the log page, and not offered by its filter"
