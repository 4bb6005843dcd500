from datetime import date

import pytest

from gorod.accounts import services
from gorod.accounts.models import ApiToken, Guardianship, Person, User
from gorod.accounts.tests.factories import TEST_PASSWORD, ChildFactory, PersonFactory
from gorod.core.errors import DomainError
from gorod.core.models import AuditEvent
from gorod.core.problems import status_of

pytestmark = pytest.mark.django_db

REGISTRATION = {
    "password": TEST_PASSWORD,
    "last_name": "Смирнова",
    "first_name": "Ольга",
    "middle_name": "Игоревна",
    "birth_date": date(1990, 1, 2),
}


@pytest.mark.usefixtures("project_password_hashers")
def test_register_by_email_creates_login_person_and_audit_row():
    user = services.user_register(login=" Olga@Example.RU ", **REGISTRATION)
    assert user.email == "olga@example.ru"
    assert user.phone is None
    assert user.check_password(TEST_PASSWORD)
    assert user.password.startswith("argon2")
    assert user.person.full_name == "Смирнова Ольга Игоревна"
    assert AuditEvent.objects.filter(actor=user, action="user.registered").count() == 1


def test_registering_from_an_address_counts_against_its_hourly_limit(settings):
    settings.GOROD_SIGNUP_ADDRESS_LIMIT = 1
    services.user_register(login="one@example.ru", address="203.0.113.7", **REGISTRATION)
    with pytest.raises(DomainError) as refused:
        services.user_register(login="two@example.ru", address="203.0.113.7", **REGISTRATION)
    assert refused.value.code == "too_many_attempts"
    assert not User.objects.filter(email="two@example.ru").exists()
    # Another address, and a registration without one (the demo, an operator), go on.
    services.user_register(login="three@example.ru", address="203.0.113.8", **REGISTRATION)
    services.user_register(login="four@example.ru", **REGISTRATION)


def test_a_refused_registration_does_not_count_against_the_address(settings):
    settings.GOROD_SIGNUP_ADDRESS_LIMIT = 1
    with pytest.raises(DomainError):
        services.user_register(login="not a login", address="203.0.113.7", **REGISTRATION)
    services.user_register(login="one@example.ru", address="203.0.113.7", **REGISTRATION)


def test_a_password_change_sets_the_hash_and_is_audited():
    user = PersonFactory().user
    services.user_password_change(actor=user, password="другой пароль 2026")
    user.refresh_from_db()
    assert user.check_password("другой пароль 2026")
    assert AuditEvent.objects.filter(actor=user, action="user.password_changed").count() == 1


def test_register_by_phone_in_any_spelling():
    user = services.user_register(login="8 (916) 555-44-33", **REGISTRATION)
    assert user.phone == "+79165554433"
    with pytest.raises(DomainError) as taken:
        services.user_register(login="+7 916 555 44 33", **REGISTRATION)
    assert taken.value.code == "login_taken"
    assert User.objects.count() == 1
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("login", "password", "code"),
    [
        ("not-a-login", TEST_PASSWORD, "login_invalid"),
        ("weak@example.ru", "12345678901", "password_weak"),
        ("weak@example.ru", "short", "password_weak"),
    ],
)
def test_register_refuses_bad_input_and_writes_nothing(login, password, code):
    with pytest.raises(DomainError) as refused:
        services.user_register(**{**REGISTRATION, "login": login, "password": password})
    assert refused.value.code == code
    assert not User.objects.exists()
    assert not AuditEvent.objects.filter(action="user.registered").exists()


def test_register_refuses_birth_date_in_future():
    with pytest.raises(DomainError) as refused:
        services.user_register(
            **{**REGISTRATION, "login": "a@example.ru", "birth_date": date(2999, 1, 1)}
        )
    assert refused.value.field == "birth_date"


def test_person_update_saves_only_changes_and_audits_them():
    person = PersonFactory()
    services.person_update(
        actor=person.user,
        person=person,
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name,
        birth_date=person.birth_date,
        oms_policy="7700 0000 0000 0001",
        snils="112-233-445 95",
    )
    person.refresh_from_db()
    assert person.oms_policy == "7700000000000001"
    assert person.snils == "11223344595"
    event = AuditEvent.objects.get(action="person.updated")
    assert sorted(event.data["fields"]) == ["oms_policy", "snils"]


def test_person_update_refuses_bad_snils_and_keeps_old_data():
    person = PersonFactory(snils="11223344595")
    with pytest.raises(DomainError) as refused:
        services.person_update(
            actor=person.user,
            person=person,
            last_name="Новая",
            first_name=person.first_name,
            middle_name="",
            birth_date=person.birth_date,
            oms_policy=None,
            snils="11223344596",
        )
    assert refused.value.code == "snils_invalid"
    person.refresh_from_db()
    assert person.last_name == "Иванова"
    assert person.snils == "11223344595"


def test_oms_policy_belongs_to_one_person():
    PersonFactory(oms_policy="7700000000000001")
    other = PersonFactory()
    with pytest.raises(DomainError) as refused:
        services.person_update(
            actor=other.user,
            person=other,
            last_name=other.last_name,
            first_name=other.first_name,
            middle_name="",
            birth_date=other.birth_date,
            oms_policy="7700000000000001",
            snils=None,
        )
    assert refused.value.code == "identity_number_taken"
    other.refresh_from_db()
    assert other.oms_policy is None


def test_child_add_links_an_unverified_child():
    parent = PersonFactory()
    guardianship = services.child_add(
        actor=parent.user,
        guardian=parent,
        last_name="Иванов",
        first_name="Петя",
        middle_name="",
        birth_date=date(2017, 9, 1),
        kind=Guardianship.Kind.PARENT,
    )
    assert guardianship.child.user is None
    assert guardianship.verified_at is None
    services.guardianship_verify(actor=parent.user, guardianship=guardianship)
    services.guardianship_verify(actor=parent.user, guardianship=guardianship)
    assert guardianship.verified_at is not None
    assert AuditEvent.objects.filter(action="guardianship.verified").count() == 1


def test_child_add_refuses_an_adult():
    parent = PersonFactory()
    with pytest.raises(DomainError) as refused:
        services.child_add(
            actor=parent.user,
            guardian=parent,
            last_name="Иванов",
            first_name="Пётр",
            middle_name="",
            birth_date=date(2000, 1, 1),
            kind=Guardianship.Kind.PARENT,
        )
    assert refused.value.code == "child_adult"
    assert not Guardianship.objects.exists()


def test_guardianship_cannot_link_a_person_to_themselves():
    from django.db import IntegrityError

    person = ChildFactory()
    with pytest.raises(IntegrityError):
        Guardianship.objects.create(guardian=person, child=person, kind="parent")


def test_api_token_is_stored_hashed_and_authenticates_until_revoked():
    person = PersonFactory()
    token, plaintext = services.api_token_create(actor=person.user, name="Домашний сервер")
    assert plaintext.startswith(f"gorod_{token.prefix}_")
    assert plaintext.split("_", 2)[2] not in token.secret_hash
    assert services.api_token_authenticate(plaintext) == person.user
    assert services.api_token_authenticate(plaintext + "x") is None
    assert services.api_token_authenticate("gorod_nope_nope") is None
    assert services.api_token_authenticate("garbage") is None
    services.api_token_revoke(actor=person.user, token_id=token.pk)
    assert services.api_token_authenticate(plaintext) is None


def test_api_token_of_someone_else_is_not_found():
    owner, stranger = PersonFactory(), PersonFactory()
    token, _ = services.api_token_create(actor=owner.user, name="t")
    with pytest.raises(DomainError) as refused:
        services.api_token_revoke(actor=stranger.user, token_id=token.pk)
    assert status_of(refused.value) == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_login_by_email_or_phone(client):
    user = services.user_register(login="8 916 000-11-22", **REGISTRATION)
    user.email = "both@example.ru"
    user.save()
    for login in ("+79160001122", "8 (916) 000-11-22", "BOTH@example.ru"):
        response = client.post("/accounts/login/", {"username": login, "password": TEST_PASSWORD})
        assert response.status_code == 302, login
        assert response.url == "/cabinet/"
        client.post("/accounts/logout/")
