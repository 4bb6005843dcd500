from datetime import date

from gorod.analytics import reports, rules


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
