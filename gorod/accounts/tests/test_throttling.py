"""Login throttling: spraying is slowed, the owner is never locked out by someone else's
guesses, and the client's address comes from a proxy header only when configured
(issue 13, item 3)."""

from datetime import timedelta

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from gorod.accounts.tests.factories import TEST_PASSWORD, PersonFactory
from gorod.accounts.throttling import progressive_delay
from gorod.core.throttle import client_ip

BALANCER = "10.0.0.2"
HOME = "198.51.100.7"
ATTACKER = "203.0.113.5"


def attempt(client, login: str, password: str, *, address: str, door="/accounts/login/", **meta):
    return client.post(door, {"username": login, "password": password}, REMOTE_ADDR=address, **meta)


def signs_in(login: str, *, address: str, **meta) -> bool:
    """A fresh browser signs in with the right password (and leaves its address known)."""
    response = attempt(Client(), login, TEST_PASSWORD, address=address, **meta)
    return response.status_code == 302


@pytest.fixture(autouse=True)
def _fast_hashes(settings):
    # Hundreds of password checks here; what is measured is the throttle, not the hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- The client's address -------------------------------------------------------------


def _request(**meta):
    return RequestFactory().get("/", REMOTE_ADDR=BALANCER, **meta)


def test_the_forwarded_header_is_ignored_unless_configured(settings):
    settings.GOROD_TRUSTED_PROXY_HEADER = ""
    assert client_ip(_request(HTTP_X_FORWARDED_FOR=ATTACKER)) == BALANCER


def test_the_configured_header_names_the_client_its_proxies_saw(settings):
    settings.GOROD_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.GOROD_TRUSTED_PROXY_COUNT = 1
    # The client wrote the first entry itself; the balancer appended the address it saw.
    assert client_ip(_request(HTTP_X_FORWARDED_FOR=f"1.2.3.4, {HOME}")) == HOME
    settings.GOROD_TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request(HTTP_X_FORWARDED_FOR=f"1.2.3.4, {HOME}, 10.0.0.9")) == HOME
    # Not through all our proxies, or not an address: the connection's peer is the caller.
    assert client_ip(_request(HTTP_X_FORWARDED_FOR=HOME)) == BALANCER
    settings.GOROD_TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="1.2.3.4, nonsense")) == BALANCER
    assert client_ip(_request()) == BALANCER


def test_without_the_setting_everyone_behind_the_balancer_is_one_address(db, settings):
    settings.GOROD_TRUSTED_PROXY_HEADER = ""
    victim = PersonFactory().user.email
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(Client(), victim, "wrong", address=BALANCER, HTTP_X_FORWARDED_FOR=ATTACKER)
    # A forged header does not make a new client: the pair (login, balancer) is locked.
    assert not signs_in(victim, address=BALANCER, HTTP_X_FORWARDED_FOR=HOME)


def test_with_the_setting_an_attacker_behind_the_balancer_locks_only_himself(db, settings):
    settings.GOROD_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    victim = PersonFactory().user.email
    assert signs_in(victim, address=BALANCER, HTTP_X_FORWARDED_FOR=HOME)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = attempt(
            Client(), victim, "wrong", address=BALANCER, HTTP_X_FORWARDED_FOR=ATTACKER
        )
    assert response.status_code == 429
    assert not signs_in(victim, address=BALANCER, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert signs_in(victim, address=BALANCER, HTTP_X_FORWARDED_FOR=HOME)


# --- Spraying: one address, many logins ----------------------------------------------


@pytest.mark.parametrize("door", ["/accounts/login/", "/staff/login/"])
def test_spraying_from_one_address_is_refused(db, settings, door):
    settings.GOROD_LOGIN_ADDRESS_ACCOUNTS_LIMIT = 20
    logins = [PersonFactory().user.email for _ in range(30)]
    # A neighbour behind the same address (a carrier's NAT) who signed in there before.
    neighbour = PersonFactory().user.email
    assert signs_in(neighbour, address=ATTACKER)
    answers = [
        attempt(Client(), login, "Password1!", address=ATTACKER, door=door).status_code
        for login in logins
    ]
    assert answers[:20] == [200] * 20
    assert answers[20:] == [429] * 10
    # Even a right password is not tried from the spraying address…
    assert not signs_in(logins[-1], address=ATTACKER)
    # …while the owners elsewhere, and anyone who signed in from there before, get in.
    assert signs_in(logins[0], address=HOME)
    assert signs_in(neighbour, address=ATTACKER)


def test_a_refused_address_is_told_so(db, settings):
    settings.GOROD_LOGIN_ADDRESS_ACCOUNTS_LIMIT = 3
    for _ in range(3):
        attempt(Client(), PersonFactory().user.email, "wrong", address=ATTACKER)
    response = attempt(Client(), PersonFactory().user.email, "wrong", address=ATTACKER)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == round(settings.AXES_COOLOFF_TIME * 3600)
    assert "С вашего адреса в сети" in response.content.decode()


# --- One login, many addresses: a delay, never a lock on the owner ------------------


def _hammer(login: str, settings, *, addresses: int = 5) -> None:
    """Wrong passwords from many addresses, each staying under the per-address lock."""
    for index in range(addresses):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            attempt(Client(), login, "wrong", address=f"203.0.113.{index + 10}")


def test_the_owner_signs_in_from_their_address_while_their_login_is_hammered(
    db, settings, time_machine
):
    # The clock stands still: on a busy machine the hammering takes longer than the delay
    # it earns, and the guess after it would find the delay already over.
    time_machine.move_to(timezone.now(), tick=False)
    victim = PersonFactory().user.email
    assert signs_in(victim, address=HOME)
    _hammer(victim, settings)
    # The attacker's next guess, from yet another address, must wait…
    refused = attempt(Client(), victim, TEST_PASSWORD, address="203.0.113.99")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= settings.GOROD_LOGIN_DELAY_MAX_SECONDS
    assert "Попробуйте снова через" in refused.content.decode()
    # …but the owner at home is not held up at all.
    assert signs_in(victim, address=HOME)


def test_the_owner_on_a_new_address_waits_seconds_not_a_lockout(db, settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    victim = PersonFactory().user.email
    _hammer(victim, settings)
    refused = attempt(Client(), victim, TEST_PASSWORD, address=HOME)
    assert refused.status_code == 429
    wait = int(refused["Retry-After"])
    assert wait <= settings.GOROD_LOGIN_DELAY_MAX_SECONDS
    time_machine.move_to(timezone.now() + timedelta(seconds=wait + 1))
    assert signs_in(victim, address=HOME)


def test_the_delay_doubles_up_to_its_ceiling():
    assert [progressive_delay(n, free=5, ceiling=60) for n in (0, 4, 5, 6, 7, 10, 11, 99)] == [
        0,
        0,
        1,
        2,
        4,
        32,
        60,
        60,
    ]
