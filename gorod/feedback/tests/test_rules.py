from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gorod.analytics.rules import Period
from gorod.feedback import rules

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
counts_strategy = st.dictionaries(
    st.sampled_from(rules.STARS), st.integers(min_value=0, max_value=10_000)
)


@pytest.mark.parametrize("stars", [1, 2, 3, 4, 5])
def test_one_to_five_stars_are_valid(stars):
    assert rules.stars_problem(stars) is None


@pytest.mark.parametrize("stars", [0, 6, -1, 10**30, True, 4.5, "5", None])
def test_anything_else_is_out_of_range(stars):
    assert rules.stars_problem(stars) == "stars_out_of_range"


def test_comment_is_trimmed_and_browser_line_breaks_count_once():
    assert rules.clean_comment("  хорошо\r\nбыстро \r ") == "хорошо\nбыстро"
    assert rules.clean_comment(None) == ""
    # 500 lines as a browser sends them: 1,499 characters raw, 999 once folded.
    assert rules.comment_problem(rules.clean_comment("а\r\n" * 499 + "а")) is None


def test_comment_of_1000_characters_fits_and_1001_does_not():
    assert rules.comment_problem("я" * 1000) is None
    assert rules.comment_problem("я" * 1001) == "comment_too_long"


def test_rating_is_editable_for_thirty_days_only():
    created = NOW - timedelta(days=30) + timedelta(seconds=1)
    assert rules.edit_open(created, NOW, 30)
    assert not rules.edit_open(NOW - timedelta(days=30), NOW, 30)


def test_tags_only_ideas_have_a_status():
    assert rules.tag_problem("idea", "planned") is None
    assert rules.tag_problem("bug", "") is None
    assert rules.tag_problem("", "") is None
    assert rules.tag_problem("bug", "done") == "idea_status_without_idea"
    assert rules.tag_problem("idea", "someday") == "idea_status_unknown"
    assert rules.tag_problem("rant", "") == "topic_unknown"


@given(st.lists(st.one_of(st.none(), st.sampled_from(rules.STARS)), min_size=1, max_size=30))
def test_summary_deltas_add_up_to_the_final_state(states):
    """Any history of one rating (absent, then stars, edited, …) moves the counters from
    zero to exactly the counts of its final state."""
    counters = {"count": 0, **{f"c{stars}": 0 for stars in rules.STARS}}
    previous = None
    for state in states:
        for name, change in rules.summary_delta(previous, state).items():
            counters[name] += change
        previous = state
    expected = {"count": int(previous is not None)}
    expected.update({f"c{stars}": int(previous == stars) for stars in rules.STARS})
    assert counters == expected


@given(counts_strategy)
def test_percentages_always_add_up_to_100(counts):
    shares = rules.percentages(counts)
    assert sum(shares.values()) == (100 if sum(counts.values()) else 0)
    for stars, percent in shares.items():
        exact = counts.get(stars, 0) * 100 / max(sum(counts.values()), 1)
        assert abs(percent - exact) < 1


def test_average_is_rounded_half_up_to_one_decimal():
    assert rules.average_stars({5: 1, 4: 3}) == Decimal("4.3")  # 4.25
    assert rules.average_stars({1: 2, 2: 1}) == Decimal("1.3")
    assert rules.average_stars({}) is None


def test_summary_is_hidden_below_the_public_minimum():
    assert rules.public_summary({5: 9}, min_count=10) is None
    summary = rules.public_summary({5: 6, 1: 4}, min_count=10)
    assert summary.count == 10
    assert summary.average == Decimal("3.4")
    assert [(share.stars, share.count, share.percent) for share in summary.distribution] == [
        (5, 6, 60),
        (4, 0, 0),
        (3, 0, 0),
        (2, 0, 0),
        (1, 4, 40),
    ]


@given(counts_strategy)
def test_public_summary_matches_its_counts(counts):
    summary = rules.public_summary(counts, min_count=10)
    total = sum(counts.values())
    if total < 10:
        assert summary is None
    else:
        assert summary.count == total == sum(share.count for share in summary.distribution)
        assert 1 <= summary.average <= 5


def test_frequent_phrases_of_complaints():
    comments = [
        "Не работает запись к врачу, очень долго грузится",
        "Запись к врачу не работает!!!",
        "Долго грузится страница 2024",
        "Хочу запись к врачу через приложение",
        "Всё плохо",
    ]
    phrases = rules.frequent_phrases(comments, top=10)
    assert [(phrase.text, phrase.count) for phrase in phrases] == [
        ("запись врач", 3),
        ("долго грузиться", 2),
        ("не работать", 2),
    ]


def test_frequent_phrases_skip_numbers_stop_words_and_single_mentions():
    phrases = rules.frequent_phrases(["2024 и в на 15", "2024 и в на", "один раз сказал"], top=5)
    assert phrases == []


def test_a_comment_counts_a_phrase_once():
    phrases = rules.frequent_phrases(["очередь очередь очередь", "очередь"], top=5)
    assert phrases == [rules.Phrase("очередь", 2)]


SERVICES = {"e-prescriptions": 1, "sick-leave": 2}


@pytest.mark.parametrize(
    ("row", "code"),
    [
        (["2025-03-01T10:00:00+03:00", "e-prescriptions", "u1", "5"], "wrong_field_count"),
        (["2025-03-01 10:00", "e-prescriptions", "u1", "5", ""], "bad_timestamp"),
        (["yesterday", "e-prescriptions", "u1", "5", ""], "bad_timestamp"),
        (["2030-03-01T10:00:00+03:00", "e-prescriptions", "u1", "5", ""], "in_future"),
        (["2025-03-01T10:00:00+03:00", "nope", "u1", "5", ""], "unknown_service"),
        (["2025-03-01T10:00:00+03:00", "e-prescriptions", "u1", "6", ""], "stars_out_of_range"),
        (["2025-03-01T10:00:00+03:00", "e-prescriptions", "u1", "4.5", ""], "stars_out_of_range"),
        (["2025-03-01T10:00:00+03:00", "e-prescriptions", "u1", "٣", ""], "stars_out_of_range"),
        (["2025-03-01T10:00:00+03:00", "e-prescriptions", "", "3", "я" * 1001], "comment_too_long"),
    ],
)
def test_bad_import_rows_say_why(row, code):
    assert rules.parse_rating_row(row, SERVICES, now=NOW) == code


def test_import_row_and_its_key():
    row = ["2025-03-01T10:00:00+03:00", " sick-leave ", "u1", " 4 ", " ок "]
    parsed = rules.parse_rating_row(row, SERVICES, now=NOW)
    assert parsed.service_id == 2
    assert parsed.stars == 4
    assert parsed.comment == "ок"
    same_instant = rules.parse_rating_row(
        ["2025-03-01T07:00:00+00:00", *row[1:]], SERVICES, now=NOW
    )
    assert rules.imported_rating_key(parsed, "k", 0) == rules.imported_rating_key(
        same_instant, "k", 0
    )
    assert rules.imported_rating_key(parsed, "k", 0) != rules.imported_rating_key(parsed, "k", 1)


def test_rating_figures_from_rollup_sums():
    period = Period(date(2025, 3, 1), date(2025, 3, 2))
    figures = rules.rating_figures(
        period,
        counts={("a", 5): 3, ("a", 1): 1, ("b", 4): 4},
        daily={(date(2025, 3, 1), 5): 3, (date(2025, 3, 1), 1): 1, (date(2025, 3, 2), 4): 4},
        services={"a": ("Услуга А", "health"), "b": ("Услуга Б", "health")},
    )
    assert figures.count == 8
    assert figures.average == 32 / 8
    assert figures.excellent_share == 3 / 8
    assert [(row.slug, row.count, row.average) for row in figures.by_service] == [
        ("a", 4, 4.0),
        ("b", 4, 4.0),
    ]
    assert figures.daily == [(date(2025, 3, 1), 4, 4.0), (date(2025, 3, 2), 4, 4.0)]
