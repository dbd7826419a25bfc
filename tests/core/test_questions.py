"""Clarification questions: asked by the platform, answered by the issuer, a retry is the question already asked."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from hub.core import questions
from hub.core.errors import InvalidInput, InvalidTransition
from hub.db import read_session, write_session
from hub.models import Event, Question
from tests import factories as f
from tests.conftest import T0


def test_questions_are_asked_by_the_platform_and_answered_by_the_issuer(setup):
    engine, officer, editor, _other_editor, d = setup
    with write_session(engine) as s:
        q = questions.ask(s, editor, T0, d.id, "Does this cover comments?").question
    with write_session(engine) as s, pytest.raises(InvalidInput):
        questions.ask(s, editor, T0, d.id, "   ")
    with read_session(engine) as s:
        assert questions.unanswered(s, officer, [d.id]) == {d.id: 1}
    with write_session(engine) as s:
        answered = questions.answer(s, officer, T0, q.id, "Yes, comments too.")
    assert answered.unanswered == 0 and answered.payload["question"] == "Does this cover comments?"
    with read_session(engine) as s:
        assert questions.unanswered(s, officer, [d.id]) == {}
    assert answered.question.answer == "Yes, comments too." and answered.delivery.platform_id == editor.org_id
    with write_session(engine) as s, pytest.raises(InvalidTransition):
        questions.answer(s, officer, T0, q.id, "again")


def test_the_same_question_again_within_the_window_is_the_question_already_asked(setup):
    engine, _officer, editor, _other_editor, d = setup
    asked = []
    for at, text in [
        (T0, "Does this cover comments?"),
        (T0 + f.hours(0.1), " Does this cover comments? "),  # a retry: the same question
        (T0 + f.hours(0.1), "And videos?"),
        (T0 + f.hours(1), "Does this cover comments?"),  # long after: asked anew
    ]:
        with write_session(engine) as s:
            asked.append(questions.ask(s, editor, at, d.id, text).question.id)
    assert asked[0] == asked[1] and len(set(asked)) == 3
    with write_session(engine) as s:
        assert not questions.ask(s, editor, T0 + f.hours(0.15), d.id, "And videos?").fresh  # nobody is told twice
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Question)) == 3
        assert s.scalar(select(func.count()).select_from(Event).where(Event.kind == "question_asked")) == 3
