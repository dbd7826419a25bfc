"""What the database can store, checked at every edge before a value reaches a batch or a transaction.

Ids, sequence numbers and counters are 32-bit INTEGER columns on PostgreSQL (SQLite takes 64 bits, so a test on
SQLite alone would not notice), and PostgreSQL refuses NUL in text; a lone surrogate cannot be encoded at all.
One such value in a shared batch would fail every row with it, so the edges refuse it first.
"""

from __future__ import annotations

from typing import Any

MAX_INT = 2**31 - 1


def storable(value: str) -> bool:
    """Whether a string can be stored as text (no NUL, no unpaired surrogate)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unstorable_text(data: Any) -> bool:
    """Whether parsed JSON holds a string (key or value, at any depth) that :func:`storable` refuses."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not storable(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


# Unicode's White_Space, the set a JSON-schema pattern's ``\s`` and pydantic's checks use. Python's own ``strip()``
# also removes the control characters U+001C..U+001F, so text the API's document accepts as not blank would
# otherwise be refused here as blank.
WHITESPACE = "\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))


def trimmed(text: str | None) -> str:
    """``text`` without leading and trailing white space (as the API's document counts it)."""
    return (text or "").strip(WHITESPACE)
