"""Personal data is never kept by a cache; API bodies are JSON (issue 13, item 5).

Every response to a signed-in request (a session or a personal token) carries
`Cache-Control: private, no-store` unless its view chose otherwise, and varies on Cookie and
Authorization; anonymous pages stay cacheable. The routes below are the siblings of those
the probe named: the record's pages and API, /me, appointments and their .ics files.
"""

import json

import pytest
from django.test import Client

from gorod.core.middleware import is_json_media_type

DIARY_READING = json.dumps(
    {"kind": "pulse", "value": "70", "measured_at": "2026-12-01T09:00:00+03:00"}
)


def _web_routes(world) -> list[str]:
    person, appointment = world.citizen.pk, world.appointment.pk
    return [
        "/cabinet/",
        "/accounts/profile/",
        "/accounts/delegations/",
        "/health/",
        f"/health/appointments/{appointment}/",
        f"/health/appointments/{appointment}/calendar.ics",
        f"/health/record/{person}/",
        f"/health/record/{person}/encounters/",
        f"/health/record/{person}/labs/",
        f"/health/record/{person}/diary/",
        f"/health/record/{person}/certificates/",
        f"/health/record/{person}/access-log/",
        f"/health/record/{world.child.pk}/",
        "/housing/",
    ]


def _api_routes(world) -> list[str]:
    person, appointment = world.citizen.pk, world.appointment.pk
    return [
        "/api/v1/me",
        "/api/v1/health/people",
        "/api/v1/health/appointments",
        f"/api/v1/health/appointments/{appointment}",
        f"/api/v1/health/appointments/{appointment}/ics",
        f"/api/v1/health/people/{person}/referrals",
        f"/api/v1/health/record/{person}/timeline",
        f"/api/v1/health/record/{person}/labs",
        f"/api/v1/health/record/{person}/diary",
        f"/api/v1/health/record/{person}/certificates",
        f"/api/v1/health/record/{person}/access-log",
        "/api/v1/housing/premises",
        "/api/v1/housing/correction-requests",
    ]


def _assert_private(response, path: str, *, varies_on: str) -> None:
    assert response.status_code == 200, (path, response.status_code)
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives, (path, response["Cache-Control"])
    assert varies_on.lower() in response.get("Vary", "").lower(), (path, response.get("Vary"))


def test_signed_in_pages_are_not_kept_by_any_cache(client, world):
    client.force_login(world.users["citizen"])
    for path in _web_routes(world):
        _assert_private(client.get(path), path, varies_on="Cookie")


def test_api_answers_to_a_token_are_not_kept_by_any_cache(world):
    api = Client(headers=world.authorization("citizen"))
    for path in _api_routes(world):
        _assert_private(api.get(path), path, varies_on="Authorization")


def test_api_answers_to_a_session_are_not_kept_by_any_cache(client, world):
    client.force_login(world.users["citizen"])
    for path in ("/api/v1/me", f"/api/v1/health/record/{world.citizen.pk}/timeline"):
        _assert_private(client.get(path), path, varies_on="Cookie")


def test_a_views_own_cache_control_is_kept(client, world):
    client.force_login(world.users["citizen"])
    response = client.get(f"/health/record/{world.citizen.pk}/export.json")
    assert response["Cache-Control"] == "private, no-store"


def test_public_pages_stay_cacheable_for_anonymous_visitors(client, world):
    for path in ("/", "/api/v1/categories", "/api/v1/services"):
        response = client.get(path)
        assert response.status_code == 200
        assert "no-store" not in response.get("Cache-Control", ""), path
    assert "Authorization" in client.get("/api/v1/categories")["Vary"]


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "",
    ],
)
def test_api_refuses_a_json_body_sent_as_another_type(world, content_type):
    api = Client(headers=world.authorization("citizen"))
    response = api.generic(
        "POST",
        f"/api/v1/health/record/{world.citizen.pk}/diary",
        DIARY_READING,
        content_type=content_type,
    )
    assert response.status_code == 415, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "unsupported_media_type"


def test_api_takes_json_and_a_bodyless_post(world):
    api = Client(headers=world.authorization("citizen"))
    path = f"/api/v1/health/record/{world.citizen.pk}/diary"
    assert (
        api.post(path, DIARY_READING, content_type="application/json; charset=utf-8").status_code
        == 201
    )
    cancel = f"/api/v1/health/appointments/{world.appointment.pk}/cancel"
    assert api.generic("POST", cancel).status_code == 200


def test_json_media_types():
    for accepted in (
        "application/json",
        "Application/JSON; charset=utf-8",
        "application/fhir+json",
    ):
        assert is_json_media_type(accepted)
    for refused in ("text/plain", "text/json+x", "application/xml", "", "application/jsonp"):
        assert not is_json_media_type(refused)
