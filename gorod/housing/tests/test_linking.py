"""Linking a premises: the payer code opens a request, an owner or an operator confirms it."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group

from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.core.errors import DomainError, NotFound
from gorod.core.models import AuditEvent
from gorod.core.problems import status_of
from gorod.housing import linking, rules, selectors
from gorod.housing.models import CorrectionRequest, LinkRequest, PremisesLink, Reading
from gorod.housing.tests.conftest import IN_WINDOW
from gorod.housing.tests.factories import PremisesFactory, PremisesLinkFactory
from gorod.notifications.models import Message


def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def ask(actor, premises, *, role="owner", ip="203.0.113.7", now=IN_WINDOW):
    return linking.link_request_create(
        actor=actor,
        payer_code=premises.payer_code,
        apartment=premises.apartment,
        role=role,
        ip=ip,
        now=now,
    )


def owners_request(household, reason: str) -> CorrectionRequest:
    """The owner's correction request of October's reading, with their own words."""
    reading = Reading.objects.create(
        meter=household.cold,
        period=IN_WINDOW.date().replace(day=1) - timedelta(days=31),
        value=20,
        previous_value=10,
        submitted_at=IN_WINDOW - timedelta(days=31),
        channel="web",
    )
    return CorrectionRequest.objects.create(
        reading=reading,
        requested_by=household.user,
        requested_value=21,
        reason=reason,
        created_at=IN_WINDOW,
    )


@pytest.fixture
def citizen(db):
    return PersonFactory().user


@pytest.fixture
def operator(db):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="operator"))
    return user


def test_the_code_from_the_bill_alone_gives_no_access(household, citizen):
    """The probe: a second person with the payer code and apartment saw the flat's meters
    and the owner's correction requests at once."""
    owners_request(household, "Сосед по площадке знает мой телефон")
    request = ask(citizen, household.premises)
    assert request.status == LinkRequest.Status.PENDING
    assert not PremisesLink.objects.filter(person__user=citizen).exists()
    with pytest.raises(NotFound):
        selectors.premises_get(actor=citizen, premises_id=household.premises.pk)
    with pytest.raises(NotFound):
        selectors.meter_get(actor=citizen, meter_id=household.cold.pk)
    assert not selectors.own_correction_requests(actor=citizen).exists()
    assert selectors.my_meters(actor=citizen, moment=IN_WINDOW)[1] == []


def test_the_owner_is_asked_and_confirms(household, citizen):
    # The user linked in the household fixture is an owner.
    request = ask(citizen, household.premises, role="tenant")
    owner = household.user.person
    asked = Message.objects.get(topic=linking.REQUEST_TOPIC)
    assert asked.person_id == owner.pk
    assert citizen.person.full_name in asked.body
    assert asked.link == f"/housing/link-requests/{request.pk}/"
    assert list(selectors.link_requests_to_confirm(actor=household.user, moment=IN_WINDOW)) == [
        request
    ]
    # The owner's own list never shows the requester's side, nor the requester the owner's.
    assert not selectors.link_requests_to_confirm(actor=citizen, moment=IN_WINDOW).exists()
    assert list(selectors.own_link_requests(actor=citizen, moment=IN_WINDOW)) == [request]

    decided = linking.link_request_decide(
        actor=household.user, request_id=request.pk, confirm=True, now=IN_WINDOW
    )
    assert (decided.status, decided.decided_by) == (LinkRequest.Status.CONFIRMED, household.user)
    link = PremisesLink.objects.get(person__user=citizen)
    assert (link.role, link.verified_by) == ("tenant", PremisesLink.Verification.OWNER)
    assert selectors.premises_get(actor=citizen, premises_id=household.premises.pk)
    told = Message.objects.get(topic=linking.DECISION_TOPIC)
    assert told.person_id == citizen.person.pk
    assert AuditEvent.objects.filter(action="housing.link_request_confirm").count() == 1


def test_a_declined_request_links_nobody_and_is_decided_once(household, citizen):
    request = ask(citizen, household.premises)
    linking.link_request_decide(
        actor=household.user, request_id=request.pk, confirm=False, now=IN_WINDOW
    )
    assert not PremisesLink.objects.filter(person__user=citizen).exists()
    again = refusal(
        lambda: linking.link_request_decide(
            actor=household.user, request_id=request.pk, confirm=True, now=IN_WINDOW
        )
    )
    assert (again.code, status_of(again)) == ("link_request_already_decided", 409)
    assert not PremisesLink.objects.filter(person__user=citizen).exists()


def test_only_an_owner_of_the_premises_or_an_operator_may_answer(household, citizen):
    request = ask(citizen, household.premises)
    tenant = PremisesLinkFactory(premises=household.premises, role="tenant").person.user
    stranger = PersonFactory().user
    for who in (citizen, tenant, stranger):
        with pytest.raises(NotFound):
            linking.link_request_decide(actor=who, request_id=request.pk, confirm=True)
    assert LinkRequest.objects.get().status == LinkRequest.Status.PENDING


def test_without_an_owner_on_the_portal_the_operator_confirms(citizen, operator):
    premises = PremisesFactory()
    PremisesLinkFactory(premises=premises, role="tenant")
    request = ask(citizen, premises)
    assert not Message.objects.filter(topic=linking.REQUEST_TOPIC).exists()
    assert list(selectors.link_requests_for_operator(moment=IN_WINDOW)) == [request]
    linking.link_request_decide(actor=operator, request_id=request.pk, confirm=True, now=IN_WINDOW)
    link = PremisesLink.objects.get(person__user=citizen)
    assert link.verified_by == PremisesLink.Verification.OPERATOR
    assert not selectors.link_requests_for_operator(moment=IN_WINDOW).exists()


def test_the_operator_queue_leaves_owned_premises_to_their_owners(household, citizen):
    ask(citizen, household.premises)
    assert not selectors.link_requests_for_operator(moment=IN_WINDOW).exists()


def test_an_unanswered_request_expires(household, citizen, settings):
    request = ask(citizen, household.premises)
    late = IN_WINDOW + timedelta(days=settings.GOROD_HOUSING_LINK_REQUEST_DAYS, seconds=1)
    assert not selectors.link_requests_to_confirm(actor=household.user, moment=late).exists()
    error = refusal(
        lambda: linking.link_request_decide(
            actor=household.user, request_id=request.pk, confirm=True, now=late
        )
    )
    assert (error.code, status_of(error)) == ("link_request_expired", 409)
    # The expiry is kept although the answer was refused.
    assert LinkRequest.objects.get().status == LinkRequest.Status.EXPIRED
    assert not PremisesLink.objects.filter(person__user=citizen).exists()
    # A new request may be made after that.
    assert ask(citizen, household.premises, now=late).pk != request.pk


def test_asking_again_returns_the_waiting_request(household, citizen):
    first = ask(citizen, household.premises)
    assert ask(citizen, household.premises).pk == first.pk
    assert Message.objects.filter(topic=linking.REQUEST_TOPIC).count() == 1
    already = refusal(lambda: ask(household.user, household.premises))
    assert (already.code, status_of(already)) == ("premises_already_linked", 409)


def test_a_person_has_few_requests_waiting_at_once(citizen):
    for _number in range(linking.MAX_PENDING_REQUESTS):
        ask(citizen, PremisesFactory())
    error = refusal(lambda: ask(citizen, PremisesFactory()))
    assert (error.code, status_of(error)) == ("too_many_link_requests", 429)


def test_the_apartment_is_read_as_in_the_registry(citizen):
    premises = PremisesFactory(payer_code="1234567890", apartment="12А")
    request = linking.link_request_create(
        actor=citizen, payer_code=" 1234567890 ", apartment="12a", role="tenant", now=IN_WINDOW
    )
    assert (request.premises, request.role) == (premises, "tenant")
    assert AuditEvent.objects.filter(action="housing.link_request").count() == 1


def test_a_wrong_pair_gets_the_same_answer_as_an_unknown_code(citizen):
    premises = PremisesFactory(payer_code="1234567890", apartment="12")
    wrong_apartment = refusal(
        lambda: ask(citizen, PremisesFactory.build(payer_code=premises.payer_code, apartment="13"))
    )
    unknown = refusal(
        lambda: ask(citizen, PremisesFactory.build(payer_code="0000000000", apartment="12"))
    )
    assert wrong_apartment.code == unknown.code == "premises_not_found"
    assert str(wrong_apartment.message) == str(unknown.message)


@pytest.mark.parametrize("code", ["123456789", "12345678901", "12345abcde", "١٢٣٤٥٦٧٨٩٠"])
def test_a_payer_code_is_ten_digits(citizen, code):
    error = refusal(lambda: ask(citizen, PremisesFactory.build(payer_code=code, apartment="1")))
    assert (error.code, error.field) == ("payer_code_invalid", "payer_code")


def test_guessing_is_slowed_down_per_account(citizen):
    premises = PremisesFactory(payer_code="1234567890", apartment="12")
    for guess in range(linking.LINK_THROTTLE.limit):
        refusal(
            lambda guess=guess: ask(
                citizen, PremisesFactory.build(payer_code=f"{guess:010d}", apartment="12"), ip=None
            )
        )
    error = refusal(lambda: ask(citizen, premises, ip=None))
    assert (error.code, status_of(error)) == ("too_many_attempts", 429)


def test_guessing_from_many_accounts_is_slowed_down_per_address(db):
    """Fresh accounts cost nothing; the address they guess from is counted too."""
    premises = PremisesFactory(payer_code="1234567890", apartment="12")
    guesses = iter(range(10**6))
    for _account in range(linking.LINK_IP_THROTTLE.limit // linking.LINK_THROTTLE.limit):
        guesser = PersonFactory().user
        for _guess in range(linking.LINK_THROTTLE.limit):
            refusal(
                lambda guesser=guesser: ask(
                    guesser, PremisesFactory.build(payer_code=f"{next(guesses):010d}")
                )
            )
    fresh = PersonFactory().user
    error = refusal(lambda: ask(fresh, premises))
    assert (error.code, status_of(error)) == ("too_many_attempts", 429)
    # From another address the same fresh account may still ask.
    assert ask(fresh, premises, ip="198.51.100.1").status == LinkRequest.Status.PENDING


def test_link_requests_change_only_from_pending():
    for status in rules.LINK_TRANSITIONS:
        assert rules.link_transition_allowed(rules.LINK_PENDING, status) == (
            status != rules.LINK_PENDING
        )
        if status != rules.LINK_PENDING:
            assert not any(
                rules.link_transition_allowed(status, new) for new in rules.LINK_TRANSITIONS
            )


def test_a_co_resident_sees_the_flats_readings_but_not_anothers_requests(household):
    reading = owners_request(household, "личное").reading
    co_resident = PremisesLinkFactory(premises=household.premises, role="registered").person.user
    assert selectors.own_reading_get(actor=co_resident, reading_id=reading.pk) == reading
    assert not selectors.own_correction_requests(actor=co_resident).exists()
    assert selectors.own_correction_requests(actor=household.user).count() == 1


def test_several_people_share_a_premises_and_one_unlinks(household):
    other = PremisesLinkFactory(premises=household.premises).person.user
    linking.premises_unlink(actor=other, premises_id=household.premises.pk)
    assert list(PremisesLink.objects.values_list("person__user", flat=True)) == [household.user.pk]
    with pytest.raises(NotFound):
        linking.premises_unlink(actor=other, premises_id=household.premises.pk)
