from datetime import date

from gorod.analytics import reports, rules
from gorod.analytics.selectors import UsageReport
from gorod.feedback.rules import RatingFigures


def test_russian_numbers_read_like_a_press_release():
    assert reports.russian_number(550_000_000) == "550 млн"
    assert reports.russian_number(2_040_000) == "2 млн"
    assert reports.russian_number(2_150_000) == "2,1 млн"
    assert reports.russian_number(12_345) == "12,3 тыс."
    assert reports.russian_number(999) == "999"
    assert reports.russian_number(2.5) == "2,5"
    assert reports.russian_period(rules.Period(date(2025, 1, 1), date(2025, 6, 30))) == (
        "с 1 января 2025 г. по 30 июня 2025 г."
    )
    assert reports.russian_percent(0.3333) == "33 %"


def test_russian_counts_agree_with_their_number():
    assert reports.russian_count(1, "оценка", "оценки", "оценок") == "1 оценка"
    assert reports.russian_count(3, "оценка", "оценки", "оценок") == "3 оценки"
    assert reports.russian_count(11, "оценка", "оценки", "оценок") == "11 оценок"
    assert reports.russian_count(21, "оценка", "оценки", "оценок") == "21 оценка"
    assert reports.russian_count(112, "оценка", "оценки", "оценок") == "112 оценок"
    assert reports.russian_count(2_500_000, "оценка", "оценки", "оценок") == "2,5 млн оценок"


MARCH = rules.Period(date(2025, 3, 1), date(2025, 3, 31))
FEBRUARY = rules.Period(date(2025, 2, 1), date(2025, 2, 28))


def usage_report(uses: int, users: int, compared_uses: int | None = None) -> UsageReport:
    comparison = None
    if compared_uses is not None:
        comparison = rules.UsageFigures(period=MARCH, uses=compared_uses, users=users)
    return UsageReport(rules.UsageFigures(period=MARCH, uses=uses, users=users), comparison)


def ratings(count: int, period: rules.Period = MARCH) -> RatingFigures:
    return RatingFigures(period=period, count=count, stars_total=4 * count, distribution={})


def test_percents_keep_small_shares_visible():
    assert reports.russian_percent(0.124) == "12 %"
    assert reports.russian_percent(0.004) == "0,4 %"
    assert reports.russian_percent(0.0001) == "менее 0,1 %"
    assert reports.russian_percent(0) == "0 %"
    assert reports.russian_change(0.5, up="вырос", down="снизился") == "вырос на 50 %"
    assert reports.russian_change(-0.004, up="вырос", down="снизился") == "снизился на 0,4 %"
    assert reports.russian_change(0.0004, up="вырос", down="снизился") is None


def test_a_sentence_ending_in_an_abbreviation_gets_no_second_dot():
    text = reports.usage_summary_ru(usage_report(uses=1_000_000, users=12_345))
    assert text.endswith("уникальных пользователей — 12,3 тыс.")
    assert ".." not in text
    text = reports.ratings_summary_ru(ratings(40), ratings(30, FEBRUARY))
    assert text.startswith("Период с 1 марта 2025 г. по 31 марта 2025 г. Жители поставили")
    assert text.endswith("чем за период с 1 февраля 2025 г. по 28 февраля 2025 г.")
    assert ".." not in text


def test_an_unchanged_demand_reads_as_unchanged():
    text = reports.usage_summary_ru(usage_report(uses=3100, users=10, compared_uses=3100))
    assert "спрос не изменился." in text
    assert "на 0 %" not in text
    text = reports.usage_summary_ru(usage_report(uses=310_001, users=10, compared_uses=310_000))
    assert "спрос не изменился." in text  # a ten-thousandth of a percent is no news
    text = reports.usage_summary_ru(usage_report(uses=3088, users=10, compared_uses=3100))
    assert "спрос снизился на 0,4 %." in text


def test_an_unchanged_number_of_ratings_reads_as_the_same():
    text = reports.ratings_summary_ru(ratings(30), ratings(30, FEBRUARY))
    assert "столько же, сколько за период с 1 февраля 2025 г. по 28 февраля 2025 г." in text
    assert "на 0 %" not in text
