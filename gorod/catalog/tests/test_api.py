import pytest

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def test_categories(client, catalog):
    response = client.get("/api/v1/categories")
    assert response.status_code == 200
    assert [category["slug"] for category in response.json()][:3] == [
        "health",
        "education",
        "housing",
    ]


def test_list_is_paginated_by_title(client, catalog):
    first = client.get("/api/v1/services", {"page_size": 50}).json()
    assert first["count"] == 469
    assert first["pages"] == 10
    assert len(first["items"]) == 50
    last = client.get("/api/v1/services", {"page_size": 50, "page": 10}).json()
    assert len(last["items"]) == 19
    titles = [item["title"] for item in first["items"]]
    assert titles == sorted(titles)


def test_filters(client, catalog):
    body = client.get("/api/v1/services", {"category": "health", "kind": "flagship"}).json()
    assert {item["slug"] for item in body["items"]} == {"doctor-appointment", "emr"}


def test_search_ranks_like_the_page(client, catalog):
    body = client.get("/api/v1/services", {"q": "pfgbcm r dhfxe", "page_size": 3}).json()
    assert body["items"][0]["slug"] == "doctor-appointment"
    assert body["understood_as"] == "запись к врачу"
    assert body["items"][0]["url"] == "/services/doctor-appointment/"


def test_search_understands_russian_typed_in_latin_letters(client, catalog):
    body = client.get("/api/v1/services", {"q": "pokazaniya schetchikov", "page_size": 3}).json()
    assert body["items"][0]["slug"] == "meter-readings"
    assert body["understood_as"] == "показания счетчиков"


def test_detail(client, catalog):
    body = client.get("/api/v1/services/meter-readings").json()
    assert body["kind"] == "flagship"
    assert body["category"] == "housing"


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"page_size": 100000}, 422, "validation_error"),
        ({"page": 0}, 422, "validation_error"),
        ({"page": "x"}, 422, "validation_error"),
        ({"page": 99}, 404, "page_out_of_range"),
        ({"q": "я" * 201}, 422, "validation_error"),
        ({"kind": "magic"}, 422, "validation_error"),
        ({"category": "space"}, 404, "category_not_found"),
    ],
)
def test_bad_input_is_problem_json(client, catalog, query, status, code):
    response = client.get("/api/v1/services", query)
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["type"] == f"urn:gorod:problem:{code}"
    assert body["detail"]


def test_unknown_service_and_route_are_problem_json(client, catalog):
    for url in ("/api/v1/services/no-such-thing", "/api/v1/nothing-here"):
        response = client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"] == PROBLEM


def test_problem_detail_in_english_on_request(client, catalog):
    response = client.get("/api/v1/services/no-such-thing", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "This service is not in the catalog."


def test_openapi_schema_is_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/services" in schema["paths"]
    assert "/api/v1/me" in schema["paths"]
