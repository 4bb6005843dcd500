"""Each booking rule alone: every test here fails when its rule is taken out."""

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gorod.appointments import rules

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=MOSCOW)
TODAY = NOW.date()
POLICY = rules.BookingPolicy(
    horizon_days=14,
    direct_specialties=frozenset({"therapist", "pediatrician"}),
)
SLOT = rules.SlotFacts(
    start=datetime(2026, 11, 26, 10, 0, tzinfo=MOSCOW),
    end=datetime(2026, 11, 26, 10, 15, tzinfo=MOSCOW),
    status=rules.FREE,
    online=True,
    organisation_id=1,
    specialty_id=10,
    specialty_code="therapist",
    specialty_patients=rules.ADULTS,
)
ADULT = rules.PatientFacts(age=40, attached_organisation_id=1)


def refusal_of(slot=SLOT, patient=ADULT, **options):
    arguments = {
        "held": [],
        "referral": None,
        "no_shows_in_year": 0,
        "now": NOW,
        "today": TODAY,
        "policy": POLICY,
    }
    arguments.update(options)
    refusal = rules.booking_refusal(slot, patient, **arguments)
    return refusal.code if refusal else None


def test_a_free_slot_of_the_attached_clinic_is_bookable():
    assert refusal_of() is None


@pytest.mark.parametrize("status", ["busy", "busy-unavailable", "busy-tentative"])
def test_a_slot_that_is_not_free_is_taken(status):
    assert refusal_of(replace(SLOT, status=status)) == "slot_taken"


def test_a_registry_only_slot_is_refused_online_and_given_by_the_registry():
    registry_only = replace(SLOT, online=False)
    assert refusal_of(registry_only) == "slot_registry_only"
    assert refusal_of(registry_only, by_registry=True) is None


def test_a_slot_in_the_past_is_refused():
    assert refusal_of(now=SLOT.start) == "slot_in_past"
    assert refusal_of(now=SLOT.start - timedelta(minutes=1)) is None


def test_minimum_notice_is_kept_when_set():
    soon = replace(POLICY, min_notice_minutes=120)
    assert refusal_of(now=SLOT.start - timedelta(minutes=119), policy=soon) == "too_late_to_book"
    assert refusal_of(now=SLOT.start - timedelta(minutes=120), policy=soon) is None


def test_the_horizon_opens_a_new_day_at_eight():
    last = datetime(2026, 12, 9, 10, 0, tzinfo=MOSCOW)
    at_the_edge = replace(SLOT, start=last, end=last + timedelta(minutes=15))
    before_eight = datetime(2026, 11, 25, 7, 59, tzinfo=MOSCOW)
    assert refusal_of(at_the_edge, now=before_eight) == "outside_horizon"
    assert refusal_of(at_the_edge, now=before_eight + timedelta(minutes=1)) is None
    a_day_further = replace(
        at_the_edge, start=last + timedelta(days=1), end=last + timedelta(days=1, minutes=15)
    )
    assert refusal_of(a_day_further) == "outside_horizon"


def test_the_horizon_counts_the_city_s_days_not_utc():
    # 00:30 in Moscow on 10 December is still 9 December in UTC.
    after_midnight = datetime(2026, 12, 10, 0, 30, tzinfo=MOSCOW)
    slot = replace(SLOT, start=after_midnight, end=after_midnight + timedelta(minutes=15))
    assert refusal_of(slot) == "outside_horizon"


@given(st.times(), st.integers(min_value=1, max_value=60))
def test_the_last_open_day_moves_only_at_opening(moment, horizon):
    policy = replace(POLICY, horizon_days=horizon)
    now = datetime.combine(TODAY, moment, tzinfo=MOSCOW)
    opened = moment >= policy.day_opens_at
    assert rules.last_open_day(now, policy) == TODAY + timedelta(days=horizon - (not opened))


def test_booking_is_only_at_the_attached_clinic():
    assert refusal_of(patient=replace(ADULT, attached_organisation_id=2)) == "not_attached"
    assert refusal_of(patient=replace(ADULT, attached_organisation_id=None)) == "not_attached"


def test_a_paediatrician_sees_children_and_a_therapist_adults():
    pediatrician = replace(SLOT, specialty_patients=rules.CHILDREN, specialty_code="pediatrician")
    child = replace(ADULT, age=7)
    assert refusal_of(pediatrician, child) is None
    assert refusal_of(pediatrician, ADULT) == "specialty_not_for_patient"
    assert refusal_of(SLOT, child) == "specialty_not_for_patient"
    assert refusal_of(replace(SLOT, specialty_patients=rules.ALL_PATIENTS), child) is None


def test_a_gynaecologist_sees_women_and_girls_only():
    """Issue 13, item 15: a boy was offered an obstetrician-gynaecologist."""
    gynaecologist = replace(SLOT, specialty_patients=rules.ALL_PATIENTS, specialty_sex=rules.FEMALE)
    assert refusal_of(gynaecologist, replace(ADULT, sex=rules.FEMALE)) is None
    assert refusal_of(gynaecologist, replace(ADULT, age=11, sex=rules.FEMALE)) is None
    assert refusal_of(gynaecologist, replace(ADULT, age=11, sex=rules.MALE)) == (
        "specialty_not_for_patient"
    )
    # The portal cannot tell a patient of unknown sex: the clinic decides, not a refusal.
    assert refusal_of(gynaecologist, replace(ADULT, sex="")) is None


@pytest.mark.parametrize(
    ("patients", "specialty_sex", "age", "sex", "fits"),
    [
        (rules.CHILDREN, "", 11, rules.MALE, True),
        (rules.CHILDREN, "", 18, rules.MALE, False),
        (rules.ADULTS, "", 17, rules.FEMALE, False),
        (rules.ADULTS, "", 18, rules.FEMALE, True),
        (rules.ALL_PATIENTS, rules.FEMALE, 11, rules.MALE, False),
        (rules.ALL_PATIENTS, rules.FEMALE, 40, rules.FEMALE, True),
        (rules.ALL_PATIENTS, rules.MALE, 40, rules.FEMALE, False),
        (rules.ALL_PATIENTS, "", 40, "", True),
    ],
)
def test_fits_patient(patients, specialty_sex, age, sex, fits):
    assert rules.fits_patient(patients, specialty_sex, age=age, sex=sex) is fits
    refusal = rules.audience_refusal(patients, age, specialty_sex=specialty_sex, sex=sex)
    assert (refusal is None) is fits


def test_the_no_show_block_is_off_by_default_and_spares_the_registry():
    assert refusal_of(no_shows_in_year=10) is None
    strict = replace(POLICY, no_show_limit=2)
    assert refusal_of(no_shows_in_year=1, policy=strict) is None
    assert refusal_of(no_shows_in_year=2, policy=strict) == "booking_blocked"
    assert refusal_of(no_shows_in_year=2, policy=strict, by_registry=True) is None


CARDIOLOGY = replace(SLOT, specialty_id=20, specialty_code="cardiologist", specialty_patients="all")
REFERRAL = rules.ReferralFacts(specialty_id=20, valid_until=date(2026, 12, 31), in_use=False)


def test_a_specialty_off_the_direct_list_needs_a_referral():
    assert refusal_of(CARDIOLOGY) == "referral_required"
    assert refusal_of(CARDIOLOGY, referral=REFERRAL) is None


def test_the_direct_list_is_the_city_s_setting():
    assert (
        refusal_of(CARDIOLOGY, policy=replace(POLICY, direct_specialties={"cardiologist"})) is None
    )


def test_a_referral_must_be_to_that_specialty_valid_and_unused():
    assert (
        refusal_of(CARDIOLOGY, referral=replace(REFERRAL, specialty_id=30))
        == "referral_wrong_specialty"
    )
    assert (
        refusal_of(CARDIOLOGY, referral=replace(REFERRAL, valid_until=TODAY - timedelta(days=1)))
        == "referral_expired"
    )
    assert refusal_of(CARDIOLOGY, referral=replace(REFERRAL, valid_until=TODAY)) is None
    assert refusal_of(CARDIOLOGY, referral=replace(REFERRAL, in_use=True)) == "referral_used"


def held(start_hour, start_minute=0, *, minutes=15, specialty_id=99, id=1):
    start = datetime(2026, 11, 26, start_hour, start_minute, tzinfo=MOSCOW)
    return rules.HeldAppointment(
        id=id, start=start, end=start + timedelta(minutes=minutes), specialty_id=specialty_id
    )


def test_one_booked_appointment_per_specialty():
    other_day = held(15, specialty_id=SLOT.specialty_id)
    assert refusal_of(held=[other_day]) == "specialty_already_booked"
    assert refusal_of(held=[other_day], policy=replace(POLICY, one_per_specialty=False)) is None


def test_a_reschedule_replaces_its_own_appointment():
    own = held(15, specialty_id=SLOT.specialty_id, id=7)
    assert refusal_of(held=[own], replacing=7) is None


@pytest.mark.parametrize(
    ("hour", "minute", "overlaps"),
    [(9, 45, False), (9, 50, True), (10, 0, True), (10, 14, True), (10, 15, False)],
)
def test_no_two_appointments_of_one_person_overlap(hour, minute, overlaps):
    other = held(hour, minute)
    assert refusal_of(held=[other]) == ("overlapping_appointment" if overlaps else None)


def test_cancel_until_the_start_and_only_when_booked():
    start = SLOT.start
    assert (
        rules.cancel_refusal(status="booked", start=start, now=start - timedelta(seconds=1)) is None
    )
    assert (
        rules.cancel_refusal(status="booked", start=start, now=start).code == "appointment_started"
    )
    assert rules.cancel_refusal(status="cancelled", start=start, now=NOW).code == "not_cancellable"


def test_the_registry_s_status_changes():
    assert rules.transition_refusal("booked", "arrived") is None
    assert rules.transition_refusal("arrived", "fulfilled") is None
    assert rules.transition_refusal("noshow", "arrived") is None
    assert rules.transition_refusal("cancelled", "arrived").code == "status_change_not_allowed"
    assert rules.transition_refusal("fulfilled", "booked").code == "status_change_not_allowed"


def test_the_registry_marks_a_visit_on_its_day_and_a_no_show_once_it_started():
    start = SLOT.start  # tomorrow 10:00

    def mark(target, now):
        refusal = rules.mark_refusal(current="booked", target=target, start=start, now=now)
        return refusal.code if refusal else None

    assert mark("arrived", NOW) == "visit_in_future"
    assert mark("fulfilled", NOW) == "visit_in_future"
    assert mark("arrived", start - timedelta(hours=2)) is None
    assert mark("noshow", start - timedelta(minutes=1)) == "visit_not_started"
    assert mark("noshow", start) is None
    assert mark("booked", start) == "status_change_not_allowed"


def test_a_no_show_is_due_after_the_end_and_the_grace():
    grace = timedelta(minutes=60)
    assert not rules.no_show_due(
        end=SLOT.end, now=SLOT.end + grace - timedelta(seconds=1), grace=grace
    )
    assert rules.no_show_due(end=SLOT.end, now=SLOT.end + grace, grace=grace)


@pytest.mark.parametrize(
    ("booked_before", "now_before", "due"),
    [
        (timedelta(days=3), timedelta(hours=25), None),
        (timedelta(days=3), timedelta(hours=24), 24),
        (timedelta(days=3), timedelta(hours=3), 24),
        (timedelta(days=3), timedelta(hours=2), 2),
        (timedelta(days=3), timedelta(minutes=1), 2),
        (timedelta(days=3), timedelta(0), None),
        # Booked for tomorrow morning: no "tomorrow" reminder, the 2-hour one still comes.
        (timedelta(hours=20), timedelta(hours=19), None),
        (timedelta(hours=20), timedelta(hours=2), 2),
    ],
)
def test_reminders_24_and_2_hours_before(booked_before, now_before, due):
    start = SLOT.start
    assert (
        rules.reminders_due(
            start=start,
            booked_at=start - booked_before,
            now=start - now_before,
            hours_before=(24, 2),
        )
        == due
    )


PATTERN = rules.WorkingPattern(
    weekdays=frozenset({1, 3, 5}),
    day_start=time(8, 0),
    day_end=time(12, 0),
    break_start=time(10, 0),
    break_end=time(10, 30),
    slot_minutes=15,
    online_percent=100,
    valid_from=date(2026, 11, 1),
    valid_until=date(2026, 12, 31),
)
WEDNESDAY = date(2026, 11, 25)


def test_slots_fill_the_day_around_the_break():
    slots = rules.slots_of_day(PATTERN, WEDNESDAY, MOSCOW)
    starts = [slot.start.strftime("%H:%M") for slot in slots]
    assert starts[:8] == ["08:00", "08:15", "08:30", "08:45", "09:00", "09:15", "09:30", "09:45"]
    assert starts[8:] == ["10:30", "10:45", "11:00", "11:15", "11:30", "11:45"]
    assert all(slot.start.tzinfo == MOSCOW for slot in slots)


def test_only_whole_slots_fit():
    long_visits = replace(PATTERN, slot_minutes=26, break_start=None, break_end=None)
    slots = rules.slots_of_day(long_visits, WEDNESDAY, MOSCOW)
    assert len(slots) == 9  # 240 minutes hold nine 26-minute visits
    assert slots[-1].end <= datetime.combine(WEDNESDAY, time(12), tzinfo=MOSCOW)


def test_no_slots_on_days_off_or_outside_validity():
    assert rules.slots_of_day(PATTERN, date(2026, 11, 24), MOSCOW) == []  # Tuesday
    assert rules.slots_of_day(PATTERN, date(2027, 1, 1), MOSCOW) == []
    assert (
        rules.slots_of_day(replace(PATTERN, valid_from=date(2026, 11, 26)), WEDNESDAY, MOSCOW) == []
    )


@given(st.integers(min_value=0, max_value=100))
def test_the_portal_quota_is_spread_through_the_day(percent):
    slots = rules.slots_of_day(replace(PATTERN, online_percent=percent), WEDNESDAY, MOSCOW)
    online = sum(slot.online for slot in slots)
    assert online == len(slots) * percent // 100
    # Never a run of registry-only slots longer than the share demands.
    if percent > 0:
        longest = max(
            len(run) for run in "".join("x" if s.online else "." for s in slots).split("x")
        )
        assert longest <= 100 // percent
