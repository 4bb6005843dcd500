"""A programme's words and a parent's query as the search reads them (pure: no database)."""

import pytest

from gorod.catalog.search import Vocabulary, switch_layout
from gorod.clubs.search import MAX_QUERY_WORDS, lemmas_of, street_address, text_query

# The forms a handful of programmes would give (lemmas_of of their titles).
WORDS = ["шахматы", "шахматный", "клуб", "плавание", "робототехника", "футбол", "начинающий"]


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary(WORDS, WORDS)


def test_lemmas_are_dictionary_forms_each_once_without_stop_words():
    # An ambiguous word gives each of its likely forms ("начинающих": the adjective and
    # the verb's participle).
    assert lemmas_of("Шахматы для начинающих", "Шахматами — в клуб!").split() == [
        "шахматы",
        "начинающий",
        "начинать",
        "клуб",
    ]


def test_an_inflected_word_matches_its_dictionary_form_and_the_derived_words(vocabulary):
    query = text_query("шахматами", vocabulary)

    assert [word.forms for word in query.words] == [("шахматы", "шахматный")]
    assert query.rewrite is None
    assert query.corrections == ()


def test_a_query_typed_in_the_wrong_layout_is_retyped(vocabulary):
    query = text_query(switch_layout("шахматы"), vocabulary)  # "if[vfns"

    assert query.text == "шахматы"
    assert not query.rewrite.transliterated
    assert "шахматы" in query.words[0].forms


def test_russian_in_latin_letters_is_spelt_in_cyrillic(vocabulary):
    query = text_query("plavanie", vocabulary)

    assert query.text == "плавание"
    assert query.rewrite.transliterated


def test_a_misspelt_word_is_corrected_and_keeps_its_own_forms(vocabulary):
    (word,) = text_query("шахмоты", vocabulary).words

    assert word.corrected_to == "шахматы"
    assert "шахматы" in word.forms
    # A programme saved after the vocabulary was read may use the word as typed.
    assert "шахмота" in word.forms


def test_filler_and_stop_words_are_not_looked_for(vocabulary):
    query = text_query("Кружок шахмат для ребёнка, секция", vocabulary)

    assert [word.typed for word in query.words] == ["шахмат"]
    assert query.unknown == ()


def test_unknown_words_are_left_out_while_another_is_understood(vocabulary):
    query = text_query("шахматы сокольники", vocabulary)

    assert [word.typed for word in query.words] == ["шахматы"]
    assert query.unknown == ("сокольники",)


def test_a_text_of_unknown_words_only_is_looked_for_as_typed(vocabulary):
    query = text_query("тхэквондо", vocabulary)

    assert [word.forms for word in query.words] == [("тхэквондо",)]
    assert query.unknown == ()


def test_only_the_first_words_of_a_long_text_are_read(vocabulary):
    query = text_query(" ".join(["футбол"] + [f"слово{n}" for n in range(30)]), vocabulary)

    assert len(query.words) + len(query.unknown) == MAX_QUERY_WORDS


@pytest.mark.parametrize(
    ("address", "words", "house"),
    [
        ("117216, г. Москва, улица Феодосийская, дом 11А", ("феодосийская",), 11),
        ("Мичуринский проспект, дом 42", ("мичуринский",), 42),
        ("117405 г. Москва,ул. Газопровод д.4", ("газопровод",), 4),
        ("улица Маршала Тимошенко, дом 36, корпус 2", ("маршала", "тимошенко"), 36),
        ("Зеленоград, корпус 1106", ("зеленоград",), 1106),
        ("улица 800-летия Москвы, 14", ("800", "летия", "москвы"), 14),
        ("Ленинский пр-т, 32", ("ленинский",), 32),
        ("на Профсоюзной улице", ("профсоюзной",), None),
    ],
)
def test_an_address_is_read_into_a_street_and_a_house_number(address, words, house):
    parsed = street_address(address)

    assert (parsed.words, parsed.house) == (words, house)


def test_one_street_however_it_is_written():
    keys = {
        street_address(address).key
        for address in ("улица Профсоюзная, дом 12", "Профсоюзная ул., 3", "на профсоюзной")
    }

    assert keys == {frozenset({"профсоюзный"})}


def test_a_street_is_looked_up_by_the_beginnings_of_its_words():
    assert street_address("на Профсоюзной улице").lookup_stems == ("профсоюзн",)
    assert street_address("проспект Мира, 10").lookup_stems == ("мира",)


@pytest.mark.parametrize("address", ["дом 5", "г. Москва", "", "123456"])
def test_an_address_without_a_street_name_is_not_read(address):
    assert street_address(address) is None
