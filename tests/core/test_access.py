"""The scope questions every adapter asks (hub/core/access.py): role groups, a principal's scope, which provinces see
a directive, who may manage it, and which platforms a reader sees."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import select

from hub.core import access, log, progress
from hub.core.errors import Forbidden, NotFound
from hub.db import read_session
from hub.models import Directive, Organisation, OrgKind, Role
from tests import factories as f
from tests.conftest import T0


@pytest.fixture
def scene(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    hni, hcm = f.org(engine, T0, OrgKind.PROVINCE, "HNI"), f.org(engine, T0, OrgKind.PROVINCE, "HCM")
    f.org(engine, T0, OrgKind.PROVINCE, "DNG")
    p_hni, p_hcm = f.org(engine, T0, OrgKind.PLATFORM, "HNI"), f.org(engine, T0, OrgKind.PLATFORM, "HCM")
    people = {
        "admin": f.user(engine, T0, regulator, Role.ADMIN),
        "officer": f.user(engine, T0, regulator, Role.OFFICER),
        "manager": f.user(engine, T0, regulator, Role.MANAGER),
        "hni_officer": f.user(engine, T0, hni, Role.OFFICER),
        "hni_manager": f.user(engine, T0, hni, Role.MANAGER),
        "hcm_officer": f.user(engine, T0, hcm, Role.OFFICER),
        "editor": f.user(engine, T0, p_hni, Role.EDITOR),
    }
    people["machine"] = f.machine(engine, T0, p_hcm)[0]
    directives = {
        "national": f.published(engine, T0, people["officer"]).directive,
        "to_hcm": f.published(engine, T0, people["officer"], {"provinces": ["HCM"]}).directive,
        "hcm_local": f.published(engine, T0, people["hcm_officer"]).directive,
    }
    return engine, people, directives, p_hni, p_hcm


ROLE_GROUPS = {  # who: (may issue, may read, works a platform's inbox, administers)
    "admin": (True, True, False, True),
    "officer": (True, True, False, False),
    "manager": (False, True, False, False),
    "hni_officer": (True, True, False, False),
    "hni_manager": (False, True, False, False),
    "editor": (False, False, True, False),
    "machine": (False, False, True, False),
}


@pytest.mark.parametrize("who", sorted(ROLE_GROUPS))
def test_each_role_group_answers_the_same_as_its_refusal(scene, who):
    _, people, *_ = scene
    principal = people[who]
    answers = (
        access.may_issue(principal),
        access.may_read(principal),
        access.is_platform_member(principal),
        access.is_admin(principal),
    )
    assert answers == ROLE_GROUPS[who]
    for allowed, require in zip(
        answers[:3], (access.require_issuer, access.require_reader, access.require_platform), strict=True
    ):
        if allowed:
            require(principal)
        else:
            with pytest.raises(Forbidden):
                require(principal)


def test_scope_of_each_principal(scene):
    _, people, _, p_hni, p_hcm = scene
    assert access.scope_of(people["manager"]).everything
    assert access.scope_of(people["hni_manager"]) == access.Scope(province="HNI")
    assert access.scope_of(people["editor"]) == access.Scope(org_id=p_hni.id)
    assert access.scope_of(people["machine"]) == access.Scope(org_id=p_hcm.id)
    assert access.issuer_province(people["officer"]) is None
    assert access.issuer_province(people["hni_officer"]) == "HNI"


def test_the_provinces_seeing_a_directive_are_exactly_those_whose_scope_lists_it(scene):
    engine, _, directives, *_ = scene
    ids = [d.id for d in directives.values()]
    with read_session(engine) as s:
        seeing = access.provinces_seeing(s, ids)
        listed = {
            province: set(s.exec(select(Directive.id).where(access.directive_scope(access.Scope(province=province)))))
            for province in ("HNI", "HCM", "DNG")
        }
    assert seeing == {
        directives["national"].id: {"HNI", "HCM"},
        directives["to_hcm"].id: {"HCM"},
        directives["hcm_local"].id: {"HCM"},
    }
    for province, ids_listed in listed.items():
        assert ids_listed == {i for i in ids if province in seeing[i]}, province


def test_only_the_issuing_department_or_the_central_regulator_manages_a_directive(scene):
    _, people, directives, *_ = scene
    local = directives["hcm_local"]
    assert access.may_manage(people["officer"], local)
    assert access.may_manage(people["hcm_officer"], local)
    assert not access.may_manage(people["hni_officer"], local)
    assert not access.may_manage(people["hni_officer"], directives["national"])
    assert not access.may_manage(people["manager"], local)
    assert not access.may_manage(people["editor"], local)


def test_a_platform_of_another_province_is_not_found_and_the_rules_agree(scene):
    engine, people, _, p_hni, p_hcm = scene
    with read_session(engine) as s:
        assert access.get_visible_platform(s, people["hni_manager"], p_hni.id).id == p_hni.id
        with pytest.raises(NotFound):
            access.get_visible_platform(s, people["hni_manager"], p_hcm.id)
        with pytest.raises(NotFound):
            access.get_visible_platform(s, people["editor"], p_hcm.id)
        platforms = s.exec(select(Organisation)).all()
        for who in ("manager", "hni_manager", "editor"):
            in_sql = set(s.exec(select(Organisation.id).where(access.platform_scope(people[who]))))
            in_python = {o.id for o in platforms if access.may_see_platform(people[who], o)}
            assert in_sql == in_python, who


def test_a_console_rooms_counts_equal_its_readers_counts(scene):
    engine, people, directives, *_ = scene
    ids = [d.id for d in directives.values()]
    with read_session(engine) as s:
        room = progress.counts(s, access.Scope(province="HNI"), ids, T0)
        reader = progress.progress(s, people["hni_manager"], ids, T0)
        central = progress.counts(s, access.EVERYTHING, ids, T0)
        total = s.scalar(sa.text("select count(*) from delivery"))
    assert room == reader
    assert room[directives["national"].id].total == 1
    assert sum(p.total for p in central.values()) == total


# Read scope at the service level: a province sees only its platforms, a platform only itself.
def test_province_lists_only_directives_reaching_it_and_counts_only_its_platforms(scene):
    engine, people, ds, p_hni, _ = scene
    national, hcm_local = ds["national"], ds["hcm_local"]
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
    engine, people, ds, _, _ = scene
    national, hcm_local = ds["national"], ds["hcm_local"]
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
