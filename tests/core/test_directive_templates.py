"""Duplicating a directive and templates for recurring notices: new drafts carry the content and reminder policy,
never the old dates, stay within the officer's organisation, and the log says where each draft came from."""

from __future__ import annotations

import pytest
from sqlmodel import select

from hub.core import directive_templates as reuse
from hub.core import directives
from hub.core.errors import Forbidden, InvalidInput, NotFound
from hub.db import read_session, write_session
from hub.models import DirectiveStatus, Event, OrgKind, Priority, Role
from tests import factories as f
from tests.conftest import T0


@pytest.fixture
def setup(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    hanoi_dept = f.org(engine, T0, OrgKind.PROVINCE, "HNI")
    central = f.user(engine, T0, regulator, Role.OFFICER)
    hanoi = f.user(engine, T0, hanoi_dept, Role.OFFICER)
    f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    source = f.published(
        engine,
        T0,
        central,
        {"provinces": ["HNI"]},
        title="Monthly reminder",
        body="Report your figures.",
        priority=Priority.URGENT,
        ack_due_at=T0 + f.hours(5),
        remind_limit=2,
    ).directive
    return engine, central, hanoi, source


def test_a_duplicate_is_a_new_draft_with_the_content_and_policy_but_no_dates(setup):
    engine, central, hanoi, source = setup
    with write_session(engine) as s:
        copy = reuse.duplicate(s, central, T0 + f.hours(48), source.id)
    assert copy.id != source.id and copy.status == DirectiveStatus.DRAFT
    assert (copy.title, copy.body, copy.priority, copy.audience, copy.remind_limit) == (
        "Monthly reminder",
        "Report your figures.",
        Priority.URGENT,
        {"all": False, "provinces": ["HNI"], "platform_kinds": [], "platforms": []},
        2,
    )
    assert copy.ack_due_at is None and copy.ref_no is None
    with write_session(engine) as s:
        theirs = reuse.duplicate(s, hanoi, T0 + f.hours(48), source.id)  # Hanoi sees it: it reached Hanoi
    assert theirs.issuer_id == hanoi.org_id
    with read_session(engine) as s:
        logged = s.exec(select(Event).where(Event.kind == "duplicated").order_by(Event.id)).all()
    assert [(e.directive_id, e.details["from"]) for e in logged] == [(copy.id, source.id), (theirs.id, source.id)]


def test_a_template_makes_new_drafts_for_its_organisation_only(setup):
    engine, central, hanoi, source = setup
    with write_session(engine) as s:
        template = reuse.save_template(s, central, T0, source.id, "  Monthly figures  ")
    with write_session(engine) as s:
        first = reuse.draft_from_template(s, central, T0 + f.hours(24 * 30), template.id)
        second = reuse.draft_from_template(s, central, T0 + f.hours(24 * 60), template.id)
    assert template.name == "Monthly figures"
    assert {first.title, second.title} == {"Monthly reminder"} and first.id != second.id
    with write_session(engine) as s:
        published = directives.publish(s, central, T0 + f.hours(24 * 60), second.id, f.SIGNER)
    assert published.directive.ack_due_at > T0 + f.hours(24 * 60)  # its own deadlines, not the source's
    with read_session(engine) as s:
        assert [t.name for t in reuse.list_templates(s, central)] == ["Monthly figures"]
        assert reuse.list_templates(s, hanoi) == []
        with pytest.raises(NotFound):
            reuse.draft_from_template(s, hanoi, T0, template.id)
    with write_session(engine) as s, pytest.raises(InvalidInput):
        reuse.save_template(s, central, T0, source.id, "   ")
    with write_session(engine) as s:
        reuse.delete_template(s, central, T0, template.id)
    with read_session(engine) as s:
        assert reuse.list_templates(s, central) == []
        kinds = [e.kind for e in s.exec(select(Event).where(Event.kind.like("%template%")).order_by(Event.id))]
    assert kinds == ["template_saved", "drafted_from_template", "drafted_from_template", "template_deleted"]


def test_an_editor_cannot_duplicate_or_keep_templates(setup, engine):
    _, _, _, source = setup
    platform = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    editor = f.user(engine, T0, platform, Role.EDITOR)
    with write_session(engine) as s, pytest.raises(Forbidden):
        reuse.duplicate(s, editor, T0, source.id)
    with write_session(engine) as s, pytest.raises(Forbidden):
        reuse.save_template(s, editor, T0, source.id, "mine")
