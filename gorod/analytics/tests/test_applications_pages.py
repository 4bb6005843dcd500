"""The dashboard's section «Заявления по услугам» and its CSV exports."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gorod.accounts.tests.factories import UserFactory
from gorod.analytics.tests.dashboard_data import analyst
from gorod.applications.tests.performance_data import (
    definitions_setup,
    march_history,
)

pytestmark = pytest.mark.django_db

MARCH = {"from": "2025-03-03", "to": "2025-03-16", "compare": "none"}


@pytest.fixture
def analyst_client(client, catalog, tmp_path):
    definitions_setup(tmp_path)
    client.force_login(analyst())
    return client


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_the_section_shows_each_services_figures_and_all_of_them(analyst_client):
    march_history()
    response = analyst_client.get("/analytics/", MARCH)
    assert response.status_code == 200
    table = response.context["applications_table"]
    first, second, total = table.rows
    assert first[:6] == ["Вызов врача на дом", 6, 5, 1, 2, 1]
    assert first[6:] == [4 / 6, 1 / 5, 3, 8, 3, 10, 0.5]
    assert second[0] == "Прикрепление к поликлинике"
    assert total[0] == "Все услуги"
    assert total[2] == 6
    headline = {
        label: (value, note) for label, value, note in response.context["applications_headline"]
    }
    assert headline["Отправлено"] == ("6", "оказано из отправленных: 16,7 %")
    assert headline["Срок решения: медиана"] == ("1 раб. дн.", "90-й процентиль: 8 раб. дн.")
    assert headline["Цифровая подача"][0] == "неизвестно"
    channels = response.context["applications_channels_table"]
    assert [column.title for column in channels.columns] == [
        "Услуга",
        "Отправлено",
        "сайт",
        "мобильное приложение",
        "API",
        "информационный киоск",
    ]
    assert channels.rows[0] == ["Вызов врача на дом", 5, 2, 1, 2, 0]
    page = response.content.decode()
    assert 'aria-labelledby="dash-applications-title"' in page
    assert 'id="chart-applications-title"' in page
    assert 'id="chart-applications-term-title"' in page
    assert "Долю цифровой подачи портал не знает" in page
    # The bars: applications sent, and the share decided within the term (50 % and 100 %).
    bars = response.context["applications_chart"].bars
    assert [bar.value_label for bar in bars] == ["5", "1"]
    assert [bar.value_label for bar in response.context["applications_term_chart"].bars] == [
        "50,0 %",
        "100,0 %",
    ]


def test_a_period_without_applications_says_so(analyst_client):
    response = analyst_client.get("/analytics/", MARCH)
    assert response.status_code == 200
    assert response.context["applications_table"].rows == []
    assert "Заявлений за период нет." in response.content.decode()


def test_the_section_costs_the_same_queries_with_or_without_applications(analyst_client):
    analyst_client.get("/analytics/", MARCH)
    counts = []
    for fill in (False, True):
        if fill:
            march_history()
        with CaptureQueriesContext(connection) as queries:
            analyst_client.get("/analytics/", MARCH)
        counts.append(len(queries))
        assert sum("applications_event" in query["sql"] for query in queries) == 2
    assert counts[0] == counts[1]


def test_both_tables_export_every_service_as_csv(analyst_client):
    march_history()
    rows = read_csv(analyst_client.get("/analytics/export/applications.csv", MARCH))
    assert rows[0][:3] == ["Услуга", "Начато", "Отправлено"]
    assert rows[0][6] == "Отправлено из начатых, %"
    assert rows[1][:7] == ["Вызов врача на дом", "6", "5", "1", "2", "1", "66,67"]
    assert rows[-1][0] == "Все услуги"
    assert len(rows) == 4
    rows = read_csv(analyst_client.get("/analytics/export/applications-channels.csv", MARCH))
    assert rows[1] == ["Вызов врача на дом", "5", "2", "1", "2", "0"]


@pytest.mark.parametrize("url", ["/analytics/", "/analytics/export/applications.csv"])
def test_the_section_and_its_exports_are_the_analysts_only(client, catalog, url):
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_the_public_open_data_page_does_not_show_the_section(client, catalog, tmp_path):
    definitions_setup(tmp_path)
    march_history()
    page = client.get("/analytics/open-data/", {"from": "2025-03-03", "to": "2025-03-16"})
    assert page.status_code == 200
    assert "Заявления по услугам" not in page.content.decode()
