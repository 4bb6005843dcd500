"""/api/v1/analytics/applications: the report's JSON, for analysts only."""

from datetime import date

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from conftest import load_catalog
from gorod.accounts.services import api_token_create
from gorod.accounts.tests.factories import UserFactory
from gorod.analytics import reports
from gorod.analytics.applications_port import applications_figures_for
from gorod.analytics.rules import Period
from gorod.analytics.tests.dashboard_data import analyst
from gorod.applications.tests.performance_data import (
    ATTACHMENT,
    HOME_VISIT,
    citizen_user,
    definitions_setup,
    march_history,
)
from gorod.core.tests.schema_checks import assert_documented_answer

pytestmark = pytest.mark.django_db

URL = "/api/v1/analytics/applications"
MARCH = {"from": "2025-03-03", "to": "2025-03-16"}


@pytest.fixture
def history(catalog, tmp_path):
    definitions_setup(tmp_path)
    return march_history()


@pytest.fixture
def analyst_client(client, history):
    client.force_login(analyst())
    return client


def test_the_endpoint_returns_the_report_commands_json(
    analyst_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = analyst_client.get(URL, MARCH)
    assert response.status_code == 200
    data = response.json()
    assert data["period"] == {"from": "2025-03-03", "to": "2025-03-16", "days": 14}
    assert [row["slug"] for row in data["services"]] == [HOME_VISIT, ATTACHMENT]
    visit = data["services"][0]
    assert visit == {
        "slug": HOME_VISIT,
        "title": "Вызов врача на дом",
        "started": 6,
        "submitted": 5,
        "completed": 1,
        "rejected": 2,
        "refused_to_accept": 1,
        "refused": 1,
        "withdrawn": 1,
        "decided": 3,
        "submitted_of_started": 0.6667,
        "completed_of_submitted": 0.2,
        "median_working_days": 3,
        "p90_working_days": 8,
        "median_calendar_days": 3,
        "p90_calendar_days": 10,
        "within_term": 1,
        "with_term": 2,
        "within_term_share": 0.5,
        "digital_take_up": None,
        "channels": {"api": 2, "mobile": 1, "web": 2},
    }
    assert data["total"]["submitted"] == 6
    assert "slug" not in data["total"]
    march = Period(date(2025, 3, 3), date(2025, 3, 16))
    assert data == reports.applications_report_json(applications_figures_for(march))


def test_top_limits_the_services_not_the_total(analyst_client):
    data = analyst_client.get(URL, MARCH | {"top": 1}).json()
    assert [row["slug"] for row in data["services"]] == [HOME_VISIT]
    assert data["total"]["submitted"] == 6


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"from": "2025-03-16", "to": "2025-03-03"}, 400, "period_reversed"),
        ({"from": "2000-01-01", "to": "2099-01-01"}, 400, "period_too_long"),
        (MARCH | {"top": 0}, 422, "validation_error"),
        ({"from": "03.03.2025", "to": "2025-03-16"}, 422, "validation_error"),
    ],
)
def test_bad_queries_are_problems(analyst_client, query, status, code):
    response = analyst_client.get(URL, query)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == code


def test_only_analysts_read_it(client, history):
    response = client.get(URL, MARCH)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    # The citizen who made every one of these applications, and a member of staff.
    for user in (history, citizen_user(), UserFactory(is_staff=True)):
        client.force_login(user)
        response = client.get(URL, MARCH)
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert "services" not in response.json()


def test_a_personal_token_of_an_analyst_reads_it(client, history):
    _token, secret = api_token_create(actor=analyst(), name="Отчёты")
    response = client.get(URL, MARCH, headers={"authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.json()["total"]["started"] == 7


def test_the_schema_documents_it(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"][URL]["get"]
    assert {"200", "400", "401", "403", "422"} <= set(operation["responses"])
    assert {parameter["name"] for parameter in operation["parameters"]} == {"from", "to", "top"}
    figures = schema["components"]["schemas"]["ApplicationFiguresOut"]["properties"]
    assert "nearest rank" in figures["median_working_days"]["description"]
    assert "unknown" in figures["digital_take_up"]["description"]


api_schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def analyst_token(wsgi_db, tmp_path):
    load_catalog()
    definitions_setup(tmp_path)
    march_history()
    _token, secret = api_token_create(actor=analyst(), name="Отчёты")
    return {"authorization": f"Bearer {secret}"}


@api_schema.include(path=URL).parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_query_of_an_analyst_gets_a_documented_answer(case, analyst_token):
    assert_documented_answer(case, analyst_token)
