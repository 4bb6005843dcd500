"""Latin spellings of Russian, read back as Cyrillic (pure: no Django, no dictionary)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gorod.catalog.translit import latin_spellings


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        # GOST-like and passport (ICAO) spellings of the same words.
        ("shchetka", "щетка"),
        ("pokazaniya", "показания"),
        ("pokazaniia", "показания"),
        ("zhurnal", "журнал"),
        ("khleb", "хлеб"),
        ("tsentr", "центр"),
        # Chat habits: "sch", "ja", "h", "c", "yo".
        ("schetchik", "счетчик"),
        ("ploschad", "площадь"),
        ("zajavlenie", "заявление"),
        ("hleb", "хлеб"),
        ("centr", "центр"),
        ("doctor", "доктор"),
        ("schyot", "счет"),
        # "y" for ы and for й.
        ("vyzov", "вызов"),
        ("novyy", "новый"),
        ("detskiy", "детский"),
        ("rayon", "район"),
        # The soft and hard signs left out, or typed as an apostrophe.
        ("zapis", "запись"),
        ("zapis'", "запись"),
        ("bolnichnyy", "больничный"),
        ("semya", "семья"),
        ("obyavlenie", "объявление"),
        ("zapisatsya", "записаться"),
        ("e", "э"),
    ],
)
def test_the_intended_word_is_among_the_spellings(latin, cyrillic):
    assert cyrillic in latin_spellings(latin)


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [("vrachu", "врачу"), ("pokazaniya", "показания"), ("zhkh", "жх"), ("novyy", "новый")],
)
def test_the_usual_reading_comes_first(latin, cyrillic):
    assert latin_spellings(latin)[0] == cyrillic


def test_й_and_э_never_follow_a_consonant():
    # "pismo" is never "писмо" with й, nor "deti" "дэти": those letters only follow vowels.
    assert not any("сй" in spelling for spelling in latin_spellings("pismo"))
    assert not any(spelling.startswith("дэ") for spelling in latin_spellings("deti"))


@pytest.mark.parametrize("word", ["", "123", "zapis1", "запись", "café", "a-b", "x" * 31])
def test_what_is_not_a_latin_word_has_no_spelling(word):
    assert latin_spellings(word) == ()


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz'", max_size=30))
def test_spellings_are_few_distinct_and_cyrillic(word):
    spellings = latin_spellings(word)
    assert len(spellings) <= 24
    assert len(set(spellings)) == len(spellings)
    assert all(
        spelling and set(spelling) <= set("абвгдежзийклмнопрстуфхцчшщъыьэюя")
        for spelling in spellings
    )
    assert bool(spellings) == bool(word)
