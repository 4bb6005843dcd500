"""The words of a programme as the search matches them, and a parent's query in their light.

The catalog's lemmatizer (pymorphy3 behind `gorod.catalog.search.lemmas`) turns
"шахматами", "Шахматы" and "шахмат" into one form, so the database's full-text index
matches a parent's everyday wording without a Russian stemmer of its own. The catalog's
`Vocabulary`, built of the forms the programmes use, understands the query the way the
catalog search does: typed in the wrong keyboard layout or in Latin letters, misspelt, or
naming a derived word ("шахматы" also finds "шахматный клуб").

Also here: a street address as a parent types it, read into a street and a house number,
for "near me" without a geocoder.

Pure Python, no database: the finder (finder.py) asks the database.
"""

import re
from dataclasses import dataclass

from gorod.catalog.search import STOP_WORDS, QueryRewrite, Vocabulary, lemmas, normalize

# A search box, not a document: past these, the rest of the text is not read.
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 10

# Words that say "a club for my child" without saying which club: matching them would only
# narrow the search to programmes that happen to use them. Dictionary forms.
FILLER_FORMS = frozenset(
    """
    кружок секция занятие заниматься ребенок сын дочь дочка группа запись записаться
    записать
    """.split()  # noqa: SIM905 - a word list reads best as prose
)


# An unknown word is widened to the known words derived from it only from this length.
_UNKNOWN_STEM_MIN_LENGTH = 6


def lemmas_of(*texts: str) -> str:
    """Every dictionary form of every word in `texts`, space-separated, each once."""
    forms: dict[str, None] = {}
    for text in texts:
        for word in normalize(text).split():
            if word not in STOP_WORDS:
                forms.update(dict.fromkeys(lemmas(word)))
    return " ".join(forms)


@dataclass(frozen=True)
class SearchWord:
    """One word of the query: the forms that match it, any one of them."""

    typed: str
    forms: tuple[str, ...]
    # The known word a misspelt one was taken for ("шахмоты" → "шахматы").
    corrected_to: str | None = None


@dataclass(frozen=True)
class TextQuery:
    """A parent's text as the search understood it."""

    # The text as searched: retyped from the wrong layout or from Latin letters if it was.
    text: str
    rewrite: QueryRewrite | None
    # Every one of these must match (each through any of its forms).
    words: tuple[SearchWord, ...]
    # Words no programme uses and none resembles, left out (and said so) because others
    # were understood.
    unknown: tuple[str, ...]

    @property
    def corrections(self) -> tuple[tuple[str, str], ...]:
        return tuple((word.typed, word.corrected_to) for word in self.words if word.corrected_to)


def _search_word(word: str, vocabulary: Vocabulary) -> SearchWord | None:
    forms = lemmas(word)
    known = [form for form in forms if vocabulary.knows(form)]
    # Derivatives: "шахматы" finds "шахматный клуб", also where no programme says
    # "шахматы". A short unknown word is too weak a hint ("дома" is not "домашний").
    stems = known or [form for form in forms if len(form) >= _UNKNOWN_STEM_MIN_LENGTH]
    related = [other for form in stems for other in vocabulary.related(form)]
    if known or related:
        return SearchWord(typed=word, forms=tuple(dict.fromkeys([*forms, *related])))
    corrections = [candidate for candidate, _ in vocabulary.corrections(word)]
    if corrections:
        # The word's own forms stay: a programme saved since the vocabulary was read may
        # use exactly this word.
        return SearchWord(
            typed=word,
            forms=tuple(dict.fromkeys([*forms, *corrections])),
            corrected_to=corrections[0],
        )
    return None


def text_query(text: str, vocabulary: Vocabulary) -> TextQuery:
    """What to look for: per meaningful word of `text`, the forms of the programmes' words
    that match it.

    Unknown words are left out while others remain, so that "шахматы сокольники" still
    finds chess. A text of unknown words only is looked for as typed: the index may know a
    word of a programme saved since the vocabulary was read.
    """
    text = " ".join(text[:MAX_QUERY_CHARS].split())
    rewrite = vocabulary.rewrite(text) if text else None
    searched = rewrite.text if rewrite is not None else text
    words: list[SearchWord] = []
    unknown: list[str] = []
    tokens = [token for token in normalize(searched).split() if token not in STOP_WORDS]
    for token in list(dict.fromkeys(tokens))[:MAX_QUERY_WORDS]:
        if FILLER_FORMS.intersection(lemmas(token)):
            continue
        word = _search_word(token, vocabulary)
        if word is None:
            unknown.append(token)
        else:
            words.append(word)
    if not words:
        words = [SearchWord(typed=token, forms=lemmas(token)) for token in unknown]
        unknown = []
    return TextQuery(text=searched, rewrite=rewrite, words=tuple(words), unknown=tuple(unknown))


# --- street addresses ----------------------------------------------------------------------

# Words that say what kind of street it is, not which one: "улица", "пр-т", "б-р".
_STREET_KINDS = frozenset(
    """
    улица ул проспект пр просп пркт т проезд шоссе ш переулок пер бульвар бул б р
    набережная наб площадь пл тупик туп аллея ал линия квартал мкр микрорайон
    """.split()  # noqa: SIM905 - a word list reads best as prose
)
# The city, written before the street.
_CITY_WORDS = frozenset({"г", "город", "москва", "россия", "рф"})
# The house, and its parts: what comes after them is the number. Зеленоград's addresses
# are only a "корпус".
_HOUSE_WORDS = frozenset({"дом", "д", "вл", "владение", "корпус", "корп", "к"})
_POSTCODE_RE = re.compile(r"\d{6}")
_HOUSE_NUMBER_RE = re.compile(r"(\d+)[а-я]?")
# Street words shorter than this are numbers' endings ("1-я") and initials: too short to
# look an address up by.
_STREET_WORD_MIN_LENGTH = 3
# A longer word is looked up without its ending, which the parent may have inflected.
_INFLECTED_MIN_LENGTH = 6
_INFLECTION_LETTERS = 2


@dataclass(frozen=True)
class StreetAddress:
    # The street's name as words ("ленинский"; "маршала тимошенко"; "1 я тверская ямская").
    words: tuple[str, ...]
    house: int | None

    @property
    def key(self) -> frozenset[str]:
        """The street's words in dictionary form, in any order: "Профсоюзная ул." and
        "улица Профсоюзная" are one street, and so is a parent's "на Профсоюзной"."""
        return frozenset(lemmas(word)[0] for word in self.words)

    @property
    def lookup_stems(self) -> tuple[str, ...]:
        """The beginnings of the street's longer words, as an address spells them in any
        case ("профсоюзной" finds "Профсоюзная")."""
        return tuple(
            word[:-_INFLECTION_LETTERS] if len(word) >= _INFLECTED_MIN_LENGTH else word
            for word in self.words
            if len(word) >= _STREET_WORD_MIN_LENGTH
        )


def _says_no_name(token: str) -> bool:
    """Whether a word of an address is a postcode, the city, a preposition or the kind of
    street ("улица", and a parent's "на Профсоюзной улице")."""
    return (
        token in STOP_WORDS
        or token in _CITY_WORDS
        or token in _STREET_KINDS
        or bool(_POSTCODE_RE.fullmatch(token))
        or lemmas(token)[0] in _STREET_KINDS
    )


def street_address(text: str) -> StreetAddress | None:
    """The street and house number of an address ("117216, г. Москва, ул. Феодосийская,
    дом 11А" → феодосийская, 11), or None when no street name is in it."""
    words: list[str] = []
    house = None
    expect_house = False
    for token in normalize(text).split():
        if _says_no_name(token):
            continue
        if token in _HOUSE_WORDS:
            expect_house = True
            continue
        number = _HOUSE_NUMBER_RE.fullmatch(token)
        # A number before any street word belongs to the name ("800-летия Москвы").
        if number and (words or expect_house):
            house = int(number[1])
            break
        words.append(token)
    if not any(len(word) >= _STREET_WORD_MIN_LENGTH for word in words):
        return None
    return StreetAddress(words=tuple(words), house=house)
