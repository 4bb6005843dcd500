"""The report's figures are exact: small event sets built by hand, every figure checked."""

import json
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gorod.accounts.tests.factories import UserFactory
from gorod.analytics.ratings import rating_rollup
from gorod.analytics.services import usage_record, usage_rollup
from gorod.catalog.models import Service
from gorod.feedback.models import Rating
from gorod.feedback.tests.conftest import rate

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")


def use(service: str, actor, day: date, channel: str = "web") -> None:
    usage_record(
        service=service,
        actor=actor,
        action="open",
        channel=channel,
        occurred_at=datetime(day.year, day.month, day.day, 12, tzinfo=MOSCOW),
    )


@pytest.fixture
def two_periods(catalog):
    """January 1–2 (comparison): 4 uses by 2 people. March 1–4 (report): 12 uses, 3 people."""
    ann, bob, cat = UserFactory(), UserFactory(), UserFactory()
    use("emr", ann, date(2025, 1, 1))
    use("emr", bob, date(2025, 1, 1))
    use("school-diary", ann, date(2025, 1, 2))
    use("emr", ann, date(2025, 1, 2))
    for day in (date(2025, 3, 1), date(2025, 3, 2), date(2025, 3, 3)):
        use("emr", ann, day)
        use("emr", bob, day, channel="mobile")
    for _ in range(3):
        use("school-diary", cat, date(2025, 3, 4))
    use("meter-readings", ann, date(2025, 3, 4), channel="kiosk")
    use("meter-readings", None, date(2025, 3, 4))
    use("christmas-tree-recycling", bob, date(2025, 3, 4))
    days = [date(2025, 1, 1), date(2025, 1, 2)] + [date(2025, 3, n) for n in range(1, 5)]
    usage_rollup(days=days)


def report(*args: str) -> dict:
    out = StringIO()
    call_command("report", "usage", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_usage_report_figures_are_exact(two_periods):
    data = report(
        "--from", "2025-03-01", "--to", "2025-03-04",
        "--compare-from", "2025-01-01", "--compare-to", "2025-01-02",
        "--top", "3",
    )  # fmt: skip
    assert data["period"] == {"from": "2025-03-01", "to": "2025-03-04", "days": 4}
    assert data["uses"] == 12
    assert data["daily_average"] == 3.0
    assert data["unique_users"] == 3
    assert [(row["slug"], row["uses"], row["share"]) for row in data["top_services"]] == [
        ("emr", 6, 0.5),
        ("school-diary", 3, 0.25),
        ("meter-readings", 2, 0.1667),
    ]
    categories = {row["slug"]: (row["uses"], row["share"]) for row in data["categories"]}
    assert categories["health"] == (6, 0.5)
    assert categories["education"] == (3, 0.25)
    assert categories["housing"] == (3, 0.25)  # meters and the christmas-tree notice
    assert sum(uses for uses, _share in categories.values()) == 12
    assert data["comparison"] == {
        "period": {"from": "2025-01-01", "to": "2025-01-02", "days": 2},
        "uses": 4,
        "daily_average": 2.0,
        "unique_users": 2,
    }
    assert data["daily_average_change"] == 0.5  # 3 a day against 2 a day


def test_a_period_without_uses_reports_zeros_and_no_change(two_periods):
    data = report(
        "--from", "2024-06-01", "--to", "2024-06-30",
        "--compare-from", "2024-05-01", "--compare-to", "2024-05-31",
    )  # fmt: skip
    assert (data["uses"], data["daily_average"], data["unique_users"]) == (0, 0.0, 0)
    assert data["top_services"] == []
    assert data["daily_average_change"] is None


def test_bad_periods_are_refused_clearly(two_periods):
    with pytest.raises(CommandError, match="Начало периода позже"):
        report("--from", "2025-03-04", "--to", "2025-03-01")
    with pytest.raises(CommandError, match="compare"):
        report("--from", "2025-03-01", "--to", "2025-03-04", "--compare-from", "2025-01-01")


def ratings_given(slug: str, stars: list[int], day: date) -> None:
    """Ratings given on a Moscow day (created_at moved there: the portal stamps now)."""
    service = Service.objects.get(slug=slug)
    for value in stars:
        rating = rate(UserFactory(), service, value)
        Rating.objects.filter(pk=rating.pk).update(
            created_at=datetime(day.year, day.month, day.day, 15, tzinfo=MOSCOW)
        )


@pytest.fixture
def rated(catalog):
    """February 2025: 4 ratings. March 2025: 5 ratings, three of them fives."""
    ratings_given("emr", [5, 3], date(2025, 2, 10))
    ratings_given("school-diary", [4, 4], date(2025, 2, 11))
    ratings_given("emr", [5, 5, 1], date(2025, 3, 5))
    ratings_given("school-diary", [5, 4], date(2025, 3, 6))
    rating_rollup(days=[date(2025, 2, 10), date(2025, 2, 11), date(2025, 3, 5), date(2025, 3, 6)])


def test_ratings_report_figures_are_exact(rated):
    out = StringIO()
    call_command(
        "report", "ratings", "--from", "2025-03-01", "--to", "2025-03-31",
        "--compare-from", "2025-02-01", "--compare-to", "2025-02-28", "--json",
        stdout=out,
    )  # fmt: skip
    data = json.loads(out.getvalue())
    assert data["count"] == 5
    assert data["average"] == 4.0  # (5 + 5 + 1 + 5 + 4) / 5
    assert data["excellent_share"] == 0.6
    assert data["distribution"] == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 3}
    assert [(row["slug"], row["count"], row["average"]) for row in data["services"]] == [
        ("emr", 3, 3.67),
        ("school-diary", 2, 4.5),
    ]
    assert data["comparison"]["count"] == 4
    assert data["count_change"] == 0.25  # 5 against 4


def test_the_russian_summaries_read_like_the_citys(two_periods, rated):
    out = StringIO()
    call_command(
        "report", "usage", "--from", "2025-03-01", "--to", "2025-03-04",
        "--compare-from", "2025-01-01", "--compare-to", "2025-01-02",
        stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert text.startswith(
        "За период с 1 марта 2025 г. по 4 марта 2025 г. к сервисам портала обратились "
        "12 раз, в среднем 3 в день; уникальных пользователей — 3."
    )
    assert "спрос вырос на 50 %" in text
    assert "«Электронная медицинская карта» (6, 50 %)" in text
    # Ratings of March 1–4: none in this fixture (they are on the 5th and 6th).
    assert "оценок" not in text

    out = StringIO()
    call_command(
        "report", "ratings", "--from", "2025-03-01", "--to", "2025-03-31",
        "--compare-from", "2025-02-01", "--compare-to", "2025-02-28",
        stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "Жители поставили 5 оценок, средняя — 4,0, «отлично» — 60 %" in text
    assert "на 25 % больше, чем за период с 1 февраля 2025 г. по 28 февраля 2025 г." in text
