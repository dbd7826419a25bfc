"""Word search over directives that ignores case and Vietnamese diacritics: "bao so 15" finds "Bão số 15".

Both sides go through :func:`fold`: the directive's words are folded once when it is written (``search_text``),
and the words a person types are folded the same way. ``đ``/``Đ`` are not letters with a combining mark in
Unicode, so they are mapped to ``d`` by hand before the marks are stripped. The index is the database's own word
index over the folded text: FTS5 on SQLite, a GIN index over ``to_tsvector('simple', search_text)`` on PostgreSQL
(docs/search.md says why). A search matches directives that hold every word typed, whole words, in any order.
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from sqlmodel import Session

from hub.models import Directive

MAX_WORDS = 12
MAX_WORD = 60
_D = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})
_WORD = re.compile(r"[^\W_]+")


def fold(text: str | None) -> str:
    """Lower case, no diacritics, ``đ`` as ``d``, words separated by single spaces."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_D).casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORD.findall(bare))


def words(query: str | None) -> list[str]:
    """The folded words of what a person typed (at most ``MAX_WORDS``, each cut at ``MAX_WORD`` characters)."""
    return [w[:MAX_WORD] for w in fold(query).split()[:MAX_WORDS]]


def directive_text(directive: Directive) -> str:
    """What a directive is found by: its reference number, title, body and legal basis, folded."""
    parts = (directive.ref_no, directive.title, directive.body, directive.legal_basis)
    return fold(" ".join(p for p in parts if p))


def index(directive: Directive) -> None:
    """Refresh the directive's folded text (the database's word index follows it)."""
    directive.search_text = directive_text(directive)


def matching(session: Session, query: str | None) -> sa.ColumnElement[bool] | None:
    """A condition on ``Directive.id`` for directives that hold every word of ``query``; None when it has none."""
    found = words(query)
    if not found:
        return None
    if session.get_bind().dialect.name == "postgresql":
        vector = sa.func.to_tsvector(sa.literal_column("'simple'"), sa.func.coalesce(Directive.search_text, ""))
        wanted = sa.func.to_tsquery(sa.literal_column("'simple'"), " & ".join(found))
        # OFFSET 0 keeps the match a subquery of its own, answered from the GIN index first. Left to itself the
        # planner may walk the newest-first index and test each row, parsing its text again: 36 s for a reference
        # number at 100,000 directives, where a word common to every row ("reg") hid how rare the other one is.
        return Directive.id.in_(sa.select(Directive.id).where(vector.bool_op("@@")(wanted)).offset(0))
    # Each word quoted: FTS5 reads a quoted string as one term, never as an operator (AND, OR, NOT, NEAR).
    expression = " ".join(f'"{w}"' for w in found)
    ids = (
        sa.select(sa.literal_column("rowid"))
        .select_from(sa.table("directive_fts"))
        .where(sa.text("directive_fts MATCH :terms").bindparams(terms=expression))
    )
    return Directive.id.in_(ids)
