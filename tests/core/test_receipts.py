"""Receipts: a platform's system confirms a delivery once; a batch ignores what is not the platform's."""

from __future__ import annotations

from hub.core import receipts
from hub.core.receipts import ReceiptIn
from hub.db import write_session
from hub.models import DeliveryState
from tests import factories as f
from tests.conftest import T0


def test_receipt_records_delivered_once(setup):
    engine, _, editor, _, d = setup
    with write_session(engine) as s:
        first = receipts.receipt(s, editor, T0, directive_id=d.id)
    before = f.event_count(engine)
    with write_session(engine) as s:
        again = receipts.receipt(s, editor, T0.replace(hour=5), seq=first.delivery.seq)
    assert again.delivery.state == DeliveryState.DELIVERED and again.delivery.delivered_at == T0
    assert first.changed and not again.changed
    assert f.event_count(engine) == before


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
