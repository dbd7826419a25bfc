"""Clarification questions: a platform asks the issuer about a directive it received, the issuer answers, and the
officers see how many questions wait for an answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from hub.core import log
from hub.core.access import Principal, get_own_directive, may_see_platform
from hub.core.deliveries import own_delivery
from hub.core.errors import InvalidInput, InvalidTransition, NotFound
from hub.core.limits import trimmed
from hub.models import Delivery, Organisation, Question

REPEAT_WINDOW = timedelta(minutes=10)  # the same question on the same delivery within it is the same question


@dataclass(frozen=True)
class Answered:
    """An answered question, and the answer to push to the platform that asked."""

    question: Question
    delivery: Delivery

    @property
    def payload(self) -> dict:
        """The answer as the platform receives it."""
        question, delivery = self.question, self.delivery
        return {"directive_id": delivery.directive_id, "question_id": question.id, "answer": question.answer}


def _log(session: Session, kind: str, actor: str, now: datetime, delivery: Delivery, province: str | None, qid: int):
    ids = {"org_id": delivery.platform_id, "directive_id": delivery.directive_id, "delivery_id": delivery.id}
    log.append(session, log.EventDraft(kind, actor, now, province=province, details={"question_id": qid}, **ids))


def ask(session: Session, principal: Principal, now: datetime, directive_id: int, text: str) -> Question:
    """A platform asks the issuer to clarify a directive; asking it again soon after (a client's retry, a second
    click) answers the question already asked rather than writing it twice."""
    text = trimmed(text)
    if not text or len(text) > 5000:
        raise InvalidInput("a question of 1-5000 characters is required")
    delivery, _ = own_delivery(session, principal, directive_id)
    same = (Question.delivery_id == delivery.id, Question.text == text, Question.asked_at >= now - REPEAT_WINDOW)
    earlier = session.exec(select(Question).where(*same).order_by(Question.id).limit(1)).first()
    if earlier is not None:
        return earlier
    question = Question(delivery_id=delivery.id, text=text, asked_by=principal.label, asked_at=now)
    session.add(question)
    session.flush()
    province = session.get(Organisation, delivery.platform_id).province
    _log(session, "question_asked", principal.label, now, delivery, province, question.id)
    return question


def answer(session: Session, principal: Principal, now: datetime, question_id: int, text: str) -> Answered:
    """The issuer answers a platform's question."""
    text = trimmed(text)
    if not text or len(text) > 5000:
        raise InvalidInput("an answer of 1-5000 characters is required")
    question = session.get(Question, question_id)
    if question is None:
        raise NotFound(f"question {question_id} not found")
    delivery = session.get(Delivery, question.delivery_id)
    get_own_directive(session, principal, delivery.directive_id)
    platform = session.get(Organisation, delivery.platform_id)
    if not may_see_platform(principal, platform):
        raise NotFound(f"question {question_id} not found")
    if question.answer is not None:
        raise InvalidTransition("this question is already answered")
    question.answer, question.answered_by, question.answered_at = text, principal.label, now
    session.add(question)
    _log(session, "question_answered", principal.label, now, delivery, platform.province, question.id)
    return Answered(question, delivery)


def questions_for(session: Session, delivery_ids: list[int]) -> dict[int, list[Question]]:
    """The questions asked on each delivery, oldest first."""
    out: dict[int, list[Question]] = {}
    if not delivery_ids:
        return out
    for q in session.exec(select(Question).where(Question.delivery_id.in_(delivery_ids)).order_by(Question.id)):
        out.setdefault(q.delivery_id, []).append(q)
    return out
