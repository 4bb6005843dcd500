import csv
import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gorod.accounts.tests.factories import UserFactory
from gorod.analytics import selectors, services
from gorod.analytics.forms import last_full_month
from gorod.analytics.tests.dashboard_data import analyst, city_month, seed_ratings, seed_usage

pytestmark = pytest.mark.django_db

LAST = date(2025, 3, 31)
MOSCOW = ZoneInfo("Europe/Moscow")
# Session, user, permissions (2), the data range (2), each period's usage (5: days,
# sketches, services, catalog twice) for two periods, each period's ratings (2, and the
# services' titles when there are any) for two, channels: 23, and the applications by
# service (2): 25, none of them growing with the days. Measured after a first request,
# which loads the catalog snapshot; the snapshot's re-check, when due, adds 3.
DASHBOARD_MAX_QUERIES = 28
# Anonymous: the data range, the period's and the year's usage and ratings, the re-check.
OPEN_DATA_MAX_QUERIES = 21


@pytest.fixture
def analyst_client(client, catalog):
    client.force_login(analyst())
    return client


def text_of(response) -> str:
    return response.content.decode()


def read_csv(response) -> list[list[str]]:
    body = response.content
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


# ---- Who sees what ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/analytics/", "/analytics/export/daily.csv", "/analytics/export/services.csv"]
)
def test_dashboard_and_exports_do_not_exist_without_the_permission(client, catalog, url):
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url).status_code == 404


def test_header_links_to_the_dashboard_only_for_analysts(client, catalog):
    citizen = UserFactory()
    client.force_login(citizen)
    home = text_of(client.get("/"))
    assert 'href="/analytics/"' not in home
    assert 'href="/analytics/open-data/"' in home  # the footer, for everyone
    client.force_login(analyst())
    assert 'href="/analytics/"' in text_of(client.get("/"))


# ---- The dashboard ---------------------------------------------------------------------


def test_dashboard_defaults_to_the_last_30_rolled_up_days_against_the_30_before(
    analyst_client,
):
    city_month(LAST, days=70)
    response = analyst_client.get("/analytics/")
    assert response.status_code == 200
    period, comparison = response.context["period"], response.context["comparison"]
    assert (period.first, period.last) == (LAST - timedelta(days=29), LAST)
    assert (comparison.first, comparison.last) == (
        LAST - timedelta(days=59),
        LAST - timedelta(days=30),
    )
    html = text_of(response)
    assert 'value="2025-03-02"' in html
    assert 'value="2025-03-31"' in html


def test_dashboard_without_any_data_shows_empty_figures(analyst_client):
    response = analyst_client.get("/analytics/")
    assert response.status_code == 200
    assert "Оценок за период нет." in text_of(response)


def test_dashboard_figures_are_the_selectors_figures(analyst_client):
    city_month(LAST, days=70)
    response = analyst_client.get(
        "/analytics/", {"from": "2025-03-01", "to": "2025-03-31", "compare": "previous"}
    )
    period = selectors.period_of(date(2025, 3, 1), LAST)
    comparison = selectors.period_of(date(2025, 1, 29), date(2025, 2, 28))
    report = selectors.usage_report(period, comparison)
    headline = {label: (value, note) for label, value, note in response.context["headline"]}
    assert headline["Обращений"][0] == f"{report.current.uses:,}".replace(",", "\xa0")
    assert headline["Уникальных пользователей"][0] == str(report.current.users)
    change = report.daily_average_change * 100
    sign = "+" if change > 0 else "−"
    expected = f"{sign}{abs(change):.1f} % к периоду сравнения".replace(".", ",")
    assert headline["В среднем в день"][1] == expected
    services_rows = response.context["services_table"].rows
    assert [row[0] for row in services_rows] == [row.title for row in report.current.top_services]
    assert [row[2] for row in services_rows] == [row.uses for row in report.current.top_services]
    channels = dict((row[0], row[1]) for row in response.context["channels_table"].rows)
    assert channels["мобильное приложение"] == selectors.usage_by_channel(period)["mobile"]
    ratings = response.context["ratings"]
    assert ratings.count == 31 * 13
    assert "4,23" in text_of(response)


def test_dashboard_shows_a_real_rollup_of_real_events(analyst_client, settings):
    settings.GOROD_USAGE_WRITE = "immediate"
    citizens = [UserFactory() for _ in range(3)]
    day = date(2025, 3, 10)
    moment = datetime.combine(day, time(12), tzinfo=MOSCOW)
    for citizen in citizens:
        services.usage_record(
            service="emr", actor=citizen, action="open", channel="web", occurred_at=moment
        )
    services.usage_record(
        service="school-diary",
        actor=citizens[0],
        action="open",
        channel="mobile",
        occurred_at=moment,
    )
    services.usage_rollup(days=[day])
    response = analyst_client.get(
        "/analytics/", {"from": "2025-03-10", "to": "2025-03-10", "compare": "none"}
    )
    headline = {label: value for label, value, _note in response.context["headline"]}
    assert headline["Обращений"] == "4"
    assert headline["Уникальных пользователей"] == "3"
    assert response.context["comparison"] is None
    # One day is drawn as a dot, not a line.
    assert "<circle" in text_of(response)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"from": "вчера", "to": "2025-03-31"}, "from", "Введите правильную дату."),
        ({"from": "2025-02-30", "to": "2025-03-31"}, "from", "Введите правильную дату."),
        ({"from": "2025-03-31", "to": "2025-03-01"}, "from", "Начало периода позже его конца."),
        ({"from": "2000-01-01", "to": "2099-12-31"}, "from", "Период длиннее 3660 дней."),
        (
            {"from": "0001-01-01", "to": "2025-03-01"},
            "from",
            "Укажите дату с 01.01.2000 по 31.12.2099.",
        ),
        (
            {"from": "2025-03-01", "to": "9999-12-31"},
            "to",
            "Укажите дату с 01.01.2000 по 31.12.2099.",
        ),
        ({"from": "", "to": "2025-03-01"}, "from", "Обязательное поле."),
        (
            {
                "from": "2025-03-01",
                "to": "2025-03-31",
                "compare": "custom",
                "compare_to": "2025-02-28",
            },
            "compare_from",
            "Укажите дату, чтобы сравнить со своими датами.",
        ),
        (
            {
                "from": "2025-03-01",
                "to": "2025-03-31",
                "compare": "custom",
                "compare_from": "2025-02-28",
                "compare_to": "2025-02-01",
            },
            "compare_from",
            "Начало периода позже его конца.",
        ),
        (
            {"from": "2025-03-01", "to": "2025-03-31", "compare": "always"},
            "compare",
            "Выберите корректный вариант",
        ),
    ],
)
def test_bad_periods_are_explained_next_to_their_field(analyst_client, query, field, message):
    response = analyst_client.get("/analytics/", query)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert any(message in error for error in errors[field]), errors
    html = text_of(response)
    assert f'id="id_{field}_error"' in html
    assert 'aria-invalid="true"' in html
    # The export of a bad period says the same instead of a broken file.
    export = analyst_client.get("/analytics/export/daily.csv", query)
    assert export.status_code == 400
    assert export["Content-Type"].startswith("text/html")


def test_custom_and_year_earlier_comparisons(analyst_client):
    city_month(LAST, days=70)
    response = analyst_client.get(
        "/analytics/",
        {
            "from": "2025-03-01",
            "to": "2025-03-31",
            "compare": "custom",
            "compare_from": "2025-02-01",
            "compare_to": "2025-02-10",
        },
    )
    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert (comparison.first, comparison.last) == (date(2025, 2, 1), date(2025, 2, 10))
    # A shorter comparison period leaves the later days' comparison cells empty.
    daily = response.context["daily_table"].rows
    assert daily[9][2:] == [date(2025, 2, 10), (70 - 49) and daily[9][3]]
    assert daily[10][2:] == [None, None]
    response = analyst_client.get(
        "/analytics/", {"from": "2025-03-03", "to": "2025-03-09", "compare": "year"}
    )
    comparison = response.context["comparison"]
    assert (comparison.first, comparison.last) == (date(2024, 3, 4), date(2024, 3, 10))
    assert comparison.first.weekday() == date(2025, 3, 3).weekday()


@pytest.mark.parametrize("days", [7, 365])
def test_dashboard_queries_do_not_grow_with_the_period(
    analyst_client, django_assert_max_num_queries, days
):
    city_month(LAST, days=10)
    first = LAST - timedelta(days=days - 1)
    analyst_client.get("/analytics/")
    with django_assert_max_num_queries(DASHBOARD_MAX_QUERIES):
        response = analyst_client.get(
            "/analytics/",
            {"from": first.isoformat(), "to": LAST.isoformat(), "compare": "previous"},
        )
    assert response.status_code == 200


def test_dashboard_query_count_is_the_same_for_a_week_and_a_year(analyst_client, settings):
    settings.GOROD_CATALOG_RECHECK_SECONDS = 3600
    city_month(LAST, days=10)
    analyst_client.get("/analytics/")
    counts = []
    for days in (7, 365):
        first = LAST - timedelta(days=days - 1)
        with CaptureQueriesContext(connection) as queries:
            analyst_client.get(
                "/analytics/",
                {"from": first.isoformat(), "to": LAST.isoformat(), "compare": "year"},
            )
        counts.append(len(queries))
    assert counts[0] == counts[1]


# ---- CSV exports -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "header"),
    [
        ("daily", ["День", "Обращений", "День периода сравнения", "Обращений в период сравнения"]),
        ("channels", ["Канал", "Обращений", "Доля, %"]),
        (
            "services",
            [
                "Услуга",
                "Категория",
                "Обращений",
                "Доля, %",
                "Обращений в период сравнения",
                "Изменение, %",
            ],
        ),
        (
            "categories",
            ["Категория", "Обращений", "Доля, %", "Обращений в период сравнения", "Изменение, %"],
        ),
        ("ratings-daily", ["День", "Оценок", "Средняя оценка"]),
        (
            "ratings-distribution",
            ["Оценка", "Оценок", "Доля, %", "Оценок в период сравнения", "Изменение, %"],
        ),
        (
            "ratings-services",
            [
                "Услуга",
                "Оценок",
                "Средняя оценка",
                "Доля «отлично», %",
                "Оценок в период сравнения",
                "Изменение, %",
            ],
        ),
    ],
)
def test_every_dashboard_table_exports_as_csv_for_excel(analyst_client, table, header):
    city_month(LAST, days=70)
    response = analyst_client.get(
        f"/analytics/export/{table}.csv", {"from": "2025-03-01", "to": "2025-03-31"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="gorod-{table}-2025-03-01_2025-03-31.csv"'
    )
    rows = read_csv(response)
    assert rows[0] == header
    assert len(rows) > 1


def test_csv_values_are_raw_numbers_with_a_decimal_comma(analyst_client):
    city_month(LAST, days=70)
    query = {"from": "2025-03-01", "to": "2025-03-31", "compare": "none"}
    rows = read_csv(analyst_client.get("/analytics/export/daily.csv", query))
    assert rows[1] == ["2025-03-01", "147"]
    assert len(rows) == 32
    services_rows = read_csv(analyst_client.get("/analytics/export/services.csv", query))
    emr = next(row for row in services_rows if row[0] == "Электронная медицинская карта")
    assert emr[1:] == ["Здоровье", "3187", "66,35"]
    # The page shows the top ten; the export ranks every service used in the period.
    assert len(services_rows) == 1 + 4
    ratings = read_csv(analyst_client.get("/analytics/export/ratings-services.csv", query))
    assert ratings[1] == ["Электронная медицинская карта", "341", "4,4545", "72,73"]


def test_unknown_export_is_not_found(analyst_client):
    assert analyst_client.get("/analytics/export/secrets.csv").status_code == 404


# ---- The public open-data page ---------------------------------------------------------


def test_open_data_defaults_to_the_last_full_month_and_the_year_to_date(client, catalog):
    city_month(date(2025, 4, 12), days=120)
    response = client.get("/analytics/open-data/")
    assert response.status_code == 200
    html = text_of(response)
    assert "1 марта 2025 — 31 марта 2025" in html
    totals = response.context["totals_table"].rows
    assert [row[0] for row in totals] == [
        "1 марта 2025 — 31 марта 2025",
        "1 января 2025 — 31 марта 2025",
    ]
    assert last_full_month((date(2025, 1, 1), date(2025, 3, 31)), LAST).first == date(2025, 3, 1)


def test_open_data_hides_every_figure_below_ten(client, catalog, settings):
    settings.GOROD_PUBLIC_MIN_COUNT = 10
    city_month(LAST, days=31)
    # A day on which the whole portal saw 4 uses.
    seed_usage({date(2025, 2, 27): {("emr", "web"): 4}})
    response = client.get("/analytics/open-data/", {"from": "2025-02-27", "to": "2025-03-31"})
    html = text_of(response)
    assert response.status_code == 200
    services_rows = {row[0]: row for row in response.context["services_table"].rows}
    # 3 uses a day of doctor appointments are 93 a month: shown. Its ratings: none → hidden.
    appointments = services_rows["Запись к врачу"]
    assert appointments[1] == 93
    assert str(appointments[3]) == "меньше 10"
    assert appointments[4] is None
    assert appointments[5] is None
    # The small day is hidden in the table, its CSV, and left out of the chart.
    daily = {row[0]: row[1] for row in response.context["daily_table"].rows}
    assert str(daily[date(2025, 2, 27)]) == "меньше 10"
    assert str(daily[date(2025, 2, 28)]) == "меньше 10"  # no uses at all: hidden too
    assert "меньше 10" in html
    csv_rows = read_csv(
        client.get(
            "/analytics/open-data/export/daily.csv", {"from": "2025-02-27", "to": "2025-03-31"}
        )
    )
    assert csv_rows[1] == ["2025-02-27", "меньше 10"]
    categories = {
        row[0]: row[1:]
        for row in read_csv(
            client.get(
                "/analytics/open-data/export/categories.csv",
                {"from": "2025-02-27", "to": "2025-03-31"},
            )
        )
    }
    assert categories["Транспорт"] == ["меньше 10", ""]


def test_open_data_hides_a_small_service_and_its_ratings(client, catalog):
    seed_usage({LAST: {("emr", "web"): 50, ("meter-readings", "web"): 9}})

    seed_ratings({LAST: {("emr", 5): 9, ("meter-readings", 4): 12}})
    response = client.get("/analytics/open-data/", {"from": "2025-03-31", "to": "2025-03-31"})
    rows = {row[0]: row for row in response.context["services_table"].rows}
    meter = rows["Передача показаний счетчиков воды и тепла"]
    assert str(meter[1]) == "меньше 10"
    assert meter[2] is None  # its share would tell the count
    assert meter[3:] == [12, 4.0, 0.0]
    emr = rows["Электронная медицинская карта"]
    assert emr[1:3] == [50, 50 / 59]
    assert str(emr[3]) == "меньше 10"
    assert emr[4:] == [None, None]
    totals = response.context["totals_table"].rows[0]
    assert totals[1:] == [59, 59, 50, 21, (45 + 48) / 21, 9 / 21]
    html = text_of(response)
    assert ">9<" not in html
    csv_rows = read_csv(
        client.get(
            "/analytics/open-data/export/services.csv", {"from": "2025-03-31", "to": "2025-03-31"}
        )
    )
    assert csv_rows[0] == [
        "Услуга",
        "Обращений",
        "Доля, %",
        "Оценок",
        "Средняя оценка",
        "Доля «отлично», %",
    ]
    assert [
        "Передача показаний счетчиков воды и тепла",
        "меньше 10",
        "",
        "12",
        "4,0000",
        "0,00",
    ] in csv_rows


def test_open_data_validates_its_period(client, catalog):
    response = client.get("/analytics/open-data/", {"from": "2025-13-01", "to": "2025-03-31"})
    assert response.status_code == 400
    assert "Введите правильную дату." in text_of(response)
    assert client.get("/analytics/open-data/export/nothing.csv").status_code == 404


def test_open_data_queries_do_not_grow_with_the_period(
    client, catalog, django_assert_max_num_queries
):
    city_month(LAST, days=10)
    client.get("/analytics/open-data/")
    for first in ("2025-03-25", "2024-04-01"):
        with django_assert_max_num_queries(OPEN_DATA_MAX_QUERIES):
            assert (
                client.get("/analytics/open-data/", {"from": first, "to": "2025-03-31"}).status_code
                == 200
            )
