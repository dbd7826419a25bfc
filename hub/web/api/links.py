"""OpenAPI links: which answer feeds which next call (a created directive's id into publish, amend and revoke; an
organisation's id into a new user or token; an inbox item into its acknowledgement), declared once, so that
clients and stateful test runs can follow the API's workflows from the document alone."""

from __future__ import annotations

from typing import Any

from flask_openapi3 import OpenAPI
from flask_openapi3.models import Link

API = "/api/v1"
DIRECTIVE = "/directives/{directive_id}"
ON_A_DIRECTIVE = (
    ("GET", DIRECTIVE),
    ("PUT", DIRECTIVE),
    ("POST", f"{DIRECTIVE}/publish"),
    ("POST", f"{DIRECTIVE}/schedule"),
    ("POST", f"{DIRECTIVE}/amend"),
    ("POST", f"{DIRECTIVE}/revoke"),
    ("GET", f"{DIRECTIVE}/deliveries"),
)
ON_AN_INBOX_ITEM = tuple(("POST", f"/inbox/{{directive_id}}/{verb}") for verb in ("receipt", "acknowledge", "status"))
FIRST_ITEM = "$response.body#/items/0/id"
CREATED = "$response.body#/id"  # the id of what the operation created

# (method, path, status) of an answer -> the calls it feeds: (method, path, parameters, request body)
LINKS: dict[tuple[str, str, str], list[tuple[str, str, dict[str, str], dict[str, str] | None]]] = {
    **{
        source: [(m, p, {"directive_id": CREATED}, None) for m, p in ON_A_DIRECTIVE]
        for source in (
            ("POST", "/directives", "201"),
            ("POST", f"{DIRECTIVE}/publish", "200"),
            ("POST", f"{DIRECTIVE}/amend", "201"),
        )
    },
    ("GET", f"{DIRECTIVE}/deliveries", "200"): [
        ("GET", "/deliveries/{delivery_id}/deadlines", {"delivery_id": FIRST_ITEM}, None),
        ("POST", "/deliveries/{delivery_id}/remind", {"delivery_id": FIRST_ITEM}, None),
        ("POST", "/deliveries/{delivery_id}/review", {"delivery_id": FIRST_ITEM}, None),
    ],
    ("GET", "/inbox", "200"): [
        *((m, p, {"directive_id": FIRST_ITEM}, None) for m, p in ON_AN_INBOX_ITEM),
        ("POST", "/inbox/{directive_id}/questions", {"directive_id": FIRST_ITEM}, None),
    ],
    ("POST", "/inbox/{directive_id}/questions", "201"): [
        ("POST", "/questions/{question_id}/answer", {"question_id": CREATED}, None),
    ],
    ("POST", "/organisations", "201"): [
        ("POST", "/users", {}, {"org_id": CREATED}),
        ("POST", "/tokens", {}, {"platform_id": CREATED}),
    ],
    ("POST", "/users", "201"): [("POST", "/tokens", {}, {"user_id": CREATED})],
    ("POST", "/tokens", "201"): [
        ("POST", "/tokens/{token_id}/revoke", {"token_id": CREATED}, None),
        ("DELETE", "/tokens/{token_id}", {"token_id": CREATED}, None),
    ],
}


def _operation(app: OpenAPI, method: str, path: str) -> Any:
    return getattr(app.paths[API + path], method.lower())


def _name(method: str, path: str) -> str:
    """A link's name: the target call in words, e.g. ``post-directive-publish``."""
    words = [w for w in path.split("/") if w and not w.startswith("{")]
    return "-".join([method.lower(), *words])


def declare(app: OpenAPI) -> None:
    """Attach the links to the registered operations' answers (call after every API blueprint is registered)."""
    for (method, path, status), targets in LINKS.items():
        links = {}
        for target_method, target_path, parameters, body in targets:
            target = _operation(app, target_method, target_path)
            given = {"parameters": parameters, "requestBody": body}
            links[_name(target_method, target_path)] = Link(
                operationId=target.operationId, **{key: value for key, value in given.items() if value}
            )
        _operation(app, method, path).responses[status].links = links
