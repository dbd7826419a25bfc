from sqlmodel import select

from hub.core import deliveries, log
from hub.db import read_session, write_session
from hub.models import Delivery, DeliveryState, OrgKind, Role
from tests import factories as f
from tests.conftest import T0


def test_publish_to_a_province_reaches_exactly_its_platforms_with_sequence_numbers(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    hanoi = [f.org(engine, T0, OrgKind.PLATFORM, "HNI") for _ in range(3)]
    f.org(engine, T0, OrgKind.PLATFORM, "HCM")
    first = f.published(engine, T0, officer, {"provinces": ["HNI"]})
    second = f.published(engine, T0, officer, {"all": True})
    with read_session(engine) as s:
        rows = s.exec(select(Delivery).order_by(Delivery.id)).all()
    assert {d.platform_id for d in rows if d.directive_id == first.directive.id} == {p.id for p in hanoi}
    assert sorted(d.seq for d in rows if d.platform_id == hanoi[0].id) == [1, 2]
    assert first.directive.ref_no.startswith("1/") and second.directive.ref_no.startswith("2/")
    editor, _ = f.machine(engine, T0, hanoi[0])
    with write_session(engine) as s:
        change = deliveries.acknowledge(s, editor, T0, first.directive.id)
        assert change.changed and change.delivery.state == DeliveryState.ACKNOWLEDGED
    with read_session(engine) as s:
        assert log.verify(s).ok
