"""The per-process memory of verified callers (auth_cache) and the bound of a revocation."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gorod.accounts import auth_cache, services
from gorod.accounts.models import Person
from gorod.accounts.tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


class Clock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def remembering(settings):
    """Long enough that no entry expires while a test runs, however slow the machine."""
    settings.GOROD_AUTH_CACHE_SECONDS = 60
    settings.GOROD_AUTH_REVOCATION_SECONDS = 0


@pytest.fixture
def issued(remembering):
    person = PersonFactory()
    token, plaintext = services.api_token_create(actor=person.user, name="app")
    return person, token, plaintext


def test_a_verified_token_is_remembered_with_its_person(issued, django_assert_num_queries):
    person, _token, plaintext = issued
    # The lookup and the note of its first use.
    with django_assert_num_queries(2):
        assert services.api_token_authenticate(plaintext) == person.user
    with django_assert_num_queries(0):
        user = services.api_token_authenticate(plaintext)
        assert user.person.full_name == person.full_name
        assert user.person.user is user
    # Each request gets its own instances: what one sets on its user no other sees.
    user.marked = True
    again = services.api_token_authenticate(plaintext)
    assert again is not user
    assert again.person is not user.person
    assert not hasattr(again, "marked")


def test_a_wrong_secret_with_the_right_prefix_asks_the_database(issued, django_assert_num_queries):
    _person, token, plaintext = issued
    services.api_token_authenticate(plaintext)
    forged = f"gorod_{token.prefix}_{'A' * 43}"
    with django_assert_num_queries(1):
        assert services.api_token_authenticate(forged) is None
    with django_assert_num_queries(1):  # a refusal is never remembered
        assert services.api_token_authenticate(forged) is None


def test_a_user_without_a_person_is_remembered_as_such(remembering, django_assert_num_queries):
    user = UserFactory()
    _token, plaintext = services.api_token_create(actor=user, name="staff")
    services.api_token_authenticate(plaintext)
    with django_assert_num_queries(0):
        assert getattr(services.api_token_authenticate(plaintext), "person", None) is None


def test_revoking_deactivating_or_a_new_password_refuses_at_once_in_this_process(issued):
    person, token, plaintext = issued
    assert services.api_token_authenticate(plaintext) == person.user
    services.api_token_revoke(actor=person.user, token_id=token.pk)
    assert services.api_token_authenticate(plaintext) is None

    _token, plaintext = services.api_token_create(actor=person.user, name="second")
    assert services.api_token_authenticate(plaintext) == person.user
    person.user.is_active = False
    person.user.save()
    assert services.api_token_authenticate(plaintext) is None


def test_a_changed_person_is_read_anew(issued):
    person, _token, plaintext = issued
    services.api_token_authenticate(plaintext)
    services.person_update(
        actor=person.user,
        person=person,
        last_name="Петрова",
        first_name=person.first_name,
        middle_name=person.middle_name,
        birth_date=person.birth_date,
        oms_policy=None,
        snils=None,
    )
    assert services.api_token_authenticate(plaintext).person.last_name == "Петрова"


def test_a_sign_in_noting_its_time_revokes_nothing(issued, django_assert_num_queries):
    person, _token, plaintext = issued
    services.api_token_authenticate(plaintext)
    Client().force_login(person.user)  # saves last_login
    with django_assert_num_queries(0):
        assert services.api_token_authenticate(plaintext) == person.user


def test_the_session_user_is_remembered_and_a_new_password_signs_others_out(remembering, client):
    user = PersonFactory().user
    client.force_login(user)
    assert client.get("/accounts/profile/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/me").json()["email"] == user.email
    assert not [query for query in queries if 'FROM "accounts_user" ' in query["sql"]]
    services.user_password_change(actor=user, password="новый пароль 2026")
    assert client.get("/accounts/profile/").status_code == 302


def test_memory_is_bounded_and_entries_expire(settings):
    settings.GOROD_AUTH_CACHE_SECONDS = 10
    clock, loads = Clock(), []
    memory = auth_cache.AuthCache(clock=clock, size=2)
    user = UserFactory()

    def load():
        loads.append(1)
        return user

    for key in ("a", "b", "a", "c", "a"):
        memory.user(key, load)
    assert len(loads) == 3  # "a" stayed as the most recent, "b" made room for "c"
    memory.user("c", load)
    assert len(loads) == 3
    memory.user("b", load)
    assert len(loads) == 4

    clock.now += 10
    memory.user("b", load)
    assert len(loads) == 5


def test_off_remembers_nothing(settings, django_assert_num_queries):
    settings.GOROD_AUTH_CACHE_SECONDS = 0
    _token, plaintext = services.api_token_create(actor=PersonFactory().user, name="app")
    services.api_token_authenticate(plaintext)
    with django_assert_num_queries(1):
        services.api_token_authenticate(plaintext)


def test_a_revocation_while_the_database_is_read_is_not_outlived(remembering):
    user = UserFactory()
    memory = auth_cache.AuthCache()

    def load_while_revoked():
        cache.set(auth_cache.VERSION_KEY, "published meanwhile")
        return user

    memory.user("k", load_while_revoked)
    loads = []
    memory.user("k", lambda: loads.append(1) or user)
    assert loads == [1]


class Unreachable:
    def get(self, key, default=None):
        raise ConnectionError("the shared cache is down")


def test_while_the_shared_cache_is_down_callers_are_read_from_the_database(
    remembering, monkeypatch
):
    user, loads = UserFactory(), []
    memory = auth_cache.AuthCache()

    def load():
        loads.append(1)
        return user

    memory.user("k", load)
    monkeypatch.setattr(auth_cache, "cache", Unreachable())
    assert memory.user("k", load) == user
    assert memory.user("k", load) == user
    assert len(loads) == 3  # and what was remembered before is not trusted after
    monkeypatch.undo()
    memory.user("k", load)
    memory.user("k", load)
    assert len(loads) == 4


def test_one_publication_per_transaction(remembering, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for person in PersonFactory.create_batch(3):
            person.last_name = "Сидорова"
            person.save()
    assert callbacks.count(auth_cache._publish_version) == 1
    # A child without a login was never remembered.
    with django_capture_on_commit_callbacks() as callbacks:
        Person.objects.create(last_name="Малыш", first_name="Ваня", birth_date="2020-01-01")
    assert callbacks == []


# Committed for real: the new version is published when the revocation commits.
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("redis_cache")
def test_every_process_refuses_a_revoked_token_within_the_bound(settings, monkeypatch):
    """Two web processes (two memories) share Redis; a third revokes the token. Each
    re-reads the revocation version at most every GOROD_AUTH_REVOCATION_SECONDS."""
    settings.GOROD_AUTH_CACHE_SECONDS = 60
    settings.GOROD_AUTH_REVOCATION_SECONDS = 5
    clock = Clock()
    first, second = auth_cache.AuthCache(clock=clock), auth_cache.AuthCache(clock=clock)
    person = PersonFactory()
    token, plaintext = services.api_token_create(actor=person.user, name="app")

    def in_process(memory):
        monkeypatch.setattr(auth_cache, "shared", memory)
        return services.api_token_authenticate(plaintext)

    assert in_process(first) == person.user
    assert in_process(second) == person.user
    in_process(auth_cache.AuthCache())  # the revoking process's own memory
    services.api_token_revoke(actor=person.user, token_id=token.pk)

    clock.now += 4.9  # within the bound the others may still accept it from memory ...
    assert in_process(first) == person.user
    clock.now += 0.1  # ... and at the bound neither does
    assert in_process(first) is None
    assert in_process(second) is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("redis_cache")
def test_with_no_interval_a_deactivated_user_is_refused_on_the_next_request(settings, monkeypatch):
    """GOROD_AUTH_REVOCATION_SECONDS=0: one GET a request, and both the token and the
    session of a deactivated user stop in every process on their next request."""
    settings.GOROD_AUTH_CACHE_SECONDS = 60
    settings.GOROD_AUTH_REVOCATION_SECONDS = 0
    processes = [auth_cache.AuthCache(), auth_cache.AuthCache()]
    user = PersonFactory().user
    _token, plaintext = services.api_token_create(actor=user, name="app")
    browser = Client()
    browser.force_login(user)

    def requests_in(memory):
        monkeypatch.setattr(auth_cache, "shared", memory)
        token_status = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}").get("/api/v1/me")
        return token_status.status_code, browser.get("/api/v1/me").status_code

    assert [requests_in(memory) for memory in processes] == [(200, 200), (200, 200)]
    monkeypatch.setattr(auth_cache, "shared", auth_cache.AuthCache())
    user.is_active = False
    user.save()
    assert [requests_in(memory) for memory in processes] == [(401, 401), (401, 401)]
