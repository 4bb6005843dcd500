"""«Доверенности» pages: list given and received, grant, request, confirm, revoke — thin
views over the delegation services, with their refusals shown on the form."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gorod.accounts import services
from gorod.accounts.models import Delegation
from gorod.accounts.tests.factories import PersonFactory, UserFactory

LIST_URL = reverse("accounts:delegations")
GRANT_URL = reverse("accounts:delegation_grant")
REQUEST_URL = reverse("accounts:delegation_request")


@pytest.fixture
def pair(db):
    principal = PersonFactory(oms_policy="7700000000000001", birth_date=date(1950, 3, 1))
    delegate = PersonFactory(oms_policy="7700000000000002", birth_date=date(1980, 6, 2))
    return principal, delegate


def test_the_pages_need_a_sign_in(client, db):
    for url in (LIST_URL, GRANT_URL, REQUEST_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_profile_links_to_the_delegations(client, pair):
    client.force_login(pair[0].user)
    assert LIST_URL in client.get(reverse("accounts:profile")).content.decode()


def test_grant_by_policy_and_birth_date_works_at_once(client, pair):
    principal, delegate = pair
    client.force_login(principal.user)
    until = timezone.localdate() + timedelta(days=30)

    response = client.post(
        GRANT_URL,
        {
            "delegate_policy": "7700 0000 0000 0002",
            "delegate_birth_date": "1980-06-02",
            "scopes": ["record", "appointments"],
            "valid_until": until.isoformat(),
        },
        follow=True,
    )

    delegation = Delegation.objects.get(principal=principal, delegate=delegate)
    assert delegation.confirmed_at is not None
    assert delegation.scopes == ["appointments", "record"]
    assert delegation.valid_until == until
    page = response.content.decode()
    assert "Доверенность выдана и уже действует." in page
    assert delegate.full_name in page
    assert "просмотр медицинской карты" in page
    assert f"Действует по {until:%d.%m.%Y}" in page
    # The delegate sees it among those received.
    client.force_login(delegate.user)
    received = client.get(LIST_URL)
    assert received.context["received"] == [delegation]
    assert received.context["given"] == []


def test_a_wrong_birth_date_is_shown_next_to_the_policy(client, pair):
    principal, _delegate = pair
    client.force_login(principal.user)

    response = client.post(
        GRANT_URL,
        {
            "delegate_policy": "7700000000000002",
            "delegate_birth_date": "1980-06-03",
            "scopes": ["record"],
        },
    )

    assert response.status_code == 404
    assert response.context["form"].errors["delegate_policy"] == [
        "Не нашли человека с таким полисом ОМС и датой рождения. Сверьте данные."
    ]
    assert not Delegation.objects.exists()


def test_a_form_without_scopes_is_refused_by_the_form(client, pair):
    client.force_login(pair[0].user)

    response = client.post(
        GRANT_URL, {"delegate_policy": "7700000000000002", "delegate_birth_date": "1980-06-02"}
    )

    assert response.status_code == 400
    assert "scopes" in response.context["form"].errors


def test_a_minor_cannot_be_given_a_delegation(client, pair):
    principal, _delegate = pair
    PersonFactory(oms_policy="7700000000000003", birth_date=date(2010, 1, 1))
    client.force_login(principal.user)

    response = client.post(
        GRANT_URL,
        {
            "delegate_policy": "7700000000000003",
            "delegate_birth_date": "2010-01-01",
            "scopes": ["record"],
        },
    )

    assert response.status_code == 422
    assert "совершеннолетний" in response.content.decode()


def test_request_then_confirm_by_the_principal(client, pair):
    principal, delegate = pair
    client.force_login(delegate.user)
    client.post(
        REQUEST_URL,
        {
            "principal_policy": principal.oms_policy,
            "principal_birth_date": "1950-03-01",
            "scopes": ["appointments"],
        },
    )
    delegation = Delegation.objects.get()
    assert delegation.confirmed_at is None
    # The delegate cannot confirm their own request.
    confirm_url = reverse("accounts:delegation_confirm", args=[delegation.pk])
    assert client.post(confirm_url).status_code == 404

    client.force_login(principal.user)
    listed = client.get(LIST_URL).content.decode()
    assert "ждёт вашего подтверждения" in listed
    response = client.post(confirm_url, follow=True)

    delegation.refresh_from_db()
    assert delegation.confirmed_at is not None
    assert "Доверенность подтверждена и уже действует." in response.content.decode()


def test_either_side_revokes_and_it_leaves_the_list(client, pair):
    principal, delegate = pair
    delegation = services.delegation_grant(
        actor=principal.user,
        delegate_policy=delegate.oms_policy,
        delegate_birth_date=delegate.birth_date,
        scopes=["record"],
    )
    client.force_login(delegate.user)

    response = client.post(reverse("accounts:delegation_revoke", args=[delegation.pk]), follow=True)

    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    assert "Доверенность отозвана" in response.content.decode()
    assert response.context["received"] == []
    # Revoking again, or someone else's, is not found.
    assert (
        client.post(reverse("accounts:delegation_revoke", args=[delegation.pk])).status_code == 404
    )


def test_a_stranger_cannot_touch_a_delegation(client, pair):
    principal, delegate = pair
    delegation = services.delegation_grant(
        actor=principal.user,
        delegate_policy=delegate.oms_policy,
        delegate_birth_date=delegate.birth_date,
        scopes=["record"],
    )
    client.force_login(PersonFactory().user)

    for name in ("accounts:delegation_revoke", "accounts:delegation_confirm"):
        assert client.post(reverse(name, args=[delegation.pk])).status_code == 404
    assert (
        client.get(reverse("accounts:delegation_revoke", args=[delegation.pk])).status_code == 405
    )
    delegation.refresh_from_db()
    assert delegation.revoked_at is None


def test_a_staff_account_without_a_person_gets_404(client, db):
    client.force_login(UserFactory())
    assert client.get(LIST_URL).status_code == 404
