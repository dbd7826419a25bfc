"""Vietnamese alphabetical order, for lists people scan by name (provinces, platforms).

Python's own string order compares code points, so "Huế" sorts before "Hà Nội" (à is U+00E0, after every ASCII
letter) and "Đà Nẵng" after "Yên Bái". Vietnamese dictionaries order the letters
a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, compare tone marks only when the letters are equal (none,
grave, hook, tilde, acute, dot below), and ignore case. No ICU is needed for that: decompose each character and rank
its letter, its letter mark and its tone.
"""

from __future__ import annotations

import unicodedata

_ALPHABET = tuple("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")
_RANK = {letter: i for i, letter in enumerate(_ALPHABET)}
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve (ă), circumflex (â ê ô), horn (ơ ư): part of the letter
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # grave, hook, tilde, acute, dot below
ADMINISTRATIVE_PREFIXES = ("Thành phố ", "Tỉnh ")


def vietnamese_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    """A sort key: letters in Vietnamese order first, then tones, then the text itself (so the order is total)."""
    letters: list[int] = []
    tones: list[int] = []
    for char in text.lower():
        base, *marks = unicodedata.normalize("NFD", char)
        letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _LETTER_MARKS))
        letters.append(_rank(letter))
        tones.append(max((_TONES.get(m, 0) for m in marks), default=0))
    return tuple(letters), tuple(tones), text


def _rank(letter: str) -> int:
    """A letter's place: spaces, digits and punctuation before the alphabet (so "Cà Mau" precedes "Cao Bằng"),
    letters of other alphabets after it, each by code point."""
    if letter in _RANK:
        return _RANK[letter]
    return len(_ALPHABET) + ord(letter) if letter.isalpha() else ord(letter) - 0x110000


def place_name_key(name: str) -> tuple:
    """A province's name as people look it up: "Thành phố Hà Nội" under H, "Tỉnh Cao Bằng" under C."""
    for prefix in ADMINISTRATIVE_PREFIXES:
        if name.startswith(prefix):
            return vietnamese_key(name[len(prefix) :]), vietnamese_key(name)
    return vietnamese_key(name), vietnamese_key(name)
