"""Russian typed in Latin letters ("zapis k vrachu"), spelt back in Cyrillic.

People mix several habits in one query: passport style (ICAO 2013: "kh", "ts", "ia", "iu"),
GOST-like ("shch", "ya", "zh"), chat translit ("sch", "ja", "h", "c", "y" for both ы and й,
"e" for э) and the soft sign left out ("zapis"). Each habit alone is a table; together they are
ambiguous: "sch" is щ in "ploschad" and сч in "schetchik", "ts" is ц in "otsenka" and тс in
"detskiy". So this module does not guess one answer: it spells a word every plausible way,
the likeliest first, and the search engine keeps the spelling its dictionary and catalog know.

The libraries considered each reverse one fixed scheme (cyrtranslit: GOST 7.79 with "ja" read
as жа; transliterate: unmaintained since 2018) or only go Cyrillic to Latin (iuliia), so none
of them can offer the alternatives this needs.

Pure Python, no Django: unit-tested directly.
"""

from __future__ import annotations

import functools
import heapq

__all__ = ["latin_spellings"]

# Latin letter groups and what they stand for, the usual reading first. A group may also be
# read as shorter groups ("sh" as с + х); the reader below tries those too, at a cost.
_GROUPS: dict[str, tuple[str, ...]] = {
    "tsya": ("ться", "тся"),  # the reflexive verb ending: "zapisatsya"
    "shch": ("щ",),
    "sch": ("щ", "сч"),
    "shh": ("щ",),
    "tch": ("тч",),
    "sh": ("ш",),
    "ch": ("ч",),
    "zh": ("ж",),
    "kh": ("х",),
    "ts": ("ц", "тс"),
    "tz": ("ц",),
    "ya": ("я",),
    "ja": ("я",),
    "ia": ("ия", "я"),
    "yu": ("ю",),
    "ju": ("ю",),
    "iu": ("ию", "ю"),
    "yo": ("е", "йо"),  # ё is folded into е everywhere in search
    "jo": ("е", "йо"),
    "ye": ("е", "э"),
    "je": ("е", "э"),
    "a": ("а",),
    "b": ("б",),
    "c": ("к", "ц"),
    "d": ("д",),
    "e": ("е", "э"),
    "f": ("ф",),
    "g": ("г",),
    "h": ("х",),
    "i": ("и", "й"),
    "j": ("й",),
    "k": ("к",),
    "l": ("л",),
    "m": ("м",),
    "n": ("н",),
    "o": ("о",),
    "p": ("п",),
    "q": ("к",),
    "r": ("р",),
    "s": ("с",),
    "t": ("т",),
    "u": ("у",),
    "v": ("в",),
    "w": ("в",),
    "x": ("кс",),
    "y": ("ы", "й"),
    "z": ("з",),
    "'": ("ь", "ъ"),
}
_LONGEST_GROUP = max(map(len, _GROUPS))
_CONSONANTS = frozenset("бвгджзклмнпрстфхцчшщ")
_VOWELS = frozenset("аеиоуыэюя")
# Letters whose reading depends on their neighbours: й and э follow a vowel or start a word
# ("raion", "moi", "eto", "poeziya"), never a consonant; a "y" after a vowel is й
# ("novyy", "detskiy"); "c" before e, i, y is ц ("tsentr" typed "centr"), elsewhere к ("doctor").
_NOT_AFTER_CONSONANT = frozenset("йэ")
_SOFT_C_BEFORE = frozenset("eiy")
# The soft and hard signs are usually left out: a soft one may be put back after a consonant
# before another consonant ("bolnichnyy") or at the end of a word ("zapis"), either of them
# before я, ю, е ("semya", "obyavlenie").
_IOTATED_STARTS = ("ya", "ja", "yu", "ju", "ye", "je", "yo", "jo")
_SIGNS_BEFORE_IOTATED = ("", "ь", "ъ")
_SIGNS_BEFORE_CONSONANT = ("", "ь")
_NO_SIGN = ("",)
_SOFT_SIGN = "ь"

# Every departure from the usual reading costs one. Readings past this many departures are
# not worth a dictionary look-up, and a word never yields more than so many spellings.
_MAX_COST = 3
_MAX_SPELLINGS = 24
_MAX_WORD_CHARS = 30


def _readings(word: str, position: int, group: str, previous: str) -> tuple[str, ...]:
    readings = _GROUPS[group]
    if previous in _CONSONANTS:
        # Unless that leaves nothing: "bj" is still read, as бй.
        readings = (
            tuple(reading for reading in readings if reading not in _NOT_AFTER_CONSONANT)
            or readings
        )
    elif group == "y" and previous in _VOWELS:
        readings = ("й", "ы")
    if group == "c" and word[position + 1 : position + 2] in _SOFT_C_BEFORE:
        readings = ("ц", "к")
    return readings


def _steps(word: str, position: int, previous: str) -> list[tuple[int, str, int]]:
    """The ways to read the letters at ``position``: (next position, Cyrillic, cost)."""
    steps = []
    for length in range(min(_LONGEST_GROUP, len(word) - position), 0, -1):
        group = word[position : position + length]
        if group not in _GROUPS:
            continue
        # The longest group that fits is the usual reading; splitting it is a departure.
        base = 0 if not steps else 1
        readings = _readings(word, position, group, previous)
        steps.extend(
            (position + length, cyrillic, base + rank) for rank, cyrillic in enumerate(readings)
        )
    return steps


@functools.lru_cache(maxsize=16384)
def latin_spellings(word: str) -> tuple[str, ...]:
    """The Cyrillic spellings of a lowercase Latin word, the likeliest first; () if none.

    A word with characters outside the table (digits, other scripts) has no spelling: it is
    not transliterated Russian.
    """
    if not word or len(word) > _MAX_WORD_CHARS or any(char not in _GROUPS for char in word):
        return ()
    # Best-first search over partial spellings, cheapest first, so that the cap keeps the
    # likeliest ones; among equally cheap ones the furthest along, so that spellings are
    # finished before new branches are opened. States: (cost, -position, spelling so far).
    queue: list[tuple[int, int, str]] = [(0, 0, "")]
    spellings: dict[str, None] = {}  # an ordered set
    while queue and len(spellings) < _MAX_SPELLINGS:
        cost, negative_position, spelling = heapq.heappop(queue)
        position = -negative_position
        if position == len(word):
            spellings[spelling] = None
            if spelling[-1:] in _CONSONANTS and cost < _MAX_COST:
                heapq.heappush(queue, (cost + 1, -position, spelling + _SOFT_SIGN))
            continue
        previous = spelling[-1:]
        for next_position, cyrillic, step_cost in _steps(word, position, previous):
            signs = _NO_SIGN
            if previous in _CONSONANTS:
                # Before the iotated group itself, read as one vowel, not before its split.
                if next_position - position == 2 and word.startswith(_IOTATED_STARTS, position):
                    signs = _SIGNS_BEFORE_IOTATED
                elif cyrillic[0] in _CONSONANTS:
                    signs = _SIGNS_BEFORE_CONSONANT
            for sign_cost, sign in enumerate(signs):
                total = cost + step_cost + sign_cost
                if total <= _MAX_COST:
                    heapq.heappush(queue, (total, -next_position, spelling + sign + cyrillic))
    return tuple(spellings)
