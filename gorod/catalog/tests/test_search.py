"""The catalog search engine, against the real catalog and the evaluation set.

No Django here: the engine is pure Python, so these tests run without settings
(``pytest -p no:django gorod/catalog/tests/test_search.py``).
"""

from __future__ import annotations

import ast
import csv
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gorod.catalog.rules import search_prior
from gorod.catalog.search import (
    QueryRewrite,
    SearchDocument,
    SearchIndex,
    normalize,
    switch_layout,
)

CATALOG_DIR = Path(__file__).resolve().parents[1]
CATALOG_CANDIDATES = (
    CATALOG_DIR / "fixtures" / "services.csv",
    CATALOG_DIR.parents[1].parent / "shared" / "data" / "services.csv",
)
EVAL_PATH = CATALOG_DIR / "search_eval.csv"
EVAL_KINDS = {"exact", "paraphrase", "typo", "layout", "inflected", "english", "translit"}

# How the portal names its ten categories; the engine only uses them as weak extra text.
CATEGORY_TITLES = {
    "health": "Здоровье",
    "education": "Образование",
    "housing": "Жилье и ЖКХ",
    "transport": "Транспорт",
    "family": "Семья и дети",
    "social": "Социальная поддержка",
    "documents": "Документы",
    "business": "Бизнес",
    "leisure": "Досуг и спорт",
    "safety": "Безопасность",
}

QWERTY_KEYS = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>~"
JCUKEN_KEYS = "йцукенгшщзхъфывапролджэячсмитьбюёЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮЁ"


@pytest.fixture(scope="module")
def catalog() -> list[dict[str, str]]:
    path = next((path for path in CATALOG_CANDIDATES if path.exists()), None)
    if path is None:
        pytest.skip(
            "no catalog: neither gorod/catalog/fixtures/services.csv "
            "nor ../shared/data/services.csv exists"
        )
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


@pytest.fixture(scope="module")
def index(catalog: list[dict[str, str]]) -> SearchIndex:
    return SearchIndex(
        SearchDocument(
            slug=row["slug"],
            title=row["title"],
            title_en=row["title_en"],
            keywords=tuple(keyword for keyword in row["keywords"].split("|") if keyword),
            description=row["description"],
            category_title=CATEGORY_TITLES.get(row["category"], ""),
            prior=search_prior(row["kind"]),
        )
        for row in catalog
    )


@pytest.fixture(scope="module")
def eval_rows() -> list[dict[str, str]]:
    with EVAL_PATH.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def top_slugs(index: SearchIndex, query: str, limit: int = 3) -> list[str]:
    return [hit.slug for hit in index.search(query, limit)]


# --- the evaluation set ------------------------------------------------------------------


def test_eval_set_is_well_formed(eval_rows, catalog):
    slugs = {row["slug"]: row["category"] for row in catalog}
    assert list(eval_rows[0]) == ["query", "expected_slug", "kind"]
    assert len(eval_rows) >= 180
    assert {row["kind"] for row in eval_rows} == EVAL_KINDS
    unknown = [row["expected_slug"] for row in eval_rows if row["expected_slug"] not in slugs]
    assert not unknown, f"expected slugs missing from the catalog: {unknown}"
    queries = [row["query"] for row in eval_rows]
    assert len(queries) == len(set(queries)), "duplicate queries"
    covered = {slugs[row["expected_slug"]] for row in eval_rows}
    assert covered == set(CATEGORY_TITLES), (
        f"categories without queries: {set(CATEGORY_TITLES) - covered}"
    )


def test_eval_set_accuracy(index, eval_rows):
    total: Counter[str] = Counter()
    first: Counter[str] = Counter()
    in_top3: Counter[str] = Counter()
    misses = []
    for row in eval_rows:
        kind, expected = row["kind"], row["expected_slug"]
        slugs = top_slugs(index, row["query"], 10)
        total[kind] += 1
        first[kind] += slugs[:1] == [expected]
        in_top3[kind] += expected in slugs[:3]
        if slugs[:1] != [expected]:
            rank = slugs.index(expected) + 1 if expected in slugs else None
            misses.append(
                f"  [{kind}] {row['query']!r}: want {expected} (rank {rank}), got {slugs[:3]}"
            )

    n = sum(total.values())
    top1 = sum(first.values()) / n
    top3 = sum(in_top3.values()) / n
    per_kind = "\n".join(
        f"  {kind}: top-1 {first[kind] / total[kind]:.3f}, top-3 {in_top3[kind] / total[kind]:.3f}"
        f" (n={total[kind]})"
        for kind in sorted(total)
    )
    report = f"top-1 {top1:.3f}, top-3 {top3:.3f} over {n}\n{per_kind}\nmisses:\n" + "\n".join(
        misses
    )
    assert top1 >= 0.90, report
    assert top3 >= 0.97, report
    # Each way of typing must work on its own, not hide behind the others' average.
    for kind in total:
        assert in_top3[kind] / total[kind] >= 0.85, report


# --- behaviour citizens rely on ----------------------------------------------------------


def test_wrong_layout_query_finds_doctor_appointment(index):
    assert top_slugs(index, "pfgbcm r dhfxe")[0] == "doctor-appointment"
    assert index.rewrite("pfgbcm r dhfxe").text == "запись к врачу"


def test_english_typed_on_russian_layout_is_switched_back(index):
    assert index.rewrite("вщсещк фззщштеьуте").text == "doctor appointment"
    assert top_slugs(index, "вщсещк фззщштеьуте")[0] == "doctor-appointment"


@pytest.mark.parametrize(
    ("query", "understood", "expected"),
    [
        ("zapis k vrachu", "запись к врачу", "doctor-appointment"),
        ("pokazaniya schetchikov", "показания счетчиков", "meter-readings"),
        # The same words by other habits: ICAO's "ia", "yo" for ё, the apostrophe.
        ("pokazaniia schetchikov", "показания счетчиков", "meter-readings"),
        ("pokazaniya schyotchikov", "показания счетчиков", "meter-readings"),
        ("zapis' k vrachu", "запись к врачу", "doctor-appointment"),
        # "y" for ы and й, "kh" and "h", the soft sign left out inside a word.
        ("bolnichnyy list", "больничный лист", "sick-leave"),
        ("shtrafy gibdd", "штрафы гибдд", "fines-payment"),
        ("tarify zhkh", "тарифы жкх", "utility-tariffs"),
        ("mnogodetnaya semya", "многодетная семья", "large-family-status"),
        (
            "registratsiya po mestu zhitelstva",
            "регистрация по месту жительства",
            "residence-registration",
        ),
    ],
)
def test_russian_typed_in_latin_letters_is_understood(index, query, understood, expected):
    assert index.rewrite(query) == QueryRewrite(understood, transliterated=True)
    assert top_slugs(index, query, 1) == [expected]


def test_russian_typed_on_the_english_layout_is_not_taken_for_transliteration(index):
    rewrite = index.rewrite("gjrfpfybz cxtnxbrjd")
    assert rewrite == QueryRewrite("показания счетчиков", transliterated=False)


def test_english_queries_are_not_transliterated(index):
    for query in ("doctor appointment", "sick leave", "moscow zoo", "parking payment", "tax"):
        assert index.rewrite(query) is None, query


def test_correctly_typed_queries_get_no_layout_suggestion(index):
    for query in ("запись к врачу", "doctor appointment", "ЕМИАС", "112", ""):
        assert index.rewrite(query) is None, query


def test_everyday_words_find_meter_readings(index):
    assert top_slugs(index, "передать показания воды")[0] == "meter-readings"


def test_english_query_matches_english_title(index):
    assert top_slugs(index, "doctor appointment")[0] == "doctor-appointment"


def test_inflected_and_misspelt_forms(index):
    assert top_slugs(index, "показаний счетчиков воды")[0] == "meter-readings"
    assert top_slugs(index, "запсь к врачу")[0] == "doctor-appointment"


def test_a_corrected_typo_scores_below_the_word_typed_right(index):
    exact = index.search("запись к врачу", 1)[0]
    misspelt = index.search("запсь к врачу", 1)[0]
    assert exact.slug == misspelt.slug == "doctor-appointment"
    assert misspelt.score < exact.score


def test_stop_words_alone_find_nothing(index):
    assert index.search("к в на для и") == []


@pytest.mark.parametrize(
    "query",
    ["", "   ", "\t\n", "?!...,;:—«»", "!!!", "😀🎉", "\x00\x01\x1b", "asdfghjkl qwpoeiru"],
)
def test_blank_punctuation_and_garbage_find_nothing(index, query):
    assert index.search(query) == []


@pytest.mark.parametrize(
    "query", ["запись к врачу " * 7000, "а" * 100_000, "pfgbcm " * 15_000, "?" * 100_000]
)
def test_huge_input_finds_nothing(index, query):
    assert len(query) >= 100_000
    assert index.search(query) == []
    assert index.rewrite(query) is None


def test_results_are_unique_and_best_first(index):
    for query in ("справка", "запись", "оплата", "парковка", "выплата на ребенка"):
        hits = index.search(query, 100)
        slugs = [hit.slug for hit in hits]
        scores = [hit.score for hit in hits]
        assert len(slugs) > 1, query
        assert len(set(slugs)) == len(slugs), query
        assert scores == sorted(scores, reverse=True), query


@pytest.mark.parametrize("limit", [0, 1, 3, 20])
def test_limit_is_honoured(index, limit):
    hits = index.search("справка", limit)
    assert len(hits) == limit
    assert hits == index.search("справка", 100)[:limit]


def test_a_deep_limit_returns_every_match(index):
    # The API lists every match of a query and paginates it; the first page must agree.
    every = index.search("городской", 1000)
    assert len(every) > 50
    assert every[:20] == index.search("городской", 20)
    assert len({hit.slug for hit in every}) == len(every)


def test_negative_limit_finds_nothing(index):
    assert index.search("справка", -1) == []


def test_repeated_queries_give_equal_answers(index):
    assert index.search("оплатить парковку") == index.search("оплатить парковку")


def test_duplicate_slugs_are_indexed_once():
    document = SearchDocument("parks", "Парки Москвы", "Moscow parks", ("парк",), "Парки.")
    assert [hit.slug for hit in SearchIndex([document, document]).search("парки")] == ["parks"]


def test_an_empty_catalog_finds_nothing():
    assert SearchIndex([]).search("запись к врачу") == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_search_never_raises(index, query):
    hits = index.search(query)
    assert len({hit.slug for hit in hits}) == len(hits)
    index.rewrite(query)


# --- helpers -----------------------------------------------------------------------------


@given(st.text(alphabet=QWERTY_KEYS + JCUKEN_KEYS + " 0123456789"))
def test_switch_layout_round_trips(text):
    assert switch_layout(switch_layout(text)) == text


@given(st.text(alphabet=QWERTY_KEYS + JCUKEN_KEYS, min_size=1))
def test_switch_layout_moves_every_key_to_the_other_layout(text):
    switched = switch_layout(text)
    assert len(switched) == len(text)
    assert all(a != b for a, b in zip(text, switched, strict=True))


def test_switch_layout_examples():
    assert switch_layout("pfgbcm r dhfxe") == "запись к врачу"
    assert switch_layout("запись к врачу") == "pfgbcm r dhfxe"
    assert switch_layout("Gjcj,bt") == "Пособие"


def test_normalize():
    assert normalize("  Ёлка,  ПАРК!!\n\tрядом — 24/7 ") == "елка парк рядом 24 7"
    assert normalize("?!…") == ""
    # A decomposed "й" (as macOS may send it) is the same letter as a composed one.
    assert normalize("и\u0306") == "й"


def test_engine_does_not_import_django():
    source = (CATALOG_DIR / "search.py").read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert not {name for name in imported if name.split(".")[0] == "django"}
