"""Search over the service catalog, in the words citizens actually type.

Pure Python on purpose: no Django here, so the engine can be built from a CSV in tests and
benchmarks, and a web process can hold one prebuilt index in memory.

The work is split so that a query costs little CPU:

* at build time every field is tokenized and lemmatized (pymorphy3), and BM25F weights are
  precomputed into an inverted index ``lemma -> [(document, weight)]``; the title, the English
  title and every keyword phrase also go into a phrase index for the "whole phrase" bonus;
* at query time the query is layout-corrected if it was typed in the wrong keyboard layout,
  or spelt in Cyrillic if it is Russian typed in Latin letters ("zapis k vrachu", see
  translit.py; whichever reading the catalog and the dictionary recognise best), lemmatized
  (lemmas are cached per process), widened to a few everyday synonyms and derived words,
  unknown words are matched against the index vocabulary with rapidfuzz, and only the
  postings of the query's lemmas are visited.

Finished answers are kept in a bounded per-index LRU cache, because popular queries repeat
many times a minute ("запись к врачу", "показания воды").
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import pymorphy3
from rapidfuzz import fuzz, process

from gorod.catalog.translit import latin_spellings

__all__ = [
    "QueryRewrite",
    "SearchDocument",
    "SearchHit",
    "SearchIndex",
    "Vocabulary",
    "normalize",
    "switch_layout",
]


@dataclass(frozen=True, slots=True)
class SearchDocument:
    slug: str
    title: str
    title_en: str
    keywords: tuple[str, ...]
    description: str
    category_title: str = ""
    # How likely this service is what a citizen means when the words fit several equally
    # well ("счетчики воды": sending readings, not registering a meter). 1.0 is neutral;
    # the catalog raises it for the flagship services that carry most of the traffic.
    prior: float = 1.0


@dataclass(frozen=True, slots=True)
class SearchHit:
    slug: str
    score: float


@dataclass(frozen=True, slots=True)
class QueryRewrite:
    """The query as understood: retyped from the wrong keyboard layout, or from Latin letters."""

    text: str
    transliterated: bool


# The same physical keys on the ЙЦУКЕН and QWERTY layouts. The two sides share no character,
# so one translation table works in both directions and switching twice is the identity.
_QWERTY = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>~"
_JCUKEN = "йцукенгшщзхъфывапролджэячсмитьбюёЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮЁ"
_LAYOUT_TABLE = str.maketrans(_QWERTY + _JCUKEN, _JCUKEN + _QWERTY)

# Only the letters the catalog is written in: other scripts can never match, and some
# (unassigned code points) crash pymorphy3's shape detection.
_WORD_RE = re.compile(r"[0-9a-zа-яё]+")
_CYRILLIC_RE = re.compile(r"[а-яё]")
_LATIN_RE = re.compile(r"[a-z]")
# A Latin word as transliteration writes it: the apostrophe stands for a soft sign ("zapis'").
_LATIN_WORD_RE = re.compile(r"[a-z][a-z']*")

# Function words carry no intent, and in short queries they would otherwise outweigh the one
# word that matters. The list also holds the filler citizens put around a request ("как",
# "где", "хочу"), and the English ones for title_en.
STOP_WORDS = frozenset(
    """
    а без безо в во вы да для до ее же за и из изо или им их к ко ли мне мной мы на над надо
    не ни но о об обо около от ото по под подо при про с со у уже чем что чтобы я это этот
    эта эти тот та те то так там тут как какой какая какие где куда когда зачем почему хочу
    хотим нужно можно бы мой моя мое мои мою наш наша наше наши свой своя свое свои его ему
    она он они оно вам нам тебе себе себя сейчас есть был была было
    a an and are as at be by can do for from how i in is it me my of on or s the to what
    where with you your
    """.split()  # noqa: SIM905 - a word list reads best as prose
)

_MAX_QUERY_CHARS = 200  # a search box, not a document: longer input is answered with nothing
_MAX_QUERY_TOKENS = 10
# The cache keeps what a results page shows. Deeper answers (the API's "every match") are
# recomputed when asked for, so that 4096 cached answers stay a few megabytes.
_CACHED_HITS = 50
# Far below the best hit a match is incidental (one common word like "получить"): listing it
# only buries the answer. On the evaluation set the right service never scored under 15 % of
# the best hit.
_MIN_RELATIVE_SCORE = 0.05
_CACHE_SIZE = 4096

# BM25F: (field weight, length normalisation b). The title says what a service is, keywords
# are what people call it, the description only hints. Keyword lists vary in length by
# editorial whim, so they are barely length-normalised.
_FIELDS = {
    "title": (3.0, 0.5),
    "title_en": (3.0, 0.5),
    "keywords": (2.0, 0.2),
    "description": (1.0, 0.75),
    "category": (0.5, 0.0),
}
_K1 = 1.2
# A whole title or keyword phrase found in the query is strong evidence of intent.
_PHRASE_FACTORS = {"title": 1.0, "title_en": 1.0, "keywords": 0.8}
# Documents that explain only part of the query sink below those that explain all of it.
_COVERAGE_EXPONENT = 1.5

# Typo tolerance. A corrected word is weaker evidence than one typed right, and the shorter
# the word the likelier a "correction" is another word altogether.
_FUZZY_WEIGHT = 0.7
_FUZZY_MIN_LENGTH = 4
_FUZZY_CUTOFF = 80.0
_FUZZY_CUTOFF_SHORT = 85.0  # four-letter words: one substitution already scores 75
_FUZZY_CUTOFF_REAL_WORD = 88.0  # the word exists in Russian, just not in the catalog
_FUZZY_CANDIDATES = 2

# Derivatives the dictionary does not link ("смена" and "сменить", "оплата" and "оплатить")
# share a long common prefix; they count as the same word, at this discount.
_RELATED_WEIGHT = 0.5
_RELATED_MIN_PREFIX = 4

# Everyday words and the words the catalog uses for the same thing. Kept short on purpose:
# only equivalences that hold across the whole catalog, never one service's vocabulary
# (that belongs in its keywords).
_SYNONYMS = (
    ("поменять", "сменить", "заменить", "замена", "смена"),
    ("пожаловаться", "жаловаться", "жалоба"),
    ("доктор", "врач"),
    ("гаи", "гибдд"),
    ("машина", "автомобиль", "авто"),
)
_SYNONYM_WEIGHT = 0.8

# Normal forms of an ambiguous word ("кружки" is кружка or кружок) are all indexed when the
# analyzer gives them at least this share of probability.
_LEMMA_MIN_SCORE = 0.1
_LEMMA_MAX_FORMS = 3


def switch_layout(text: str) -> str:
    """Retype ``text`` on the other keyboard layout (ЙЦУКЕН <-> QWERTY), key by key."""
    return text.translate(_LAYOUT_TABLE)


def normalize(text: str) -> str:
    """Lowercase, fold ё into е, and reduce punctuation and whitespace runs to single spaces."""
    text = unicodedata.normalize("NFC", text).lower().replace("ё", "е")
    return " ".join(_WORD_RE.findall(text))


@functools.cache
def _morph() -> pymorphy3.MorphAnalyzer:
    # Loading the dictionaries takes a fraction of a second and tens of megabytes: once per
    # process, and only when a search index is actually built.
    return pymorphy3.MorphAnalyzer()


def _stem_en(word: str) -> str:
    # title_en is short and plain; folding plurals and past participles ("towed car") is all
    # an English query needs here. "-ing" stays: "parking" is not "parks".
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        return word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us")):
        return word[:-1]
    return word


@functools.lru_cache(maxsize=65536)
def lemmas(word: str) -> tuple[str, ...]:
    """The likely dictionary forms of one normalized word, most probable first."""
    if not _CYRILLIC_RE.search(word):
        return (_stem_en(word),)
    weights: dict[str, float] = {}
    for parse in _morph().parse(word):
        form = parse.normal_form.replace("ё", "е")
        weights[form] = weights.get(form, 0.0) + parse.score
    if not weights:
        return (word,)
    best = max(weights.values())
    forms = [form for form, score in weights.items() if score >= min(best, _LEMMA_MIN_SCORE)]
    return tuple(forms[:_LEMMA_MAX_FORMS])


def _are_related(first: str, second: str) -> bool:
    common = next(
        (i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b),
        min(len(first), len(second)),
    )
    return (
        common >= _RELATED_MIN_PREFIX
        and common >= 0.75 * min(len(first), len(second))
        and common >= 0.5 * max(len(first), len(second))
    )


def _tokens(text: str) -> list[str]:
    return [token for token in normalize(text).split() if token not in STOP_WORDS]


class Vocabulary:
    """The words a search knows, and what it makes of a query in their light: the wrong
    keyboard layout, Russian in Latin letters, a misspelt word, a derived word.

    The catalog's index holds one; searches answered by the database (clubs) build one of
    the words they index, so that a query is understood the same way across the portal.
    Immutable; safe to share between threads.
    """

    def __init__(self, forms: Iterable[str], surfaces: Iterable[str] = ()) -> None:
        # `forms`: the dictionary forms the search matches; `surfaces`: words as its texts
        # write them. Ordered, so that derivatives come in the order they were indexed.
        self._forms = dict.fromkeys(forms)
        self._surfaces = frozenset(surfaces)

        # What a misspelt word is compared against: words as they occur in the texts, and
        # their dictionary forms. Digits and very short words are never "corrected". People
        # rarely get the first letter wrong, so comparing only words with the same initial
        # keeps a correction to a few hundred comparisons instead of thousands.
        vocabulary = {word for word in self._surfaces if len(word) >= _FUZZY_MIN_LENGTH}
        vocabulary.update(form for form in self._forms if len(form) >= _FUZZY_MIN_LENGTH)
        by_initial: dict[str, list[str]] = {}
        for word in sorted(vocabulary):
            if not word.isdigit():
                by_initial.setdefault(word[0], []).append(word)
        self._vocabulary_by_initial = {
            initial: tuple(words) for initial, words in by_initial.items()
        }

        by_prefix: dict[str, list[str]] = {}
        for form in self._forms:
            if len(form) >= _RELATED_MIN_PREFIX and _CYRILLIC_RE.match(form):
                by_prefix.setdefault(form[:_RELATED_MIN_PREFIX], []).append(form)
        self._forms_by_prefix = by_prefix

    def knows(self, form: str) -> bool:
        """Whether `form` is one of the dictionary forms the search matches."""
        return form in self._forms

    def related(self, form: str) -> list[str]:
        """Known derivatives of `form` the dictionary does not link to it ("оплата" and
        "оплатить"): they share a long common prefix."""
        return [
            related
            for related in self._forms_by_prefix.get(form[:_RELATED_MIN_PREFIX], ())
            if related != form and _are_related(form, related)
        ]

    def corrections(self, word: str) -> list[tuple[str, float]]:
        """The known words a misspelt `word` may stand for, with their similarity (0–100),
        the most similar first; none for a short word or a number."""
        if len(word) < _FUZZY_MIN_LENGTH or word.isdigit():
            return []
        candidates = self._vocabulary_by_initial.get(word[0], ())
        if len(word) == _FUZZY_MIN_LENGTH:
            cutoff = _FUZZY_CUTOFF_SHORT
        elif _CYRILLIC_RE.search(word) and _morph().word_is_known(word):
            cutoff = _FUZZY_CUTOFF_REAL_WORD
        else:
            cutoff = _FUZZY_CUTOFF
        matches = process.extract(
            word, candidates, scorer=fuzz.ratio, score_cutoff=cutoff, limit=_FUZZY_CANDIDATES
        )
        return [(candidate, similarity) for candidate, similarity, _ in matches]

    def _familiarity(self, chunk: str) -> int:
        """How much a chunk reads as real words: 2 per known word, 1 per other Russian one."""
        score = 0
        for word in _tokens(chunk):
            if any(form in self._forms for form in lemmas(word)):
                score += 2
            elif len(word) >= 3 and _CYRILLIC_RE.search(word) and _morph().word_is_known(word):
                score += 1
        return score

    def _transliterate(self, chunk: str) -> str:
        """A chunk's Latin words in Cyrillic, each spelt the way the vocabulary knows best."""
        return _LATIN_WORD_RE.sub(lambda match: self._best_spelling(match[0]), chunk.lower())

    def _best_spelling(self, word: str) -> str:
        spellings = latin_spellings(word)
        best, best_score = (spellings[0], 0) if spellings else (word, 0)
        # The likeliest spelling that is a known word wins outright; failing that, the
        # likeliest real word ("семя" before the unknown "семыа"). Most spellings are no word
        # at all, and the dictionary's lookup rules them out far cheaper than lemmatizing.
        for spelling in spellings:
            if spelling in self._surfaces:
                score = 2
            elif _morph().word_is_known(spelling):
                score = self._familiarity(spelling)
            else:
                continue
            if score > best_score:
                best, best_score = spelling, score
                if score >= 2:
                    break
        return best

    def rewrite(self, query: str) -> QueryRewrite | None:
        """What was meant, if `query` was typed in the wrong layout or in Latin letters."""
        # Decide per script: the Latin-looking words of "pfgbcm к врачу" may be Russian typed
        # on QWERTY while its Cyrillic words are fine. Within a script the words are retyped
        # together when that makes the query more familiar overall, so that gibberish like
        # "r" (the "к" of "pfgbcm r dhfxe") follows its neighbours. Latin words may also be
        # Russian spelt in Latin letters: the reading that explains more words wins, the
        # keyboard layout on a tie (its readings are exact, a transliteration's a guess).
        chunks = query.split()
        rewritten = list(chunks)
        transliterated = False
        # Ranking reads only the first few words; retyping more would only cost time.
        considered = chunks[:_MAX_QUERY_TOKENS]
        for script in (_LATIN_RE, _CYRILLIC_RE):
            indices = [i for i, chunk in enumerate(considered) if script.search(chunk.lower())]
            if not indices:
                continue
            before = [self._familiarity(chunks[i]) for i in indices]
            if sum(before) >= 2 * sum(len(_tokens(chunks[i])) for i in indices):
                continue  # every word is a known word already: nothing to improve
            readings = [(switch_layout, False)]
            if script is _LATIN_RE:
                readings.append((self._transliterate, True))
            best_total, best = sum(before), None
            for retype, is_transliteration in readings:
                retyped = [retype(chunks[i]) for i in indices]
                after = [self._familiarity(chunk) for chunk in retyped]
                if sum(after) > best_total:
                    best_total, best = sum(after), (retyped, after, is_transliteration)
            if best is None:
                continue
            retyped, after, is_transliteration = best
            for i, old, new, chunk in zip(indices, before, after, retyped, strict=True):
                if new >= old:
                    rewritten[i] = chunk
            transliterated = transliterated or is_transliteration
        if rewritten == chunks:
            return None
        return QueryRewrite(text=" ".join(rewritten), transliterated=transliterated)


class SearchIndex:
    """An immutable in-memory index over a catalog; safe to share between threads."""

    def __init__(self, documents: Iterable[SearchDocument]) -> None:
        unique: dict[str, SearchDocument] = {}
        for document in documents:
            unique.setdefault(document.slug, document)
        docs = list(unique.values())
        self._slugs = [document.slug for document in docs]
        self._priors = [document.prior for document in docs]

        field_tfs, field_lengths, phrases, surfaces = self._fields_of(docs)

        self._postings, self._idf = self._build_postings(field_tfs, field_lengths)
        self._phrase_docs = [doc_id for doc_id, _, _ in phrases]
        self._phrase_factors = [factor for _, factor, _ in phrases]
        self._phrase_sizes = [len(slots) for _, _, slots in phrases]
        phrase_postings: dict[str, list[tuple[int, int]]] = {}
        for phrase_id, (_, _, slots) in enumerate(phrases):
            for slot, forms in enumerate(slots):
                for form in forms:
                    phrase_postings.setdefault(form, []).append((phrase_id, slot))
        self._phrase_postings = {form: tuple(hits) for form, hits in phrase_postings.items()}

        self._vocabulary = Vocabulary(self._idf, surfaces)

        synonyms: dict[str, set[str]] = {}
        for group in _SYNONYMS:
            forms = {lemmas(word)[0] for word in group}
            for form in forms:
                synonyms.setdefault(form, set()).update(forms - {form})
        self._synonyms = {form: tuple(sorted(others)) for form, others in synonyms.items()}

        # Bound to the instance, so that each index has its own cache and a rebuilt catalog
        # never answers from a stale one.
        self._answer = functools.lru_cache(maxsize=_CACHE_SIZE)(self._answer_uncached)

    @staticmethod
    def _fields_of(docs: list[SearchDocument]):
        """Each document's fields as lemma counts and lengths, its phrases (title and
        keywords, as slots of word forms), and every word as the catalog writes it."""
        # Per document and field: lemma -> term frequency, and the field's length in tokens.
        field_tfs: list[dict[str, dict[str, int]]] = []
        field_lengths: dict[str, list[int]] = {field: [] for field in _FIELDS}
        phrases: list[tuple[int, float, tuple[tuple[str, ...], ...]]] = []
        surfaces: set[str] = set()
        for doc_id, document in enumerate(docs):
            texts = {
                "title": [document.title],
                "title_en": [document.title_en],
                "keywords": list(document.keywords),
                "description": [document.description],
                "category": [document.category_title],
            }
            tfs: dict[str, dict[str, int]] = {}
            for field, field_texts in texts.items():
                tf: dict[str, int] = {}
                length = 0
                for text in field_texts:
                    words = _tokens(text)
                    surfaces.update(words)
                    slots = tuple(lemmas(word) for word in words)
                    for forms in slots:
                        for form in forms:
                            tf[form] = tf.get(form, 0) + 1
                    length += len(slots)
                    if field in _PHRASE_FACTORS and slots:
                        phrases.append((doc_id, _PHRASE_FACTORS[field], slots))
                tfs[field] = tf
                field_lengths[field].append(length)
            field_tfs.append(tfs)
        return field_tfs, field_lengths, phrases, surfaces

    @staticmethod
    def _build_postings(
        field_tfs: list[dict[str, dict[str, int]]], field_lengths: dict[str, list[int]]
    ) -> tuple[dict[str, tuple[tuple[int, float], ...]], dict[str, float]]:
        n_docs = len(field_tfs)
        average = {
            field: (sum(lengths) / n_docs if n_docs else 0.0) or 1.0
            for field, lengths in field_lengths.items()
        }
        pseudo_tf: dict[str, dict[int, float]] = {}
        for doc_id, tfs in enumerate(field_tfs):
            for field, tf in tfs.items():
                weight, b = _FIELDS[field]
                norm = 1.0 - b + b * field_lengths[field][doc_id] / average[field]
                for form, count in tf.items():
                    per_doc = pseudo_tf.setdefault(form, {})
                    per_doc[doc_id] = per_doc.get(doc_id, 0.0) + weight * count / norm
        postings: dict[str, tuple[tuple[int, float], ...]] = {}
        idf: dict[str, float] = {}
        for form, per_doc in pseudo_tf.items():
            df = len(per_doc)
            idf[form] = math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
            postings[form] = tuple(
                (doc_id, idf[form] * tf * (_K1 + 1.0) / (tf + _K1))
                for doc_id, tf in per_doc.items()
            )
        return postings, idf

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """The services that best answer ``query``, best first; [] when nothing fits."""
        if limit <= 0 or len(query) > _MAX_QUERY_CHARS:
            return []
        query = query.strip()
        rewrite, hits, complete = self._answer(query)
        if limit > len(hits) and not complete:
            hits = self._rank(rewrite.text if rewrite is not None else query)
        return list(hits[:limit])

    def rewrite(self, query: str) -> QueryRewrite | None:
        """What the citizen meant, if the query was typed in the wrong layout or in Latin."""
        if len(query) > _MAX_QUERY_CHARS:
            return None
        return self._answer(query.strip())[0]

    def _answer_uncached(
        self, query: str
    ) -> tuple[QueryRewrite | None, tuple[SearchHit, ...], bool]:
        """The rewritten query, the first hits, and whether those are all the hits."""
        rewrite = self._vocabulary.rewrite(query)
        hits = self._rank(rewrite.text if rewrite is not None else query)
        return rewrite, hits[:_CACHED_HITS], len(hits) <= _CACHED_HITS

    # --- ranking -------------------------------------------------------------------------

    def _query_terms(self, query: str) -> list[dict[str, float]]:
        """Per query word, the index lemmas it stands for and how sure we are of each."""
        terms: list[dict[str, float]] = []
        for word in list(dict.fromkeys(_tokens(query)))[:_MAX_QUERY_TOKENS]:
            forms = lemmas(word)
            alternatives = {form: 1.0 for form in forms if form in self._idf}
            for form in forms:
                for synonym in self._synonyms.get(form, ()):
                    if synonym in self._idf and synonym not in alternatives:
                        alternatives[synonym] = _SYNONYM_WEIGHT
            # Derivatives only widen a word the catalog knows: a shared prefix is too weak a
            # hint to explain an unknown word ("домашка" is not "дома").
            for form in list(alternatives):
                for related in self._vocabulary.related(form):
                    if related not in alternatives:
                        alternatives[related] = _RELATED_WEIGHT
            terms.append(alternatives or self._fuzzy_terms(word))
        return [alternatives for alternatives in terms if alternatives]

    def _fuzzy_terms(self, word: str) -> dict[str, float]:
        terms: dict[str, float] = {}
        for candidate, similarity in self._vocabulary.corrections(word):
            weight = _FUZZY_WEIGHT * (similarity / 100.0) ** 2
            for form in lemmas(candidate):
                if form in self._idf and weight > terms.get(form, 0.0):
                    terms[form] = weight
        return terms

    def _rank(self, query: str) -> tuple[SearchHit, ...]:
        terms = self._query_terms(query)
        if not terms:
            return ()
        idf = self._idf
        postings = self._postings

        relevance: dict[int, float] = {}
        covered: dict[int, float] = {}
        total_mass = 0.0
        for alternatives in terms:
            # One query word counts once per document, through its best-matching lemma, and
            # covers the query only as far as that lemma is trusted (a guessed correction or a
            # derivative explains the word less than the word itself).
            best: dict[int, tuple[float, float]] = {}
            for form, weight in alternatives.items():
                for doc_id, posting in postings[form]:
                    value = posting * weight
                    if value > best.get(doc_id, (0.0, 0.0))[0]:
                        best[doc_id] = (value, weight)
            mass = max(idf[form] * weight for form, weight in alternatives.items())
            total_mass += mass
            for doc_id, (value, weight) in best.items():
                relevance[doc_id] = relevance.get(doc_id, 0.0) + value
                covered[doc_id] = covered.get(doc_id, 0.0) + mass * weight

        bonus = self._phrase_bonus(terms)
        priors = self._priors
        scored = []
        for doc_id, value in relevance.items():
            coverage = covered[doc_id] / total_mass
            score = (value + bonus.get(doc_id, 0.0)) * coverage**_COVERAGE_EXPONENT * priors[doc_id]
            scored.append((-score, doc_id))
        scored.sort()
        floor = scored[0][0] * _MIN_RELATIVE_SCORE
        slugs = self._slugs
        return tuple(
            SearchHit(slug=slugs[doc_id], score=round(-negative, 4))
            for negative, doc_id in scored
            if negative <= floor
        )

    def _phrase_bonus(self, terms: list[dict[str, float]]) -> dict[int, float]:
        """Per document, its best title or keyword phrase, by how much of it the query holds.

        "оплатить парковку" matching the keyword "оплатить парковку" whole says more than the
        same two words scattered over a description.
        """
        idf = self._idf
        slot_mass: dict[int, dict[int, float]] = {}
        for alternatives in terms:
            for form, weight in alternatives.items():
                mass = idf[form] * weight
                for phrase_id, slot in self._phrase_postings.get(form, ()):
                    slots = slot_mass.setdefault(phrase_id, {})
                    if mass > slots.get(slot, 0.0):
                        slots[slot] = mass

        bonus: dict[int, float] = {}
        factors, sizes, docs = self._phrase_factors, self._phrase_sizes, self._phrase_docs
        for phrase_id, slots in slot_mass.items():
            value = factors[phrase_id] * sum(slots.values()) * len(slots) / sizes[phrase_id]
            doc_id = docs[phrase_id]
            if value > bonus.get(doc_id, 0.0):
                bonus[doc_id] = value
        return bonus
