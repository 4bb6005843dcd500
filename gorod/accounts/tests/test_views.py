import pytest
from django.test import Client

from gorod.accounts.tests.factories import TEST_PASSWORD, PersonFactory
from gorod.core.models import AuditEvent

NEW_PASSWORD = "another-horse-battery-staple"


@pytest.mark.django_db
def test_changing_the_password_keeps_this_session_and_ends_the_others(client, catalog):
    user = PersonFactory().user
    elsewhere = Client()
    for browser in (client, elsewhere):
        browser.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/accounts/profile/"
    assert "Пароль изменён." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(actor=user, action="user.password_changed").count() == 1
    assert elsewhere.get("/accounts/profile/").status_code == 302


@pytest.mark.django_db
def test_a_wrong_old_password_changes_nothing(client, catalog):
    user = PersonFactory().user
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_changed").exists()
