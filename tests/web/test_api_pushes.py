"""The API tells the socket layer about each change only after it is committed, and never about a refused call.

The socket layer is another branch's adapter; here its push functions are replaced by recorders that look at the
database the moment they are called, which is exactly the contract the API has with it.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from hub import sockets
from hub.db import read_session
from hub.models import ApiToken, Delivery, Directive, Question

API = "/api/v1"


@pytest.fixture
def pushes(world, monkeypatch):
    seen: list[tuple[str, object]] = []
    engine = world.app.extensions["hub"].engine

    def committed(model, **where):
        with read_session(engine) as s:
            query = select(model)
            for name, value in where.items():
                query = query.where(getattr(model, name) == value)
            return s.exec(query).first()

    def published(p, rooms):
        seen.append(("published", committed(Directive, id=p.directive.id).status))

    def progress(directive_ids):
        seen.append(("progress", [d.state for d in [committed(Delivery, directive_id=i) for i in directive_ids]]))

    def revoked(directive_id, ref_no, reason, platform_ids):
        seen.append(("revoked", (committed(Directive, id=directive_id).status, sorted(platform_ids))))
        progress([directive_id])  # as the real push_revoked does

    def answer(platform_id, payload):
        seen.append(("answer", committed(Question, id=payload["question_id"]).answer))

    def disconnect(token_id):
        seen.append(("disconnect", committed(ApiToken, id=token_id).revoked_at is not None))

    monkeypatch.setattr(sockets, "push_published", published)
    monkeypatch.setattr(sockets, "push_revoked", revoked)
    monkeypatch.setattr(sockets, "push_progress", progress)
    monkeypatch.setattr(sockets, "push_answer", answer)
    monkeypatch.setattr(sockets, "disconnect_token", disconnect)
    return seen


def test_each_change_is_pushed_after_its_commit(world, pushes):
    ids = world.ids
    draft = {"title": "T", "body": "B", "audience": {"all": True}, "publish": True}
    for who, url, body in (
        ("reg_officer", "/directives", draft),
        ("reg_officer", f"/directives/{ids['hcm']}/revoke", {"reason": "x"}),
        ("p1_machine", f"/inbox/{ids['hni']}/acknowledge", None),
        ("reg_officer", f"/questions/{ids['question_p1']}/answer", {"text": "A"}),
        ("admin", f"/tokens/{ids['token_p3_machine']}/revoke", None),
    ):
        assert world.call(who, "POST", API + url, json=body).status_code in (200, 201), url
    assert pushes == [
        ("published", "published"),
        ("revoked", ("revoked", [ids["org_p3"]])),
        ("progress", ["implemented"]),  # P3's delivery of the revoked directive, as it was
        ("progress", ["acknowledged"]),
        ("answer", "A"),
        ("disconnect", True),
    ]


def test_refused_and_repeated_calls_push_nothing(world, pushes):
    ids = world.ids
    assert world.call("reg_officer", "POST", f"{API}/directives/{ids['central']}/publish").status_code == 409
    assert world.call("p3_machine", "POST", f"{API}/inbox/{ids['hni']}/acknowledge").status_code == 404
    assert world.call("p1_machine", "POST", f"{API}/inbox/{ids['central']}/receipt").get_json()["changed"] is False
    assert pushes == []
