"""A property-based run of the OpenAPI document (schemathesis) against the app: every operation, valid and invalid
requests, authenticated as the role each operation is for. What the document allows must be accepted, what it
refuses must be refused with a documented 4xx, and every answer must match its documented status, content type and
schema. Once on SQLite, once (fewer cases) on PostgreSQL, and once statefully along the document's links.
Bounded and derandomised, so a CI run is short and repeatable."""

from __future__ import annotations

import base64
import tempfile
from datetime import UTC, date, datetime, timedelta

import schemathesis
from hypothesis import HealthCheck, Phase, settings

from hub import create_app

API = "/api/v1"
CONFIG = {
    "seed": 664,
    "generation": {
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


DOCUMENT = _document()


TIMES = ("publish_at", "ack_due_at", "implement_due_at", "expires_at")  # each after the one before, all ahead


def _times_in_order(body: dict) -> None:
    """Move the times that are past or out of order to just after the one before (the document states that order
    in words, not in a schema)."""
    floor = datetime.now(UTC) + timedelta(minutes=5)
    for name in TIMES:
        if isinstance(body.get(name), str):
            at = datetime.fromisoformat(body[name])
            floor = at if at > floor else floor + timedelta(hours=1)
            body[name] = floor.isoformat()


def _period_in_order(body: dict) -> None:
    """A reported period starts by today and lasts at most a year; the negative items are among those published."""
    if isinstance(body.get("period_start"), str) and isinstance(body.get("period_end"), str):
        start = min(date.fromisoformat(body["period_start"]), datetime.now(UTC).date())
        end = date.fromisoformat(body["period_end"])
        body["period_start"] = start.isoformat()
        body["period_end"] = (end if start <= end <= start + timedelta(days=366) else start).isoformat()
    counts = body.get("items_published"), body.get("negative_items")
    if all(isinstance(n, int | float) for n in counts):
        body["items_published"], body["negative_items"] = max(counts), min(counts)


PDF = b"%PDF-1.4\n"


def _real_files(body: dict) -> None:
    """Uploaded files are what they say they are (the type is read from the content, which no schema can state)."""
    if isinstance(body.get("files"), list):
        for item in body["files"]:
            if isinstance(item, dict) and "content_base64" in item:
                item["content_base64"] = base64.b64encode(PDF).decode()
    if isinstance(body.get("file"), list):
        body["file"] = [PDF for _ in body["file"]]


def _within_the_rules_between_fields(context, case):
    """Valid data honours the rules between fields that the document states in its descriptions (times in order,
    periods in order, negative items among those published, files of an accepted type); invalid data is left as it
    was generated."""
    if case.meta is not None and case.meta.generation.mode.is_positive and isinstance(case.body, dict):
        _times_in_order(case.body)
        _period_in_order(case.body)
        _real_files(case.body)
    return case


def _load(max_examples: int, **phases: dict) -> schemathesis.BaseSchema:
    """The document as schemathesis sees it: ``max_examples`` generated cases per operation, and the given phases."""
    config = {**CONFIG, "generation": {**CONFIG["generation"], "max-examples": max_examples}, "phases": phases}
    loaded = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict(config))
    loaded.hook("map_case")(_within_the_rules_between_fields)
    return loaded


schema = _load(8)  # examples, then every boundary and wrong type the document defines, then 8 generated
# On PostgreSQL, whose limits SQLite lacks (32-bit columns): generated cases only, valid and invalid, fewer.
pg_schema = _load(4, examples={"enabled": False}, coverage={"enabled": False})


STATEFUL = settings(
    max_examples=12,
    stateful_step_count=8,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _role(case) -> str:
    path, method = case.operation.path, case.operation.method.upper()
    if path.startswith(f"{API}/inbox") or (path == f"{API}/ratio-reports" and method == "POST"):
        return "p1_machine"
    if path.startswith(f"{API}/events"):
        return "reg_manager"
    if path.startswith((f"{API}/organisations", f"{API}/users", f"{API}/tokens")):
        return "admin"
    return "reg_officer"


def _call(world, case) -> dict:
    """How to send a case: to the world's app, as the role of its operation, reading (and so closing) every answer
    as a real client does, streamed CSV included."""
    return {"app": world.app, "headers": world.headers(_role(case)), "buffered": True}


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_document(case, world):
    case.operation.schema.app = world.app  # calls, and the probes some checks send on their own, go to it
    case.call_and_validate(**_call(world, case))


@pg_schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_document_on_postgresql(case, pg_world):
    case.operation.schema.app = pg_world.app
    case.call_and_validate(**_call(pg_world, case))


def test_the_api_keeps_its_document_along_its_links(world):
    """Scenarios of up to 8 calls that follow the document's links (a directive's id into publish, amend, revoke; an
    organisation into a user and a token; an inbox item into its status): every step answers as documented, and the
    linked calls that need an earlier answer's id do succeed."""
    linked: list[tuple[str, int]] = []  # the calls that used a value from an earlier answer, and their status

    class Workflows(_load(8).as_state_machine()):  # a fresh load: what other tests taught a schema plays no part
        def setup(self):
            world.reset()  # every scenario starts from the same world, so a replayed one behaves the same

        def get_call_kwargs(self, case):
            return _call(world, case)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # Name the headers as sent, so that the auth checks know the token is ours, as in the other tests.
            case.validate_response(response, headers=kwargs["headers"], transport_kwargs=kwargs, recorder=self.recorder)

        def step(self, input):
            output = super().step(input)
            if input.transition is not None and input.applied_parameters:
                linked.append((input.case.operation.label, output.response.status_code))
            return output

    Workflows.schema.app = world.app
    Workflows.run(settings=STATEFUL)
    succeeded = {label for label, status in linked if status < 300}
    assert len(succeeded) >= 2, linked  # links lead somewhere: at least two different calls succeeded through them
