"""Read scope at the service level: a province sees only its platforms, a platform only itself."""

from __future__ import annotations

import pytest

from hub.core import log, progress
from hub.core.errors import Forbidden, NotFound
from hub.db import read_session
from hub.models import OrgKind, Role
from tests import factories as f
from tests.conftest import T0


@pytest.fixture
def scene(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    hni, hcm = f.org(engine, T0, OrgKind.PROVINCE, "HNI"), f.org(engine, T0, OrgKind.PROVINCE, "HCM")
    p_hni, p_hcm = f.org(engine, T0, OrgKind.PLATFORM, "HNI"), f.org(engine, T0, OrgKind.PLATFORM, "HCM")
    people = {
        "officer": f.user(engine, T0, regulator, Role.OFFICER),
        "manager": f.user(engine, T0, regulator, Role.MANAGER),
        "hni_officer": f.user(engine, T0, hni, Role.OFFICER),
        "hni_manager": f.user(engine, T0, hni, Role.MANAGER),
        "hcm_officer": f.user(engine, T0, hcm, Role.OFFICER),
        "editor": f.user(engine, T0, p_hni, Role.EDITOR),
    }
    national = f.published(engine, T0, people["officer"]).directive
    hcm_local = f.published(engine, T0, people["hcm_officer"]).directive
    return engine, people, national, hcm_local, p_hni, p_hcm


def test_province_lists_only_directives_reaching_it_and_counts_only_its_platforms(scene):
    engine, people, national, hcm_local, p_hni, _ = scene
    with read_session(engine) as s:
        seen = {d.id for d in progress.list_directives(s, people["hni_manager"]).items}
        rows = progress.directive_deliveries(s, people["hni_manager"], national.id).items
        counts = progress.progress(s, people["hni_manager"], [national.id], T0)[national.id]
        everything = progress.progress(s, people["manager"], [national.id], T0)[national.id]
        with pytest.raises(NotFound):
            progress.directive_deliveries(s, people["hni_manager"], hcm_local.id)
    assert seen == {national.id}
    assert [o.id for _, o in rows] == [p_hni.id]
    assert (counts.total, everything.total) == (1, 2)


def test_log_scope_follows_the_province(scene):
    engine, people, national, hcm_local, _, _ = scene
    with read_session(engine) as s:
        hni_events = log.list_events(s, people["hni_manager"], per_page=500).items
        all_events = log.list_events(s, people["manager"], per_page=500).items
    assert not any(e.directive_id == hcm_local.id for e in hni_events)
    assert not any(e.province == "HCM" for e in hni_events)
    assert any(e.directive_id == national.id and e.kind == "published" for e in hni_events)
    assert any(e.directive_id == hcm_local.id for e in all_events)


def test_platform_editors_cannot_read_follow_through(scene):
    engine, people, *_ = scene
    with read_session(engine) as s:
        with pytest.raises(Forbidden):
            progress.list_directives(s, people["editor"])
        with pytest.raises(Forbidden):
            log.list_events(s, people["editor"])
