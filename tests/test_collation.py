"""Vietnamese alphabetical order: letters with marks are letters of their own, tones count only between equals."""

from __future__ import annotations

from hub.collation import place_name_key, vietnamese_key
from hub.provinces import PROVINCES


def test_letters_follow_the_vietnamese_alphabet_not_code_points():
    words = ["Yên Bái", "Huế", "Đà Nẵng", "Hà Nội", "Dương", "ăn", "An", "âm", "Hưng Yên", "Hồ"]
    assert sorted(words, key=vietnamese_key) == [
        "An", "ăn", "âm", "Dương", "Đà Nẵng", "Hà Nội", "Hồ", "Huế", "Hưng Yên", "Yên Bái",
    ]  # fmt: skip


def test_tones_order_equal_letters_and_a_shorter_word_comes_first():
    assert sorted(["mạ", "má", "mã", "mả", "mà", "ma"], key=vietnamese_key) == ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert sorted(["Cao Bằng", "Cà Mau"], key=vietnamese_key) == ["Cà Mau", "Cao Bằng"]


def test_provinces_sort_by_their_own_name_not_by_city_or_province():
    names = sorted((vi for vi, _en in PROVINCES.values()), key=place_name_key)
    assert names.index("Thành phố Hà Nội") < names.index("Tỉnh Hà Tĩnh") < names.index("Thành phố Huế")
    assert names[0] == "Tỉnh An Giang" and names[-1] == "Tỉnh Vĩnh Long"
