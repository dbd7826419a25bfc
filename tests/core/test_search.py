"""Word search that ignores Vietnamese diacritics, on SQLite (FTS5) and PostgreSQL (GIN over tsvector) alike:
directives, a platform's inbox and the log."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hub import clock
from hub.core import directives, inbox, log, progress, search
from hub.db import read_session, write_session
from hub.models import Directive, OrgKind, Role
from tests import factories as f
from tests.conftest import T0

STORM = "Cảnh báo bão số 15 đổ bộ Đà Nẵng"
FLOOD = "Đính chính tin lũ ở Huế"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Bão số 15", "bao so 15"),
        ("ĐÀ NẴNG đổ bộ", "da nang do bo"),
        ("664/PTTH&TTĐT", "664 ptth ttdt"),
        ("  Hà-Nội,\tHuế!  ", "ha noi hue"),
        ("Ảnh hưởng — “nghiêm trọng”", "anh huong nghiem trong"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold_drops_case_diacritics_and_punctuation(text, folded):
    assert search.fold(text) == folded


def test_the_words_of_a_query_are_bounded():
    assert search.words("x " * 50) == ["x"] * search.MAX_WORDS
    assert search.words("a" * 500) == ["a" * search.MAX_WORD]
    assert search.words('" OR * NEAR( -- ;') == ["or", "near"]


@pytest.fixture
def scene(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    platform, other = f.org(engine, T0, OrgKind.PLATFORM, "HNI"), f.org(engine, T0, OrgKind.PLATFORM, "HCM")
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    manager = f.user(engine, T0, regulator, Role.MANAGER)
    editor = f.user(engine, T0, platform, Role.EDITOR)
    storm = f.published(engine, T0, officer, {"platforms": [platform.code]}, title=STORM).directive
    flood = f.published(
        engine, T0, officer, {"platforms": [other.code]}, title=FLOOD, body="Gỡ bài về **lũ quét**."
    ).directive
    return engine, {"officer": officer, "manager": manager, "editor": editor}, storm, flood


def found(engine, who, q: str) -> list[int]:
    with read_session(engine) as s:
        return [d.id for d in progress.list_directives(s, who, q=q).items]


@pytest.mark.parametrize("q", ["bao so 15", "BÃO SỐ 15", "da nang", "đà nẵng", "15 bao", "canh bao"])
def test_directives_are_found_by_words_without_diacritics(scene, q):
    engine, people, storm, _ = scene
    assert found(engine, people["officer"], q) == [storm.id]


def test_every_word_must_be_there_and_words_are_whole(scene):
    engine, people, _, _ = scene
    assert found(engine, people["officer"], "bao lu") == []
    assert found(engine, people["officer"], "ba") == []  # "ba" is not a word of "bão" nor "báo"
    assert found(engine, people["officer"], "so 150") == []


def test_the_body_and_the_reference_number_are_searched(scene):
    engine, people, storm, flood = scene
    assert found(engine, people["officer"], "lu quet") == [flood.id]
    assert found(engine, people["officer"], storm.ref_no) == [storm.id]


def test_a_query_with_no_words_filters_nothing_and_operators_are_plain_words(scene):
    engine, people, storm, flood = scene
    assert found(engine, people["officer"], " ,;!? ") == [flood.id, storm.id]
    assert found(engine, people["officer"], 'bao AND "so" NOT OR NEAR(15) *') == []
    assert found(engine, people["officer"], '"bao" -so 15*') == [storm.id]


def test_a_draft_edited_is_found_by_its_new_words(scene):
    engine, people, _, _ = scene
    with write_session(engine) as s:
        draft = directives.create(s, people["officer"], T0, f.draft(title="Tin giả về vắc-xin"))
    with write_session(engine) as s:
        directives.update_draft(s, people["officer"], T0, draft.id, f.draft(title="Tin giả về dịch sởi"))
    assert found(engine, people["officer"], "vac xin") == []
    assert found(engine, people["officer"], "dich soi") == [draft.id]


def test_an_editor_searches_only_their_own_inbox(scene):
    engine, people, storm, _ = scene
    with read_session(engine) as s:
        mine = inbox.inbox_page(s, people["editor"], clock.now(), q="bao so 15").items
        not_mine = inbox.inbox_page(s, people["editor"], clock.now(), q="lu quet").items
    assert [directive.id for _, directive, _issuer in mine] == [storm.id]
    assert not_mine == []


def test_the_log_is_searched_by_the_words_of_its_directives(scene):
    engine, people, storm, flood = scene
    with read_session(engine) as s:
        events = log.list_events(s, people["manager"], q="bao so 15", per_page=500).items
        exported = list(log.iter_events(s, people["manager"], q="hue"))
    assert events and {e.directive_id for e in events} == {storm.id}
    assert exported and {e.directive_id for e in exported} == {flood.id}


def test_a_row_written_behind_the_core_s_back_follows_on_sqlite_triggers_or_postgresql_expression(scene):
    engine, people, storm, _ = scene
    with engine.begin() as conn:
        conn.execute(sa.update(Directive).where(Directive.id == storm.id).values(search_text="tieu de moi"))
    assert found(engine, people["officer"], "tieu de moi") == [storm.id]
    assert found(engine, people["officer"], "bao so 15") == []
