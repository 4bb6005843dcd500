"""Delegation between adults: granted or requested and confirmed, scoped, revocable."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from gorod.accounts import services
from gorod.accounts.models import Delegation
from gorod.accounts.tests.factories import PersonFactory
from gorod.core.errors import DomainError, NotFound
from gorod.core.models import AuditEvent


@pytest.fixture
def pair(db):
    principal = PersonFactory(oms_policy="7700000000000001", birth_date=date(1950, 3, 1))
    delegate = PersonFactory(oms_policy="7700000000000002", birth_date=date(1980, 6, 2))
    return principal, delegate


def _grant(principal, delegate, scopes=("appointments",), **options):
    return services.delegation_grant(
        actor=principal.user,
        delegate_policy=delegate.oms_policy,
        delegate_birth_date=delegate.birth_date,
        scopes=list(scopes),
        **options,
    )


def test_a_grant_is_confirmed_at_once_and_audited(pair):
    principal, delegate = pair
    delegation = _grant(principal, delegate, scopes=["record", "appointments", "record"])
    assert delegation.confirmed_at is not None
    assert delegation.scopes == ["appointments", "record"]
    assert AuditEvent.objects.filter(action="delegation.granted").count() == 1


def test_a_request_works_only_once_the_principal_confirms(pair):
    principal, delegate = pair
    request = services.delegation_request(
        actor=delegate.user,
        principal_policy=principal.oms_policy,
        principal_birth_date=principal.birth_date,
        scopes=["appointments"],
    )
    assert request.confirmed_at is None
    with pytest.raises(NotFound):
        # The delegate cannot confirm their own request.
        services.delegation_confirm(actor=delegate.user, delegation_id=request.pk)
    confirmed = services.delegation_confirm(actor=principal.user, delegation_id=request.pk)
    assert confirmed.confirmed_at is not None


def test_a_wrong_birth_date_is_the_same_not_found_and_guesses_are_throttled(pair):
    principal, delegate = pair
    for _attempt in range(services.PERSON_LOOKUP_THROTTLE.limit):
        with pytest.raises(NotFound) as refusal:
            services.delegation_grant(
                actor=principal.user,
                delegate_policy=delegate.oms_policy,
                delegate_birth_date=date(1980, 6, 3),
                scopes=["appointments"],
            )
        assert refusal.value.code == "person_not_found"
    with pytest.raises(DomainError) as refusal:
        _grant(principal, delegate)
    assert refusal.value.code == "too_many_attempts"


@pytest.mark.parametrize(
    ("scopes", "code"),
    [([], "delegation_scopes_invalid"), (["everything"], "delegation_scopes_invalid")],
)
def test_scopes_must_be_known(pair, scopes, code):
    principal, delegate = pair
    with pytest.raises(DomainError) as refusal:
        _grant(principal, delegate, scopes=scopes)
    assert refusal.value.code == code


def test_only_adults_delegate_and_not_to_themselves(pair):
    principal, _delegate = pair
    teen = PersonFactory(oms_policy="7700000000000003", birth_date=date(2010, 1, 1))
    with pytest.raises(DomainError) as refusal:
        _grant(principal, teen)
    assert refusal.value.code == "delegation_adults_only"
    child = PersonFactory(birth_date=date(2015, 1, 1))
    with pytest.raises(DomainError) as refusal:
        _grant(child, principal)
    assert refusal.value.code == "delegation_principal_too_young"
    with pytest.raises(DomainError) as refusal:
        _grant(principal, principal)
    assert refusal.value.code == "delegation_to_self"


def test_one_live_delegation_per_pair_and_revoking_ends_it(pair):
    principal, delegate = pair
    first = _grant(principal, delegate)
    with pytest.raises(DomainError) as refusal:
        _grant(principal, delegate, scopes=["record"])
    assert refusal.value.code == "delegation_exists"
    services.delegation_revoke(actor=delegate.user, delegation_id=first.pk)
    assert Delegation.objects.get(pk=first.pk).revoked_at is not None
    assert _grant(principal, delegate, scopes=["record"]).pk != first.pk


def test_a_stranger_cannot_revoke(pair):
    principal, delegate = pair
    delegation = _grant(principal, delegate)
    with pytest.raises(NotFound):
        services.delegation_revoke(actor=PersonFactory().user, delegation_id=delegation.pk)


def test_an_end_date_in_the_past_is_refused(pair):
    principal, delegate = pair
    with pytest.raises(DomainError) as refusal:
        _grant(principal, delegate, valid_until=timezone.localdate() - timedelta(days=1))
    assert refusal.value.code == "valid_until_in_past"


def test_a_teen_of_fifteen_lets_a_parent_keep_seeing_the_record(pair):
    _principal, parent = pair
    teen = PersonFactory(birth_date=date(2010, 6, 1))
    delegation = _grant(teen, parent, scopes=["record"])
    assert delegation.confirmed_at is not None
