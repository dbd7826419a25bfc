"""Directives: drafting, publishing, scheduling, amending, revoking, expiring; run on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from hub.core import audiences, directives, signing, users
from hub.core.access import SYSTEM
from hub.core.errors import Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound
from hub.db import read_session, write_session
from hub.models import Delivery, Directive, DirectiveStatus, Event, OrgKind, PlatformKind, Role
from tests import factories as f
from tests.conftest import T0


@pytest.fixture
def world(engine):
    """A regulator with an officer, two provinces with officers, and platforms in each."""
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    hni = f.org(engine, T0, OrgKind.PROVINCE, "HNI")
    hcm = f.org(engine, T0, OrgKind.PROVINCE, "HCM")
    return {
        "engine": engine,
        "officer": f.user(engine, T0, regulator, Role.OFFICER),
        "hni_officer": f.user(engine, T0, hni, Role.OFFICER),
        "hcm_officer": f.user(engine, T0, hcm, Role.OFFICER),
        "hni_news": f.org(engine, T0, OrgKind.PLATFORM, "HNI"),
        "hni_social": f.org(engine, T0, OrgKind.PLATFORM, "HNI", platform_kind=PlatformKind.SOCIAL_NETWORK),
        "hcm_news": f.org(engine, T0, OrgKind.PLATFORM, "HCM"),
    }


def delivered_to(engine, directive_id: int) -> set[int]:
    with read_session(engine) as s:
        return set(s.exec(select(Delivery.platform_id).where(Delivery.directive_id == directive_id)))


def events(engine, directive_id: int) -> list[str]:
    with read_session(engine) as s:
        return list(s.exec(select(Event.kind).where(Event.directive_id == directive_id).order_by(Event.id)))


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ({"all": True}, {"hni_news", "hni_social", "hcm_news"}),
        ({"provinces": ["HNI"]}, {"hni_news", "hni_social"}),
        ({"platform_kinds": ["social_network"]}, {"hni_social"}),
        ({"provinces": ["HNI", "HCM"], "platform_kinds": ["news_site"]}, {"hni_news", "hcm_news"}),
    ],
)
def test_audience_rule_resolves_to_exactly_the_addressed_platforms(world, audience, expected):
    published = f.published(world["engine"], T0, world["officer"], audience)
    assert delivered_to(world["engine"], published.directive.id) == {world[k].id for k in expected}
    assert published.directive.audience_size == len(expected)


def test_named_platforms_are_added_to_the_narrowed_set(world):
    with read_session(world["engine"]) as s:
        code = s.get(type(world["hcm_news"]), world["hcm_news"].id).code
    published = f.published(
        world["engine"], T0, world["officer"], {"platform_kinds": ["social_network"], "platforms": [code]}
    )
    assert delivered_to(world["engine"], published.directive.id) == {world["hni_social"].id, world["hcm_news"].id}


def test_unknown_named_platform_is_refused_not_silently_dropped(world):
    with write_session(world["engine"]) as s, pytest.raises(NotFound, match="unknown platforms"):
        directives.create(s, world["officer"], T0, f.draft({"platforms": ["NOPE-1"]}))


def test_each_platform_gets_consecutive_sequence_numbers(world):
    for _ in range(3):
        f.published(world["engine"], T0, world["officer"], {"provinces": ["HNI"]})
    f.published(world["engine"], T0, world["officer"], {"all": True})
    with read_session(world["engine"]) as s:
        seqs = list(
            s.exec(select(Delivery.seq).where(Delivery.platform_id == world["hni_news"].id).order_by(Delivery.seq))
        )
        hcm = list(s.exec(select(Delivery.seq).where(Delivery.platform_id == world["hcm_news"].id)))
    assert seqs == [1, 2, 3, 4]
    assert hcm == [1]


def test_reference_numbers_run_per_issuer(world):
    a = f.published(world["engine"], T0, world["officer"], {"all": True}).directive
    b = f.published(world["engine"], T0, world["hni_officer"], {"provinces": ["HNI"]}).directive
    c = f.published(world["engine"], T0, world["officer"], {"all": True}).directive
    assert a.ref_no.split("/")[0] == "1" and c.ref_no.split("/")[0] == "2"
    assert b.ref_no.split("/")[0] == "1" and b.ref_no != a.ref_no
    assert a.seq < b.seq < c.seq


def test_reference_numbers_restart_with_the_vietnamese_calendar_year(world):
    new_year_eve_utc = T0.replace(month=12, day=31, hour=18)  # already 1 January in Hanoi
    a = f.published(world["engine"], T0.replace(month=12, day=31, hour=16), world["officer"]).directive
    b = f.published(world["engine"], new_year_eve_utc, world["officer"]).directive
    assert a.ref_no.startswith("1/") and b.ref_no.startswith("1/")


def test_province_officer_cannot_address_another_province(world):
    with write_session(world["engine"]) as s, pytest.raises(Forbidden):
        directives.create(s, world["hni_officer"], T0, f.draft({"provinces": ["HCM"]}))


def test_province_officer_all_means_its_own_platforms_only(world):
    published = f.published(world["engine"], T0, world["hni_officer"], {"all": True})
    assert delivered_to(world["engine"], published.directive.id) == {world["hni_news"].id, world["hni_social"].id}


def test_province_cannot_publish_or_revoke_another_provinces_directive(world):
    published = f.published(world["engine"], T0, world["hni_officer"], {"all": True})
    with write_session(world["engine"]) as s, pytest.raises(NotFound):
        directives.revoke(s, world["hcm_officer"], T0, published.directive.id, "no")


def test_editors_cannot_issue_directives(world):
    editor, _ = f.machine(world["engine"], T0, world["hni_news"])
    with write_session(world["engine"]) as s, pytest.raises(Forbidden):
        directives.create(s, editor, T0, f.draft())


def test_publishing_signs_the_text_and_the_signature_verifies(world):
    published = f.published(world["engine"], T0, world["officer"])
    payload = published.payload
    public = f.SIGNER.public_pem()
    assert signing.verify(public, payload, payload["signature"])
    assert payload["content_hash"] == signing.content_hash(payload)
    assert not signing.verify(public, {**payload, "body": payload["body"] + " (altered)"}, payload["signature"])


def test_default_deadlines_follow_priority(world):
    flash = f.published(world["engine"], T0, world["officer"], priority="flash").directive
    routine = f.published(world["engine"], T0, world["officer"]).directive
    assert flash.ack_due_at - T0 == timedelta(hours=1)
    assert routine.ack_due_at - T0 == timedelta(hours=24)
    assert routine.implement_due_at > routine.ack_due_at


def test_times_in_the_past_or_out_of_order_are_refused(world):
    with write_session(world["engine"]) as s:
        with pytest.raises(InvalidInput, match="publish_at"):
            directives.create(s, world["officer"], T0, f.draft(publish_at=T0 - timedelta(minutes=1)))
        with pytest.raises(InvalidInput, match="implement_due_at"):
            directives.create(
                s,
                world["officer"],
                T0,
                f.draft(ack_due_at=T0 + timedelta(days=2), implement_due_at=T0 + timedelta(days=1)),
            )


def test_publishing_twice_is_refused(world):
    published = f.published(world["engine"], T0, world["officer"])
    with write_session(world["engine"]) as s, pytest.raises(InvalidTransition):
        directives.publish(s, world["officer"], T0, published.directive.id, f.SIGNER)


def test_scheduled_directive_is_published_when_due_and_says_it_was_late(world):
    engine = world["engine"]
    with write_session(engine) as s:
        d = directives.create(s, world["officer"], T0, f.draft(publish_at=T0 + timedelta(hours=1)))
    assert d.status == DirectiveStatus.SCHEDULED
    with write_session(engine) as s:
        assert directives.publish_scheduled(s, T0 + timedelta(minutes=59), f.SIGNER, d.id) is None
    with write_session(engine) as s:
        done = directives.publish_scheduled(s, T0 + timedelta(hours=3), f.SIGNER, d.id)
    assert done is not None and done.directive.id == d.id
    with write_session(engine) as s:
        assert directives.publish_scheduled(s, T0 + timedelta(hours=4), f.SIGNER, d.id) is None
        event = s.exec(select(Event).where(Event.directive_id == d.id, Event.kind == "published")).one()
    assert event.details["late_by_seconds"] == 7200


def test_amendment_supersedes_and_needs_a_fresh_acknowledgement(world):
    engine = world["engine"]
    old = f.published(engine, T0, world["officer"], {"provinces": ["HNI"]}).directive
    editor, _ = f.machine(engine, T0, world["hni_news"])
    from hub.core import deliveries

    with write_session(engine) as s:
        deliveries.acknowledge(s, editor, T0, old.id)
    with write_session(engine) as s:
        amended = directives.amend(
            s,
            world["officer"],
            T0 + timedelta(hours=1),
            old.id,
            f.draft({"provinces": ["HNI"]}, title="Amended"),
            f.SIGNER,
        )
    new = amended.directive
    assert new.supersedes_id == old.id and amended.published.superseded.id == old.id
    with read_session(engine) as s:
        old_open = s.exec(select(Delivery).where(Delivery.directive_id == old.id)).all()
        fresh = s.exec(
            select(Delivery).where(Delivery.directive_id == new.id, Delivery.platform_id == world["hni_news"].id)
        ).one()
    assert all(d.due_at is None and d.next_reminder_at is None for d in old_open)
    assert fresh.state == "pending"
    with write_session(engine) as s, pytest.raises(InvalidTransition, match="amended"):
        deliveries.set_status(s, editor, T0 + timedelta(hours=2), old.id, "implemented", "done")
    with write_session(engine) as s, pytest.raises(InvalidTransition):
        directives.amend(s, world["officer"], T0 + timedelta(hours=2), old.id, f.draft(), f.SIGNER)
    assert "superseded" in events(engine, old.id)


def test_revoke_closes_open_deliveries_and_names_the_platforms_to_tell(world):
    engine = world["engine"]
    d = f.published(engine, T0, world["officer"], {"provinces": ["HNI"]}).directive
    with write_session(engine) as s:
        revoked = directives.revoke(s, world["officer"], T0, d.id, "sent by mistake")
    assert revoked.changed and revoked.directive.status == DirectiveStatus.REVOKED
    assert set(revoked.platform_ids) == {world["hni_news"].id, world["hni_social"].id}
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).where(Delivery.directive_id == d.id, Delivery.due_at.is_not(None))) == 0
    with write_session(engine) as s:
        again = directives.revoke(s, world["officer"], T0, d.id, "twice")
    assert not again.changed and again.directive.status == DirectiveStatus.REVOKED and again.platform_ids == []
    assert events(engine, d.id).count("revoked") == 1


def test_expiry_marks_directives_expired_once(world):
    engine = world["engine"]
    d = f.published(engine, T0, world["officer"], expires_at=T0 + timedelta(days=30)).directive
    with write_session(engine) as s:
        assert directives.expire_due(s, T0 + timedelta(days=29)) == []
    with write_session(engine) as s:
        assert [x.id for x in directives.expire_due(s, T0 + timedelta(days=31))] == [d.id]
    with write_session(engine) as s:
        assert directives.expire_due(s, T0 + timedelta(days=32)) == []
        assert s.get(Directive, d.id).status == DirectiveStatus.EXPIRED


def test_platform_registered_later_receives_directives_still_in_force(world):
    engine = world["engine"]
    to_hni = f.published(engine, T0, world["officer"], {"provinces": ["HNI"]}).directive
    to_hcm = f.published(engine, T0, world["officer"], {"provinces": ["HCM"]}).directive
    revoked = f.published(engine, T0, world["officer"], {"provinces": ["HNI"]}).directive
    with write_session(engine) as s:
        directives.revoke(s, world["officer"], T0, revoked.id, "withdrawn")
    newcomer = f.org(engine, T0 + timedelta(days=1), OrgKind.PLATFORM, "HNI")
    with read_session(engine) as s:
        got = list(s.exec(select(Delivery.directive_id, Delivery.seq).where(Delivery.platform_id == newcomer.id)))
        assert s.get(Directive, to_hni.id).audience_size == 3
    assert got == [(to_hni.id, 1)]
    assert to_hcm.id not in {g[0] for g in got}


def test_audience_count_matches_what_a_publish_reaches(world):
    with read_session(world["engine"]) as s:
        n = audiences.count(s, audiences.parse({"provinces": ["HNI"]}), None)
    assert n == 2


def test_inactive_platforms_are_not_addressed(world):
    engine = world["engine"]
    with write_session(engine) as s:
        p = s.get(type(world["hni_social"]), world["hni_social"].id)
        p.active = False
        s.add(p)
    published = f.published(engine, T0, world["officer"], {"provinces": ["HNI"]})
    assert delivered_to(engine, published.directive.id) == {world["hni_news"].id}


def test_registry_refuses_roles_that_do_not_fit_the_organisation(world):
    with write_session(world["engine"]) as s, pytest.raises(Conflict, match="cannot have the role"):
        users.create_user(
            s,
            SYSTEM,
            T0,
            org_id=world["hni_news"].id,
            role=Role.OFFICER,
            login="x.y",
            display_name="X",
            password="long-enough-pass",
        )
