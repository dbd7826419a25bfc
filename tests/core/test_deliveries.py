"""The delivery state machine, idempotency, review and questions; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from hub.core import deliveries, inbox, progress, questions, receipts
from hub.core.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from hub.core.receipts import ReceiptIn
from hub.db import read_session, write_session
from hub.models import Delivery, DeliveryState, Event, OrgKind, Question, Role
from tests import factories as f
from tests.conftest import T0


@pytest.fixture
def setup(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    platform = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    other = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    editor = f.user(engine, T0, platform, Role.EDITOR)
    other_editor = f.user(engine, T0, other, Role.EDITOR)
    directive = f.published(engine, T0, officer, {"provinces": ["HNI"]}).directive
    return engine, officer, editor, other_editor, directive


def delivery_of(engine, directive_id, platform_id) -> Delivery:
    with read_session(engine) as s:
        return s.exec(
            select(Delivery).where(Delivery.directive_id == directive_id, Delivery.platform_id == platform_id)
        ).one()


def event_count(engine) -> int:
    with read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(Event))


def test_receipt_records_delivered_once(setup):
    engine, _, editor, _, d = setup
    with write_session(engine) as s:
        first = receipts.receipt(s, editor, T0, directive_id=d.id)
    before = event_count(engine)
    with write_session(engine) as s:
        again = receipts.receipt(s, editor, T0.replace(hour=5), seq=first.delivery.seq)
    assert again.delivery.state == DeliveryState.DELIVERED and again.delivery.delivered_at == T0
    assert first.changed and not again.changed
    assert event_count(engine) == before


def test_batch_receipts_ignore_what_is_not_the_platforms(setup):
    engine, _, editor, other_editor, d = setup
    with write_session(engine) as s:
        results = receipts.record_receipts(
            s,
            T0,
            [
                ReceiptIn(editor.org_id, "a", directive_id=d.id),
                ReceiptIn(editor.org_id, "a", seq=99),
                ReceiptIn(other_editor.org_id, "b", seq=1),
            ],
        )
    assert [r[1] is not None for r in results] == [True, False, True]


def test_acknowledging_implies_delivered_and_is_idempotent(setup):
    engine, _, editor, _, d = setup
    with write_session(engine) as s:
        change = deliveries.acknowledge(s, editor, T0, d.id)
    assert change.changed
    row = delivery_of(engine, d.id, editor.org_id)
    assert row.state == DeliveryState.ACKNOWLEDGED and row.delivered_at == T0 and row.acknowledged_by == editor.label
    assert row.due_at == d.implement_due_at
    before = event_count(engine)
    with write_session(engine) as s:
        assert not deliveries.acknowledge(s, editor, T0, d.id).changed
    assert event_count(engine) == before


def test_full_forward_path_logs_each_step(setup):
    engine, _, editor, _, d = setup
    with write_session(engine) as s:
        receipts.receipt(s, editor, T0, directive_id=d.id)
        deliveries.acknowledge(s, editor, T0, d.id)
        deliveries.set_status(s, editor, T0, d.id, "in_progress", "working on it")
        deliveries.set_status(s, editor, T0, d.id, "implemented", "removed 12 items")
    row = delivery_of(engine, d.id, editor.org_id)
    assert row.state == DeliveryState.IMPLEMENTED and row.report == "removed 12 items" and row.due_at is None
    with read_session(engine) as s:
        kinds = list(s.exec(select(Event.kind).where(Event.delivery_id == row.id).order_by(Event.id)))
    assert kinds == ["delivered", "acknowledged", "status_changed", "status_changed"]


@pytest.mark.parametrize(
    ("state", "report", "error"),
    [
        ("declined", None, InvalidInput),
        ("implemented", "", InvalidInput),
        ("pending", None, InvalidInput),
        ("bogus", None, InvalidInput),
    ],
)
def test_bad_status_requests_are_refused_and_change_nothing(setup, state, report, error):
    engine, _, editor, _, d = setup
    before = event_count(engine)
    with write_session(engine) as s, pytest.raises(error):
        deliveries.set_status(s, editor, T0, d.id, state, report)
    assert delivery_of(engine, d.id, editor.org_id).state == DeliveryState.PENDING
    assert event_count(engine) == before


def test_states_never_go_back_and_final_states_stay_final(setup):
    engine, _, editor, _, d = setup
    with write_session(engine) as s:
        deliveries.set_status(s, editor, T0, d.id, "in_progress")
    with write_session(engine) as s:
        assert not deliveries.acknowledge(s, editor, T0, d.id).changed  # implied already: a repeat, not an error
    assert delivery_of(engine, d.id, editor.org_id).state == DeliveryState.IN_PROGRESS
    with write_session(engine) as s:
        deliveries.set_status(s, editor, T0, d.id, "declined", "not applicable: we publish no video")
    with write_session(engine) as s, pytest.raises(InvalidTransition):
        deliveries.set_status(s, editor, T0, d.id, "implemented", "done")
    with write_session(engine) as s, pytest.raises(InvalidTransition):
        deliveries.set_status(s, editor, T0, d.id, "in_progress")


def test_platform_cannot_touch_another_platforms_delivery(setup):
    engine, officer, _editor, _, d = setup
    outsider_platform = f.org(engine, T0, OrgKind.PLATFORM, "HCM")
    outsider = f.user(engine, T0, outsider_platform, Role.EDITOR)
    with write_session(engine) as s, pytest.raises(NotFound):
        deliveries.acknowledge(s, outsider, T0, d.id)
    with write_session(engine) as s, pytest.raises(Forbidden):
        deliveries.acknowledge(s, officer, T0, d.id)


def test_revoked_directive_needs_no_more_work(setup):
    engine, officer, editor, _, d = setup
    from hub.core import directives

    with write_session(engine) as s:
        directives.revoke(s, officer, T0, d.id, "withdrawn")
    with write_session(engine) as s, pytest.raises(InvalidTransition, match="revoked"):
        deliveries.acknowledge(s, editor, T0, d.id)


def test_issuer_verifies_or_returns_a_report(setup):
    engine, officer, editor, _, d = setup
    with write_session(engine) as s:
        deliveries.set_status(s, editor, T0, d.id, "implemented", "done")
    row = delivery_of(engine, d.id, editor.org_id)
    with write_session(engine) as s, pytest.raises(InvalidInput):
        deliveries.review_report(s, officer, T0, row.id, "returned")
    with write_session(engine) as s:
        returned = deliveries.review_report(s, officer, T0, row.id, "returned", "attach the list of removed items")
    assert returned.delivery.state == DeliveryState.IN_PROGRESS and returned.delivery.due_at is not None
    with write_session(engine) as s:
        deliveries.set_status(s, editor, T0, d.id, "implemented", "done, list attached")
        verified = deliveries.review_report(s, officer, T0, row.id, "verified")
    assert verified.delivery.verification == "verified"
    with write_session(engine) as s, pytest.raises(Forbidden):
        deliveries.review_report(s, editor, T0, row.id, "verified")


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


def test_inbox_replays_in_order_after_since_and_only_own(setup):
    engine, officer, editor, _other_editor, first = setup
    second = f.published(engine, T0, officer, {"provinces": ["HNI"]}).directive
    with read_session(engine) as s:
        rows = inbox.inbox(s, editor, since=0)
        after = inbox.inbox(s, editor, since=1)
        assert inbox.inbox_head(s, editor.org_id) == 2
    assert [(d.seq, x.id) for d, x, _ in rows] == [(1, first.id), (2, second.id)]
    assert [d.seq for d, _, _ in after] == [2]
    assert all(d.platform_id == editor.org_id for d, _, _ in rows)


def test_progress_counts_read_as_a_funnel(setup):
    engine, officer, editor, _other_editor, d = setup
    with write_session(engine) as s:
        deliveries.set_status(s, editor, T0, d.id, "implemented", "done")
    with read_session(engine) as s:
        p = progress.progress(s, officer, [d.id], T0)[d.id]
        late = progress.progress(s, officer, [d.id], d.ack_due_at.replace(year=2030))[d.id]
    assert (p.total, p.delivered, p.acknowledged, p.implemented, p.pending) == (2, 1, 1, 1, 1)
    assert late.overdue == 1
