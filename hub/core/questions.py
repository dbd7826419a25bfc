"""Clarification questions: a platform asks the issuer about a directive it received, the issuer answers, and the
officers see how many questions wait for an answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from hub.core import log
from hub.core.access import Principal, get_own_directive, may_see_platform, platform_scope
from hub.core.deliveries import own_delivery
from hub.core.errors import InvalidInput, InvalidTransition, NotFound
from hub.core.limits import trimmed
from hub.models import Delivery, Directive, Organisation, OrgKind, Question

REPEAT_WINDOW = timedelta(minutes=10)  # the same question on the same delivery within it is the same question


@dataclass(frozen=True)
class Asked:
    """A question as asked: whether it is new (a repeat within minutes is not), and the notice for the issuer's
    console (``issuer_province`` says which console room: None for the central regulator)."""

    question: Question
    fresh: bool
    issuer_province: str | None = None
    notice: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Answered:
    """An answered question, and the answer to push to the platform that asked (and the count to the issuer)."""

    question: Question
    delivery: Delivery
    directive: Directive
    issuer_province: str | None = None
    unanswered: int = 0

    @property
    def payload(self) -> dict:
        """The answer as the platform receives it."""
        question, directive = self.question, self.directive
        return {
            "directive_id": directive.id,
            "ref_no": directive.ref_no,
            "title": directive.title,
            "question_id": question.id,
            "question": question.text,
            "answer": question.answer,
        }

    @property
    def notice(self) -> dict:
        """What the issuer's consoles update: one question fewer waits on this directive."""
        return {"directive_id": self.directive.id, "question_id": self.question.id, "unanswered": self.unanswered}


def _log(session: Session, kind: str, actor: str, now: datetime, delivery: Delivery, province: str | None, qid: int):
    ids = {"org_id": delivery.platform_id, "directive_id": delivery.directive_id, "delivery_id": delivery.id}
    log.append(session, log.EventDraft(kind, actor, now, province=province, details={"question_id": qid}, **ids))


def ask(session: Session, principal: Principal, now: datetime, directive_id: int, text: str) -> Asked:
    """A platform asks the issuer to clarify a directive; asking it again soon after (a client's retry, a second
    click) answers the question already asked rather than writing it twice."""
    text = trimmed(text)
    if not text or len(text) > 5000:
        raise InvalidInput("question_invalid")
    delivery, directive = own_delivery(session, principal, directive_id)
    same = (Question.delivery_id == delivery.id, Question.text == text, Question.asked_at >= now - REPEAT_WINDOW)
    earlier = session.exec(select(Question).where(*same).order_by(Question.id).limit(1)).first()
    if earlier is not None:
        return Asked(earlier, False)
    question = Question(delivery_id=delivery.id, text=text, asked_by=principal.label, asked_at=now)
    session.add(question)
    session.flush()
    platform = session.get(Organisation, delivery.platform_id)
    _log(session, "question_asked", principal.label, now, delivery, platform.province, question.id)
    notice = {
        "directive_id": directive.id,
        "ref_no": directive.ref_no,
        "title": directive.title,
        "question_id": question.id,
        "platform": platform.name,
        "platform_code": platform.code,
        "text": question.text,
        "unanswered": _unanswered_on(session, directive.id),
    }
    return Asked(question, True, _issuer_province(session, directive), notice)


def answer(session: Session, principal: Principal, now: datetime, question_id: int, text: str) -> Answered:
    """The issuer answers a platform's question."""
    text = trimmed(text)
    if not text or len(text) > 5000:
        raise InvalidInput("answer_invalid")
    question = session.get(Question, question_id)
    if question is None:
        raise NotFound("question_not_found")
    delivery = session.get(Delivery, question.delivery_id)
    get_own_directive(session, principal, delivery.directive_id)
    platform = session.get(Organisation, delivery.platform_id)
    if not may_see_platform(principal, platform):
        raise NotFound("question_not_found")
    if question.answer is not None:
        raise InvalidTransition("question_answered")
    question.answer, question.answered_by, question.answered_at = text, principal.label, now
    session.add(question)
    session.flush()
    _log(session, "question_answered", principal.label, now, delivery, platform.province, question.id)
    directive = session.get(Directive, delivery.directive_id)
    waiting = _unanswered_on(session, directive.id)
    return Answered(question, delivery, directive, _issuer_province(session, directive), waiting)


def _issuer_province(session: Session, directive: Directive) -> str | None:
    issuer = session.get(Organisation, directive.issuer_id)
    return issuer.province if issuer.kind == OrgKind.PROVINCE else None


def _unanswered_on(session: Session, directive_id: int) -> int:
    query = (
        sa.select(sa.func.count(Question.id))
        .join(Delivery, Delivery.id == Question.delivery_id)
        .where(Delivery.directive_id == directive_id, Question.answered_at.is_(None))
    )
    return session.scalar(query) or 0


def unanswered(session: Session, principal: Principal, directive_ids: list[int]) -> dict[int, int]:
    """How many questions wait for an answer on each directive, from platforms the reader may see (absent: none)."""
    if not directive_ids:
        return {}
    query = (
        sa.select(Delivery.directive_id, sa.func.count(Question.id))
        .join(Delivery, Delivery.id == Question.delivery_id)
        .join(Organisation, Organisation.id == Delivery.platform_id)
        .where(Delivery.directive_id.in_(directive_ids), Question.answered_at.is_(None), platform_scope(principal))
        .group_by(Delivery.directive_id)
    )
    return {directive_id: n for directive_id, n in session.execute(query)}


def questions_for(session: Session, delivery_ids: list[int]) -> dict[int, list[Question]]:
    """The questions asked on each delivery, oldest first."""
    out: dict[int, list[Question]] = {}
    if not delivery_ids:
        return out
    for q in session.exec(select(Question).where(Question.delivery_id.in_(delivery_ids)).order_by(Question.id)):
        out.setdefault(q.delivery_id, []).append(q)
    return out
