"""An admin changes a user's role: only to a role the organisation's kind allows, never its own, and the change
ends the user's sessions and is in the log with the old and the new role."""

from __future__ import annotations

import pytest
from sqlmodel import select

from hub.core import accounts
from hub.core.errors import Conflict, Forbidden
from hub.db import read_session, write_session
from hub.models import Event, OrgKind, Role, User, UserSession
from tests import factories as f
from tests.conftest import T0


@pytest.fixture
def people(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    platform = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    return {
        "admin": f.user(engine, T0, regulator, Role.ADMIN),
        "manager": f.user(engine, T0, regulator, Role.MANAGER),
        "editor": f.user(engine, T0, platform, Role.EDITOR),
    }


def test_a_role_change_is_logged_and_ends_the_user_s_sessions(engine, people):
    manager = people["manager"]
    f.signed_in(engine, T0, manager.user_id)
    with write_session(engine) as s:
        user, cut = accounts.set_role(s, people["admin"], T0, manager.user_id, "officer")
    assert user.role == Role.OFFICER and len(cut.sessions) == 1
    with read_session(engine) as s:
        assert s.get(User, manager.user_id).role == Role.OFFICER
        live = s.exec(select(UserSession).where(UserSession.user_id == manager.user_id, UserSession.ended_at.is_(None)))
        assert live.all() == []
        event = s.exec(select(Event).where(Event.kind == "user_role_changed")).one()
    assert (event.details["from"], event.details["to"], event.actor) == ("manager", "officer", people["admin"].label)


def test_the_same_role_again_changes_and_logs_nothing(engine, people):
    with write_session(engine) as s:
        _, cut = accounts.set_role(s, people["admin"], T0, people["manager"].user_id, "manager")
    assert cut.sessions == []
    with read_session(engine) as s:
        assert s.exec(select(Event).where(Event.kind == "user_role_changed")).all() == []


@pytest.mark.parametrize(
    ("actor", "target", "role", "refusal"),
    [
        ("admin", "editor", "officer", Conflict),  # a platform has editors only
        ("admin", "admin", "manager", Conflict),  # not one's own role (the last admin could lock everybody out)
        ("manager", "editor", "editor", Forbidden),
    ],
)
def test_a_role_change_is_refused(engine, people, actor, target, role, refusal):
    with write_session(engine) as s, pytest.raises(refusal):
        accounts.set_role(s, people[actor], T0, people[target].user_id, role)


def test_a_reset_password_is_temporary_logged_without_itself_and_must_be_changed(engine, people):
    editor = people["editor"]
    f.signed_in(engine, T0, editor.user_id)
    with write_session(engine) as s:
        _, temporary, cut = accounts.reset_password(s, people["admin"], T0, editor.user_id)
    assert len(temporary) >= 10 and len(cut.sessions) == 1
    with read_session(engine) as s:
        assert s.get(User, editor.user_id).must_change_password is True
        event = s.exec(select(Event).where(Event.kind == "password_reset")).one()
        assert temporary not in str(event.details)
    with write_session(engine) as s:
        accounts.change_password(s, editor, T0, temporary, "a-brand-new-password")
    with read_session(engine) as s:
        assert s.get(User, editor.user_id).must_change_password is False
    with write_session(engine) as s, pytest.raises(Conflict):
        accounts.reset_password(s, people["admin"], T0, people["admin"].user_id)
