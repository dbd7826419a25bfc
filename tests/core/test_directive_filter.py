"""The directive filter the list and the dashboard share (hub/core/directive_filter.py)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from hub.core import progress
from hub.core.directive_filter import DirectiveFilter
from hub.core.errors import InvalidInput
from hub.db import read_session, write_session
from hub.models import Delivery, OrgKind, Role
from tests import factories as f
from tests.conftest import T0


@pytest.fixture
def scene(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    hni = f.org(engine, T0, OrgKind.PROVINCE, "HNI")
    p_hni, p_hcm = f.org(engine, T0, OrgKind.PLATFORM, "HNI"), f.org(engine, T0, OrgKind.PLATFORM, "HCM")
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    hni_manager = f.user(engine, T0, hni, Role.MANAGER)
    made = {
        "all": f.published(engine, T0, officer).directive,
        "hcm": f.published(engine, T0, officer, {"provinces": ["HCM"]}).directive,
        "drill": f.published(engine, T0 + f.hours(48), officer, exercise=True, kind="orientation").directive,
    }
    with write_session(engine) as s:  # only the HCM platform is late on the first directive
        mine = (Delivery.directive_id == made["all"].id, Delivery.platform_id == p_hcm.id)
        late = s.exec(select(Delivery).where(*mine)).one()
        late.due_at = T0 + f.hours(1)
        s.add(late)
    return engine, officer, hni_manager, made, p_hni


def ids(engine, who, where: DirectiveFilter) -> set[int]:
    with read_session(engine) as s:
        return {d.id for d in progress.list_directives(s, who, where=where).items}


def test_each_field_narrows_the_list(scene):
    engine, officer, _, made, _ = scene
    assert ids(engine, officer, DirectiveFilter(exercise=False)) == {made["all"].id, made["hcm"].id}
    assert ids(engine, officer, DirectiveFilter(kind="orientation")) == {made["drill"].id}
    assert ids(engine, officer, DirectiveFilter(province="HNI")) == {made["all"].id, made["drill"].id}
    assert ids(engine, officer, DirectiveFilter(since=T0 + f.hours(24))) == {made["drill"].id}
    assert ids(engine, officer, DirectiveFilter(until=T0 + f.hours(24))) == {made["all"].id, made["hcm"].id}
    assert ids(engine, officer, DirectiveFilter(overdue_at=T0 + f.hours(2))) == {made["all"].id}


def test_overdue_counts_only_the_readers_platforms(scene):
    engine, officer, hni_manager, made, _ = scene
    assert ids(engine, officer, DirectiveFilter(overdue_at=T0 + f.hours(2))) == {made["all"].id}
    assert ids(engine, hni_manager, DirectiveFilter(overdue_at=T0 + f.hours(2))) == set()


def test_an_unknown_kind_is_a_clear_error(scene):
    engine, officer, *_ = scene
    with pytest.raises(InvalidInput, match="kind"):
        ids(engine, officer, DirectiveFilter(kind="memo"))
