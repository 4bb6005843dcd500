import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gorod.accounts import services as accounts
from gorod.accounts.tests.factories import UserFactory
from gorod.feedback.models import Rating
from gorod.feedback.tests.conftest import rate, use_token

PROBLEM = "application/problem+json"


@pytest.fixture
def api(client, citizen):
    client.force_login(citizen)
    return client


def post(client, path, body, **headers):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def patch(client, path, body):
    return client.patch(path, json.dumps(body), content_type="application/json")


def assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == code


def test_rate_a_use_through_the_api(api, citizen, service):
    token = use_token(citizen, service)
    response = post(api, "/api/v1/feedback/ratings", {"token": token, "stars": 5, "comment": "Ок"})
    assert response.status_code == 201
    body = response.json()
    assert (body["service"], body["stars"], body["comment"]) == (service.slug, 5, "Ок")
    assert_problem(
        post(api, "/api/v1/feedback/ratings", {"token": token, "stars": 4}), 409, "already_rated"
    )


def test_rating_with_a_personal_token(citizen, service):
    _token, plaintext = accounts.api_token_create(actor=citizen, name="app")
    # A program sends no CSRF cookie; the default test client would not notice its absence.
    response = post(
        Client(enforce_csrf_checks=True),
        "/api/v1/feedback/ratings",
        {"token": use_token(citizen, service), "stars": 3},
        HTTP_AUTHORIZATION=f"Bearer {plaintext}",
    )
    assert response.status_code == 201


def test_rating_needs_a_signed_in_user(client, citizen, service):
    response = post(
        client, "/api/v1/feedback/ratings", {"token": use_token(citizen, service), "stars": 3}
    )
    assert_problem(response, 401, "not_authenticated")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"token": "forged", "stars": 5}, 404, "use_not_found"),
        ({"token": "", "stars": 5}, 404, "use_not_found"),
        ({"stars": 5}, 422, "validation_error"),
        ({"token": "x" * 5000, "stars": 5}, 422, "validation_error"),
        ({"token": "USE", "stars": 6}, 400, "stars_out_of_range"),
        ({"token": "USE", "stars": 0}, 400, "stars_out_of_range"),
        ({"token": "USE", "stars": 10**40}, 400, "stars_out_of_range"),
        ({"token": "USE", "stars": "пять"}, 422, "validation_error"),
        ({"token": "USE", "stars": None}, 422, "validation_error"),
        ({"token": "USE", "stars": 4.5}, 422, "validation_error"),
        ({"token": "USE", "stars": 2, "comment": "ж" * 1001}, 400, "comment_too_long"),
        ({"token": "USE", "stars": 2, "comment": 12}, 422, "validation_error"),
        ([1, 2], 422, "validation_error"),
    ],
)
def test_bad_input_is_a_problem_never_a_500(api, citizen, service, body, status, code):
    if isinstance(body, dict) and body.get("token") == "USE":
        body["token"] = use_token(citizen, service)
    response = post(api, "/api/v1/feedback/ratings", body)
    assert_problem(response, status, code)
    assert not Rating.objects.exists()


def test_a_comment_too_long_says_how_long(api, citizen, service):
    response = post(
        api,
        "/api/v1/feedback/ratings",
        {"token": use_token(citizen, service), "stars": 2, "comment": "ж" * 1001},
    )
    problem = response.json()
    assert problem["field"] == "comment"
    assert "1000" in problem["detail"]
    assert "1001" in problem["detail"]


def test_malformed_json_is_a_problem(api):
    response = api.post("/api/v1/feedback/ratings", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == PROBLEM


def test_edit_a_rating_within_the_window(api, citizen, service):
    rating = rate(citizen, service, 2, "Медленно")
    response = patch(api, f"/api/v1/feedback/ratings/{rating.pk}", {"stars": 4})
    assert response.status_code == 200
    assert (response.json()["stars"], response.json()["comment"]) == (4, "Медленно")
    assert_problem(
        patch(api, f"/api/v1/feedback/ratings/{rating.pk}", {"stars": 9}), 400, "stars_out_of_range"
    )
    Rating.objects.filter(pk=rating.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert_problem(
        patch(api, f"/api/v1/feedback/ratings/{rating.pk}", {"stars": 1}), 409, "rating_edit_closed"
    )


@pytest.mark.parametrize("rating_id", ["abc", "0", str(10**30), "-1"])
def test_nonsense_rating_ids_are_problems(api, rating_id):
    response = patch(api, f"/api/v1/feedback/ratings/{rating_id}", {"stars": 1})
    assert response.status_code in (404, 422)
    assert response["Content-Type"] == PROBLEM


def test_someone_elses_rating_is_not_found(client, citizen, service):
    rating = rate(citizen, service, 2)
    client.force_login(UserFactory())
    assert_problem(client.get(f"/api/v1/feedback/ratings/{rating.pk}"), 404, "rating_not_found")
    assert_problem(
        patch(client, f"/api/v1/feedback/ratings/{rating.pk}", {"stars": 5}),
        404,
        "rating_not_found",
    )


def test_public_summary_is_hidden_below_ten_ratings(client, citizen, service):
    for _ in range(9):
        rate(citizen, service, 5)
    body = client.get(f"/api/v1/feedback/services/{service.slug}/summary").json()
    assert body == {
        "service": service.slug,
        "shown": False,
        "min_count": 10,
        "count": None,
        "average": None,
        "distribution": None,
    }
    rate(citizen, service, 2)
    body = client.get(f"/api/v1/feedback/services/{service.slug}/summary").json()
    assert (body["shown"], body["count"], body["average"]) == (True, 10, "4.7")
    assert body["distribution"][0] == {"stars": 5, "count": 9, "percent": 90}
    assert_problem(client.get("/api/v1/feedback/services/nope/summary"), 404, "service_not_found")


def test_owner_lists_answers_and_tags_comments(client, owner, citizen, service, other_service):
    low = rate(citizen, service, 1, "Не открывается")
    rate(citizen, service, 5, "")
    rate(citizen, other_service, 1, "Чужая услуга")
    client.force_login(owner)
    page = client.get("/api/v1/feedback/owner/comments").json()
    assert [item["id"] for item in page["items"]] == [low.pk]
    filtered = client.get(f"/api/v1/feedback/owner/comments?service={service.slug}&stars=2").json()
    assert filtered["count"] == 0
    assert_problem(
        client.get(f"/api/v1/feedback/owner/comments?service={other_service.slug}"),
        404,
        "service_not_found",
    )
    assert_problem(client.get("/api/v1/feedback/owner/comments?stars=7"), 422, "validation_error")
    assert_problem(
        client.get("/api/v1/feedback/owner/comments?first=2025-02-01&last=2025-01-01"),
        400,
        "period_reversed",
    )
    assert_problem(
        client.get("/api/v1/feedback/owner/comments?first=yesterday"), 422, "validation_error"
    )
    assert_problem(client.get("/api/v1/feedback/owner/comments?page=5"), 404, "page_out_of_range")
    answer = post(client, f"/api/v1/feedback/owner/comments/{low.pk}/answer", {"text": "Чиним"})
    assert answer.json()["answer"] == "Чиним"
    tag = post(client, f"/api/v1/feedback/owner/comments/{low.pk}/tag", {"topic": "bug"})
    assert tag.json()["topic"] == "bug"
    assert_problem(
        post(client, f"/api/v1/feedback/owner/comments/{low.pk}/tag", {"topic": "rant"}),
        400,
        "topic_unknown",
    )
    asks = client.get(f"/api/v1/feedback/owner/asks?service={service.slug}").json()
    assert asks["comments"] == 1


def test_owner_endpoints_show_nothing_to_a_citizen(api, citizen, service):
    low = rate(citizen, service, 1, "Плохо")
    assert api.get("/api/v1/feedback/owner/comments").json()["count"] == 0
    assert_problem(
        post(api, f"/api/v1/feedback/owner/comments/{low.pk}/answer", {"text": "Сам себе"}),
        404,
        "rating_not_found",
    )


def test_owner_period_far_outside_the_calendar_is_a_clear_error(client, owner):
    # A default start counted back from a year-1 end would overflow: refused first.
    client.force_login(owner)
    for query in ("last=0001-01-05", "first=0001-01-01&last=2025-01-01"):
        assert_problem(
            client.get(f"/api/v1/feedback/owner/comments?{query}"), 400, "date_out_of_range"
        )
