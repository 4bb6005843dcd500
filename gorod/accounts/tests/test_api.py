import pytest

from gorod.accounts import services
from gorod.accounts.tests.factories import ChildFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_me_requires_authentication(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_authenticated"


def test_me_with_a_personal_token(client):
    person = PersonFactory(oms_policy="7700000000000001")
    child = ChildFactory()
    person.wards.create(child=child, kind="parent")
    _token, plaintext = services.api_token_create(actor=person.user, name="script")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == person.user.email
    assert body["person"]["oms_policy"] == "7700000000000001"
    assert body["children"] == [
        {
            "id": child.pk,
            "full_name": child.full_name,
            "birth_date": child.birth_date.isoformat(),
            "relation": "parent",
            "verified": False,
        }
    ]


def test_me_with_a_revoked_or_forged_token(client):
    person = PersonFactory()
    token, plaintext = services.api_token_create(actor=person.user, name="script")
    services.api_token_revoke(actor=person.user, token_id=token.pk)
    for header in (f"Bearer {plaintext}", "Bearer gorod_x_y", "Bearer ", "Basic abc"):
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=header).status_code == 401


def test_me_with_the_browser_session(client):
    person = PersonFactory()
    client.force_login(person.user)
    assert client.get("/api/v1/me").json()["person"]["id"] == person.pk
