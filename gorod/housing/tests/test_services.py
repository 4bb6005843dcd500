from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.analytics.models import UsageEvent
from gorod.core.errors import DomainError, NotFound
from gorod.core.models import AuditEvent
from gorod.core.problems import status_of
from gorod.housing import corrections, reminders, services
from gorod.housing.models import CorrectionRequest, Meter, Reading, ReadingReferral, Submission
from gorod.housing.tests.conftest import BETWEEN_WINDOWS, IN_WINDOW, MOSCOW
from gorod.housing.tests.factories import MeterFactory, PremisesLinkFactory
from gorod.notifications.models import Message

NOVEMBER = date(2026, 11, 1)
OCTOBER_WINDOW = datetime(2026, 10, 20, 12, 0, tzinfo=MOSCOW)
key_counter = iter(range(10**6))


def submit(household, values, *, now=IN_WINDOW, key=None, confirm=False, actor=None):
    return services.readings_submit(
        actor=actor or household.user,
        premises_id=household.premises.pk,
        values=values,
        idempotency_key=key or f"key-{next(key_counter)}",
        channel="web",
        confirm_warnings=confirm,
        now=now,
    )


def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


@pytest.fixture
def operator(db):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="operator"))
    return user


# --- Submitting -----------------------------------------------------------------------


def test_a_submission_accepts_readings_of_the_windows_period(household):
    result = submit(household, {household.cold.pk: "12,5", household.hot.pk: "11.250"})
    assert not result.replayed
    cold, hot = sorted(result.readings, key=lambda reading: reading.meter_id)
    assert (cold.period, cold.value, cold.previous_value) == (NOVEMBER, Decimal("12.5"), 10)
    assert hot.consumption == Decimal("1.25")
    assert cold.status == Reading.Status.ACCEPTED
    assert cold.submitted_by == household.user
    assert UsageEvent.objects.filter(action="submit").count() == 1
    audit = AuditEvent.objects.get(action="housing.readings_submit")
    assert audit.data["readings"] == {str(cold.meter_id): "12.500", str(hot.meter_id): "11.250"}


def test_a_reading_of_the_3rd_belongs_to_the_previous_months_period(household):
    result = submit(
        household, {household.cold.pk: "11"}, now=datetime(2027, 1, 3, 23, 0, tzinfo=MOSCOW)
    )
    assert result.readings[0].period == date(2026, 12, 1)


def test_the_same_key_again_returns_the_first_result_and_writes_nothing(household):
    first = submit(household, {household.cold.pk: "12"}, key="double-click")
    again = submit(household, {household.cold.pk: "12,000"}, key="double-click")
    assert again.replayed
    assert again.use_id is None
    assert [reading.pk for reading in again.readings] == [reading.pk for reading in first.readings]
    assert Reading.objects.count() == 1
    assert Submission.objects.count() == 1
    assert UsageEvent.objects.filter(action="submit").count() == 1


def test_the_same_key_with_other_readings_is_a_conflict(household):
    submit(household, {household.cold.pk: "12"}, key="reused")
    error = refusal(lambda: submit(household, {household.cold.pk: "13"}, key="reused"))
    assert (error.code, status_of(error)) == ("idempotency_key_reused", 409)
    assert Reading.objects.get().value == 12


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("", "idempotency_key_required"),
        ("x" * 65, "idempotency_key_invalid"),
        ("ключ", "idempotency_key_invalid"),
    ],
)
def test_a_submission_needs_a_sane_idempotency_key(household, key, code):
    error = refusal(
        lambda: services.readings_submit(
            actor=household.user,
            premises_id=household.premises.pk,
            values={household.cold.pk: "12"},
            idempotency_key=key,
            channel="api",
            now=IN_WINDOW,
        )
    )
    assert error.code == code
    assert not Reading.objects.exists()


def test_sending_again_in_the_window_corrects_and_keeps_the_first_version(household):
    submit(household, {household.cold.pk: "12"})
    submit(household, {household.cold.pk: "12.7"})
    versions = list(Reading.objects.filter(meter=household.cold).order_by("id"))
    assert [(v.value, v.status) for v in versions] == [
        (Decimal("12"), Reading.Status.SUPERSEDED),
        (Decimal("12.7"), Reading.Status.ACCEPTED),
    ]
    assert versions[0].superseded_at is not None
    # A correction may go down to the previous period's value, not below it.
    submit(household, {household.cold.pk: "10"})
    assert Reading.objects.get(meter=household.cold, status="accepted").value == 10


def test_one_bad_meter_saves_nothing_and_names_every_bad_meter(household):
    third = MeterFactory(premises=household.premises, kind=Meter.Kind.HEAT, initial_value=0)
    error = refusal(
        lambda: submit(household, {household.cold.pk: "12", household.hot.pk: "9", third.pk: "abc"})
    )
    assert error.code == "reading_below_previous"
    assert error.field == f"readings.{household.hot.pk}"
    assert [(problem["meter_id"], problem["code"]) for problem in error.details["errors"]] == [
        (household.hot.pk, "reading_below_previous"),
        (third.pk, "value_not_a_number"),
    ]
    assert household.hot.serial in error.details["errors"][0]["meter"]
    assert not Reading.objects.exists()
    assert not Submission.objects.exists()


def test_a_failed_submission_frees_its_key(household):
    refusal(lambda: submit(household, {household.cold.pk: "1"}, key="retry-me"))
    assert submit(household, {household.cold.pk: "11"}, key="retry-me").readings


def test_another_persons_premises_is_not_found(household):
    stranger = PersonFactory().user
    with pytest.raises(NotFound):
        submit(household, {household.cold.pk: "12"}, actor=stranger)


def test_a_meter_of_another_premises_is_refused_by_name(household):
    elsewhere = MeterFactory()
    error = refusal(lambda: submit(household, {household.cold.pk: "12", elsewhere.pk: "12"}))
    assert error.details["errors"] == [
        {
            "meter_id": elsewhere.pk,
            "meter": None,
            "code": "meter_not_found",
            "message": "Такого счётчика в этом помещении нет.",
        }
    ]
    assert not Reading.objects.exists()


def test_outside_the_window_the_refusal_names_the_next_opening(household):
    error = refusal(lambda: submit(household, {household.cold.pk: "12"}, now=BETWEEN_WINDOWS))
    assert error.code == "window_closed"
    assert "15 декабря" in str(error.message)
    assert "3 января" in str(error.message)


def test_below_the_previous_periods_reading_is_refused(household):
    submit(household, {household.cold.pk: "15"}, now=OCTOBER_WINDOW)
    error = refusal(lambda: submit(household, {household.cold.pk: "14,999"}))
    assert error.code == "reading_below_previous"
    assert "15,000" in error.details["errors"][0]["message"]
    assert submit(household, {household.cold.pk: "15"}).readings[0].consumption == 0


def test_below_the_initial_reading_is_refused(household):
    assert refusal(lambda: submit(household, {household.cold.pk: "9.999"})).code == (
        "reading_below_previous"
    )


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"next_verification_on": date(2026, 11, 19)}, "verification_expired"),
        ({"commissioned_on": None}, "meter_not_commissioned"),
        ({"status": Meter.Status.FAILED, "retired_on": date(2026, 11, 1)}, "meter_not_active"),
    ],
)
def test_meters_that_cannot_take_readings_are_refused(household, changes, code):
    Meter.objects.filter(pk=household.cold.pk).update(**changes)
    assert refusal(lambda: submit(household, {household.cold.pk: "12"})).code == code


def test_the_verification_day_itself_still_accepts(household):
    Meter.objects.filter(pk=household.cold.pk).update(next_verification_on=date(2026, 11, 20))
    assert submit(household, {household.cold.pk: "12"}).readings


# --- Warnings -------------------------------------------------------------------------


def test_high_consumption_needs_confirmation_and_stays_flagged(household):
    # Two residents, one month since October's reading: the limit is 6.935 × 2 × 3 = 41.61.
    submit(household, {household.cold.pk: "20"}, now=OCTOBER_WINDOW)
    error = refusal(lambda: submit(household, {household.cold.pk: "61.611"}))
    assert error.code == "consumption_needs_confirmation"
    assert [warning["code"] for warning in error.details["warnings"]] == ["high_consumption"]
    assert Reading.objects.count() == 1
    assert submit(household, {household.cold.pk: "61.610"}).readings[0].warnings == []
    confirmed = submit(household, {household.cold.pk: "61.611"}, confirm=True).readings[0]
    assert confirmed.warnings == ["high_consumption"]
    assert confirmed.warnings_confirmed
    assert confirmed.needs_review


def test_an_impossible_reading_is_refused_and_passed_to_the_operator(household, operator):
    """The probe: 99 999 m³ against 20.6 was accepted with one checkbox."""
    submit(household, {household.cold.pk: "20.6"}, now=OCTOBER_WINDOW)
    values = {household.cold.pk: "99999", household.hot.pk: "12"}
    error = refusal(lambda: submit(household, values, confirm=True))
    assert (error.code, status_of(error)) == ("consumption_impossible", 422)
    assert error.field == f"readings.{household.cold.pk}"
    assert [problem["code"] for problem in error.details["errors"]] == ["consumption_impossible"]
    assert "передано оператору" in error.details["errors"][0]["message"]
    # All or nothing: the hot meter's good reading is not saved either.
    assert not Reading.objects.filter(period=NOVEMBER).exists()
    referral = ReadingReferral.objects.get()
    assert (referral.meter, referral.period, referral.status) == (
        household.cold,
        NOVEMBER,
        ReadingReferral.Status.OPEN,
    )
    # Two residents, one month: 2 × 100 m³.
    assert (referral.value, referral.previous_value, referral.limit) == (
        Decimal("99999"),
        Decimal("20.6"),
        Decimal(200),
    )
    # Sent again (or a digit fixed, still impossible): one referral, the newest value.
    refusal(lambda: submit(household, {household.cold.pk: "9999"}))
    assert ReadingReferral.objects.get().value == Decimal("9999")
    assert AuditEvent.objects.filter(action="housing.reading_refer").count() == 2

    closed = services.referral_close(actor=operator, referral_id=referral.pk)
    assert (closed.status, closed.closed_by) == (ReadingReferral.Status.CLOSED, operator)
    again = refusal(lambda: services.referral_close(actor=operator, referral_id=referral.pk))
    assert (again.code, status_of(again)) == ("referral_already_closed", 409)
    citizen = refusal(lambda: services.referral_close(actor=household.user, referral_id=1))
    assert citizen.code == "not_an_operator"


def test_an_unusual_but_possible_reading_is_only_a_warning(household):
    submit(household, {household.cold.pk: "20.6"}, now=OCTOBER_WINDOW)
    # 179.4 m³: above the warning's 41.61, within the bound of 200.
    error = refusal(lambda: submit(household, {household.cold.pk: "200"}))
    assert error.code == "consumption_needs_confirmation"
    message = error.details["warnings"][0]["message"].replace("\xa0", " ")
    assert message.startswith("Расход 179,4 м³ за 1 мес. — 1 293 % от нормы 13,9 м³")
    assert submit(household, {household.cold.pk: "200"}, confirm=True).readings
    assert not ReadingReferral.objects.exists()


def test_several_meters_of_one_kind_share_the_norm(household):
    second_cold = MeterFactory(premises=household.premises, kind=Meter.Kind.COLD_WATER)
    submit(household, {household.cold.pk: "20", second_cold.pk: "20"}, now=OCTOBER_WINDOW)
    submit(household, {household.cold.pk: "41"})  # 21 of 41.61
    error = refusal(lambda: submit(household, {second_cold.pk: "41"}))  # 42 in all
    assert error.code == "consumption_needs_confirmation"


def test_zero_consumption_three_periods_in_a_row_needs_confirmation(household):
    for month in (8, 9, 10):
        when = datetime(2026, month, 20, 12, 0, tzinfo=MOSCOW)
        submit(household, {household.cold.pk: "10"}, now=when, confirm=True)
    error = refusal(lambda: submit(household, {household.cold.pk: "10"}))
    assert [warning["code"] for warning in error.details["warnings"]] == ["zero_consumption"]


# --- After the window -----------------------------------------------------------------


def test_a_correction_of_the_open_period_is_a_new_submission_not_a_request(household):
    reading = submit(household, {household.cold.pk: "12"}).readings[0]
    error = refusal(
        lambda: corrections.correction_request_create(
            actor=household.user,
            reading_id=reading.pk,
            value="13",
            reason="опечатка",
            now=IN_WINDOW,
        )
    )
    assert error.code == "correction_window_open"


@pytest.fixture
def closed_reading(household):
    """October's reading, asked about in December (between windows)."""
    return submit(household, {household.cold.pk: "12"}, now=OCTOBER_WINDOW).readings[0]


def request_correction(household, reading, value="12.5", reason="перепутал цифры"):
    return corrections.correction_request_create(
        actor=household.user, reading_id=reading.pk, value=value, reason=reason, now=BETWEEN_WINDOWS
    )


def test_an_accepted_correction_adds_a_version_settled_in_the_next_period(
    household, closed_reading, operator
):
    request = request_correction(household, closed_reading)
    assert refusal(lambda: request_correction(household, closed_reading)).code == (
        "correction_already_requested"
    )
    decided = corrections.correction_request_decide(
        actor=operator, request_id=request.pk, accept=True, reason="сверено", now=BETWEEN_WINDOWS
    )
    assert decided.status == CorrectionRequest.Status.ACCEPTED
    assert decided.settled_period == date(2026, 12, 1)
    closed_reading.refresh_from_db()
    assert closed_reading.status == Reading.Status.SUPERSEDED
    assert decided.corrected_reading.value == Decimal("12.5")
    assert decided.corrected_reading.period == closed_reading.period
    again = refusal(
        lambda: corrections.correction_request_decide(
            actor=operator, request_id=request.pk, accept=False, reason="нет"
        )
    )
    assert again.code == "correction_already_decided"


def test_a_correction_cannot_break_the_series(household, closed_reading, operator):
    request = request_correction(household, closed_reading, value="9")
    error = refusal(
        lambda: corrections.correction_request_decide(
            actor=operator, request_id=request.pk, accept=True, reason="ок", now=BETWEEN_WINDOWS
        )
    )
    assert error.code == "correction_breaks_series"
    closed_reading.refresh_from_db()
    assert closed_reading.status == Reading.Status.ACCEPTED


def test_a_rejected_correction_keeps_the_reading(household, closed_reading, operator):
    request = request_correction(household, closed_reading)
    corrections.correction_request_decide(
        actor=operator, request_id=request.pk, accept=False, reason="фото не сходится"
    )
    closed_reading.refresh_from_db()
    assert closed_reading.status == Reading.Status.ACCEPTED
    assert CorrectionRequest.objects.get().decision_reason == "фото не сходится"


def test_only_an_operator_decides(household, closed_reading):
    request = request_correction(household, closed_reading)
    error = refusal(
        lambda: corrections.correction_request_decide(
            actor=household.user, request_id=request.pk, accept=True, reason="сам себе"
        )
    )
    assert (error.code, status_of(error)) == ("not_an_operator", 403)


@pytest.mark.parametrize(
    ("value", "reason", "code"),
    [
        ("12", "то же", "correction_same_value"),
        ("abc", "буквы", "value_not_a_number"),
        ("13", " ", "reason_required"),
    ],
)
def test_a_correction_request_is_checked(household, closed_reading, value, reason, code):
    error = refusal(lambda: request_correction(household, closed_reading, value, reason))
    assert error.code == code
    assert not CorrectionRequest.objects.exists()


# --- Operators ------------------------------------------------------------------------


def test_an_operator_rejects_a_flagged_reading_with_a_reason(household, operator):
    submit(household, {household.cold.pk: "20"}, now=OCTOBER_WINDOW)
    reading = submit(household, {household.cold.pk: "99"}, confirm=True).readings[0]
    assert reading.needs_review
    assert (
        refusal(
            lambda: services.reading_review(actor=operator, reading_id=reading.pk, reject=True)
        ).code
        == "reason_required"
    )
    services.reading_review(actor=operator, reading_id=reading.pk, reject=True, reason="опечатка")
    reading.refresh_from_db()
    assert (reading.status, reading.rejection_reason) == (Reading.Status.REJECTED, "опечатка")
    assert (
        refusal(
            lambda: services.reading_review(actor=operator, reading_id=reading.pk, reject=False)
        ).code
        == "reading_already_reviewed"
    )


def test_a_replaced_meter_starts_a_new_series(household, operator):
    submit(household, {household.cold.pk: "55"}, now=OCTOBER_WINDOW)
    new = services.meter_replace(
        actor=operator,
        meter_id=household.cold.pk,
        serial="NEW-1",
        initial_value=Decimal("0.5"),
        installed_on=date(2026, 11, 2),
        commissioned_on=date(2026, 11, 3),
        next_verification_on=date(2032, 11, 2),
    )
    household.cold.refresh_from_db()
    assert household.cold.status == Meter.Status.REPLACED
    assert new.replaces == household.cold
    assert refusal(lambda: submit(household, {household.cold.pk: "60"})).code == "meter_not_active"
    reading = submit(household, {new.pk: "1.5"}).readings[0]
    assert (reading.previous_value, reading.consumption) == (Decimal("0.5"), Decimal("1"))


# --- Reminders ------------------------------------------------------------------------


def test_reminders_go_to_people_with_meters_lacking_a_reading_once(household):
    done = PremisesLinkFactory()
    MeterFactory(premises=done.premises)
    opening_day = datetime(2026, 11, 15, 9, 0, tzinfo=MOSCOW)
    services.readings_submit(
        actor=done.person.user,
        premises_id=done.premises.pk,
        values={done.premises.meters.get().pk: "11"},
        idempotency_key="done",
        channel="web",
        now=opening_day,
    )
    sent = reminders.window_reminders_send(now=opening_day)
    assert (sent.topic, sent.messages) == ("housing.window_open", 1)
    message = Message.objects.get()
    assert message.person.user == household.user
    assert "ноябрь 2026" in message.body
    assert "3 декабря" in message.body
    assert reminders.window_reminders_send(now=opening_day + timedelta(hours=1)).messages == 0
    closing = reminders.window_reminders_send(now=datetime(2026, 12, 1, 9, 0, tzinfo=MOSCOW))
    assert (closing.topic, closing.messages) == ("housing.window_closing", 1)
    assert reminders.window_reminders_send(now=BETWEEN_WINDOWS).topic is None


def test_a_flagged_reading_of_a_billed_period_is_kept_not_rejected(household, operator):
    submit(household, {household.cold.pk: "20"}, now=OCTOBER_WINDOW.replace(month=9))
    october = submit(household, {household.cold.pk: "99"}, now=OCTOBER_WINDOW, confirm=True)
    reading = october.readings[0]
    assert reading.needs_review
    error = refusal(
        lambda: services.reading_review(
            actor=operator, reading_id=reading.pk, reject=True, reason="поздно", now=IN_WINDOW
        )
    )
    assert (error.code, status_of(error)) == ("reading_period_billed", 409)
    kept = services.reading_review(actor=operator, reading_id=reading.pk, reject=False)
    assert (kept.status, kept.reviewed_at is not None) == (Reading.Status.ACCEPTED, True)


# --- The doors' one-call services ----------------------------------------------------


def test_a_meter_named_twice_in_a_submission_is_refused():
    assert services.readings_by_meter([(1, "12"), (2, "7")]) == {1: "12", 2: "7"}
    error = refusal(lambda: services.readings_by_meter([(1, "12"), (1, "13")]))
    assert (error.code, status_of(error), error.field) == ("duplicate_meter", 422, "readings.1")


def test_an_operators_look_up_of_premises_is_audited(household, operator):
    card = services.premises_look_up(actor=operator, payer_code=household.premises.payer_code)
    assert card.premises == household.premises
    assert [link.person.user for link in card.links] == [household.user]
    assert {meter for meter, _history in card.meters} == {household.cold, household.hot}
    audit = AuditEvent.objects.get(action="housing.premises_view")
    assert (audit.actor, audit.target_id) == (operator, str(household.premises.pk))


def test_a_look_up_that_finds_nothing_records_nothing(operator):
    assert services.premises_look_up(actor=operator, payer_code="0000000000") is None
    assert not AuditEvent.objects.filter(action="housing.premises_view").exists()


def test_only_operators_look_premises_up_or_take_the_export(household):
    for call in (
        lambda: services.premises_look_up(
            actor=household.user, payer_code=household.premises.payer_code
        ),
        lambda: services.billing_export_take(actor=household.user, period=NOVEMBER),
    ):
        error = refusal(call)
        assert (error.code, status_of(error)) == ("not_an_operator", 403)
    assert not AuditEvent.objects.filter(
        action__in=["housing.premises_view", "housing.billing_export"]
    ).exists()


def test_taking_the_billing_export_is_audited(household, operator):
    export = services.billing_export_take(actor=operator, period=NOVEMBER)
    assert export.period == NOVEMBER
    audit = AuditEvent.objects.get(action="housing.billing_export")
    assert (audit.actor, audit.data) == (operator, {"period": "2026-11"})
