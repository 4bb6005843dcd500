from datetime import date

import pytest

from gorod.accounts.services import api_token_create
from gorod.accounts.tests.factories import UserFactory
from gorod.analytics import reports, selectors
from gorod.analytics.ratings import rating_figures_for
from gorod.analytics.tests.dashboard_data import analyst, city_month

pytestmark = pytest.mark.django_db

MARCH = {"from": "2025-03-01", "to": "2025-03-31"}
FEBRUARY = {"compare_from": "2025-02-01", "compare_to": "2025-02-28"}


@pytest.fixture
def analyst_client(client, catalog):
    city_month(date(2025, 3, 31), days=70)
    client.force_login(analyst())
    return client


def periods():
    return (
        selectors.period_of(date(2025, 3, 1), date(2025, 3, 31)),
        selectors.period_of(date(2025, 2, 1), date(2025, 2, 28)),
    )


def test_usage_report_is_the_report_commands_json(analyst_client):
    response = analyst_client.get("/api/v1/analytics/usage", MARCH | FEBRUARY | {"top": 3})
    assert response.status_code == 200
    march, february = periods()
    expected = reports.usage_report_json(selectors.usage_report(march, february, top=3))
    assert response.json() == expected
    data = response.json()
    assert data["period"] == {"from": "2025-03-01", "to": "2025-03-31", "days": 31}
    assert [row["slug"] for row in data["top_services"]] == [
        "emr",
        "school-diary",
        "meter-readings",
    ]
    assert set(data) >= {"uses", "daily_average", "unique_users", "categories", "comparison"}
    assert data["daily_average_change"] == expected["daily_average_change"]


def test_usage_report_without_comparison_has_no_comparison_keys(analyst_client):
    data = analyst_client.get("/api/v1/analytics/usage", MARCH).json()
    assert "comparison" not in data
    assert "daily_average_change" not in data
    assert len(data["top_services"]) == 4


def test_ratings_report_is_the_report_commands_json(analyst_client):
    response = analyst_client.get("/api/v1/analytics/ratings", MARCH | FEBRUARY)
    assert response.status_code == 200
    march, february = periods()
    assert response.json() == reports.ratings_report_json(
        rating_figures_for(march), rating_figures_for(february)
    )
    data = response.json()
    assert data["count"] == 31 * 13
    assert data["distribution"] == {"1": 31, "2": 0, "3": 62, "4": 62, "5": 248}
    assert data["services"][0]["slug"] == "emr"
    assert data["count_change"] == round(31 / 28 - 1, 4)


def test_daily_series_lists_every_day(analyst_client):
    response = analyst_client.get(
        "/api/v1/analytics/usage/daily", {"from": "2025-03-30", "to": "2025-04-01"}
    )
    assert response.status_code == 200
    assert response.json() == {
        "period": {"from": "2025-03-30", "to": "2025-04-01", "days": 3},
        "days": [
            {"day": "2025-03-30", "uses": 159},
            {"day": "2025-03-31", "uses": 158},
            {"day": "2025-04-01", "uses": 0},
        ],
    }


@pytest.mark.parametrize(
    ("path", "query", "status", "code", "field"),
    [
        ("/usage", {"from": "2025-03-31", "to": "2025-03-01"}, 400, "period_reversed", "from"),
        ("/usage", {"from": "2000-01-01", "to": "2099-01-01"}, 400, "period_too_long", "from"),
        ("/usage", {"from": "1999-12-31", "to": "2000-01-05"}, 400, "date_out_of_range", "from"),
        (
            "/usage/daily",
            {"from": "2025-01-01", "to": "3000-01-01"},
            400,
            "date_out_of_range",
            "to",
        ),
        (
            "/usage",
            MARCH | {"compare_from": "2025-02-01"},
            400,
            "comparison_incomplete",
            "compare_to",
        ),
        (
            "/ratings",
            MARCH | {"compare_from": "2025-02-28", "compare_to": "2025-02-01"},
            400,
            "period_reversed",
            "compare_from",
        ),
        ("/usage", {"from": "31.03.2025", "to": "2025-03-31"}, 422, "validation_error", None),
        ("/usage", {"to": "2025-03-31"}, 422, "validation_error", None),
        ("/usage", MARCH | {"top": 0}, 422, "validation_error", None),
        ("/ratings", {"from": "2025-02-30", "to": "2025-03-31"}, 422, "validation_error", None),
    ],
)
def test_bad_periods_are_problems_with_stable_codes(
    analyst_client, path, query, status, code, field
):
    response = analyst_client.get(f"/api/v1/analytics{path}", query)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == code
    assert problem.get("field") == field


@pytest.mark.parametrize("path", ["/usage", "/usage/daily", "/ratings"])
def test_reports_need_the_analyst_permission(client, catalog, path):
    url = f"/api/v1/analytics{path}"
    response = client.get(url, MARCH)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    client.force_login(UserFactory(is_staff=True))
    response = client.get(url, MARCH)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "permission_denied"


def test_reports_accept_a_personal_token(client, catalog):
    _token, secret = api_token_create(actor=analyst(), name="Отчёты")
    response = client.get(
        "/api/v1/analytics/usage", MARCH, headers={"authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200


def test_the_schema_documents_the_report_shapes(client):
    schema = client.get("/api/v1/openapi.json").json()
    usage = schema["paths"]["/api/v1/analytics/usage"]["get"]
    assert {"200", "400", "401", "403", "422"} <= set(usage["responses"])
    names = {parameter["name"] for parameter in usage["parameters"]}
    assert names == {"from", "to", "compare_from", "compare_to", "top"}
    report = schema["components"]["schemas"]["UsageReportOut"]
    assert {"period", "uses", "daily_average", "unique_users", "top_services"} <= set(
        report["properties"]
    )
    assert "from" in schema["components"]["schemas"]["PeriodOut"]["properties"]
