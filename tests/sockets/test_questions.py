"""Clarification questions travel live both ways, against a real hub process with real Socket.IO clients: the
platform's question reaches the issuer's console with the count still waiting, the answer reaches the platform."""

from __future__ import annotations

import urllib.request

import pytest

from tests.e2e import sockclient
from tests.e2e.world import api

pytestmark = pytest.mark.slow


def page(hub, path: str, cookie: str) -> str:
    request = urllib.request.Request(hub.url + path, headers={"Cookie": cookie, "Accept-Language": "en"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def test_a_question_reaches_the_issuers_console_and_the_answer_reaches_the_platform(world, hub):
    platform = world.platform("HNI")
    directive = world.publish(hub, {"platforms": [platform.org.code]}, title="Storm coverage")
    issuer = sockclient.console(hub.url, world.session_cookie(world.officer))
    other_province = sockclient.console(hub.url, world.session_cookie(world.hanoi_manager))
    client = sockclient.platform(hub.url, platform.token, since=platform.org.delivery_seq)
    client.wait_for("directive")

    asked = client.call("question", {"directive_id": directive["id"], "text": "Does this cover live streams?"})
    assert asked["ok"] is True
    [notice] = issuer.wait_for("question")
    assert notice == {
        "directive_id": directive["id"],
        "ref_no": directive["ref_no"],
        "title": "Storm coverage",
        "question_id": asked["question_id"],
        "platform": platform.org.name,
        "platform_code": platform.org.code,
        "text": "Does this cover live streams?",
        "unanswered": 1,
    }
    # The same question again (a client's retry) is the question already asked: nobody is told twice.
    again = client.call("question", {"directive_id": directive["id"], "text": "Does this cover live streams?"})
    assert again == asked
    listed = page(hub, "/console", world.session_cookie(world.officer))
    assert f'data-unanswered="{directive["id"]}"' in listed and "Questions waiting" in listed

    answer = {"text": "Yes, live streams too."}
    api(hub, "POST", f"/api/v1/questions/{asked['question_id']}/answer", world.officer_token, answer)
    [answered] = client.wait_for("answer")
    assert answered == {
        "directive_id": directive["id"],
        "ref_no": directive["ref_no"],
        "title": "Storm coverage",
        "question_id": asked["question_id"],
        "question": "Does this cover live streams?",
        "answer": "Yes, live streams too.",
    }
    [settled] = issuer.wait_for("question_answered")
    assert settled == {"directive_id": directive["id"], "question_id": asked["question_id"], "unanswered": 0}
    assert len(issuer.events("question")) == 1
    # The Hanoi department did not issue the directive: its console is not asked to answer.
    assert other_province.events("question") == other_province.events("question_answered") == []
    for c in (issuer, other_province, client):
        c.close()


def test_a_question_asked_over_the_api_reaches_the_console_too(world, hub):
    platform = world.platform("HCM")
    directive = world.publish(hub, {"platforms": [platform.org.code]})
    issuer = sockclient.console(hub.url, world.session_cookie(world.officer))
    path = f"/api/v1/inbox/{directive['id']}/questions"
    asked = api(hub, "POST", path, platform.token, {"text": "Which sections?"})
    [notice] = issuer.wait_for("question")
    assert (notice["question_id"], notice["text"], notice["unanswered"]) == (asked["id"], "Which sections?", 1)
    issuer.close()
