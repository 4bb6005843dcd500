from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gorod.accounts.roles import sync_roles
from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.appointments.models import Absence, Appointment, Slot
from gorod.appointments.services import booking
from gorod.appointments.services.scheduling import absence_add, schedule_save, slots_open
from gorod.appointments.tests.factories import ScheduleFactory
from gorod.appointments.tests.fixtures import MOSCOW, NOW, ensure_specialties, make_slots
from gorod.clinics.models import RegistrarPost
from gorod.clinics.tests.factories import (
    AttachmentFactory,
    LocationFactory,
    OrganisationFactory,
    RoleFactory,
    specialty,
)
from gorod.core.errors import DomainError
from gorod.core.models import AuditEvent
from gorod.core.problems import status_of
from gorod.core.tests.races import race
from gorod.notifications.models import Message


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=MOSCOW)


def make_registrar(organisation):
    user = UserFactory(password=None)
    user.groups.add(Group.objects.get(name="registrar"))
    RegistrarPost.objects.create(user=user, organisation=organisation)
    return user


@pytest.fixture
def registrar(clinic):
    return make_registrar(clinic.organisation)


def mornings(role, **pattern):
    """Mondays and Wednesdays 08:00–10:00 with a break 09:00–09:30, 15-minute slots."""
    fields = {
        "weekdays": "1,3",
        "day_start": time(8),
        "day_end": time(10),
        "break_start": time(9),
        "break_end": time(9, 30),
        "slot_minutes": 15,
    }
    return ScheduleFactory(role=role, **{**fields, **pattern})


@pytest.fixture
def eye_doctor(clinic):
    return RoleFactory(location=clinic.therapist.location, specialty=specialty("ophthalmologist"))


def role_slots(role):
    return Slot.objects.filter(role=role).order_by("start")


def test_slots_follow_the_weekdays_the_break_and_skip_the_past(eye_doctor):
    mornings(eye_doctor)

    opened = slots_open(now=NOW, role_ids=[eye_doctor.pk])

    # Today (Wednesday, 09:00): only after the break; then Mondays and Wednesdays to
    # 10 December, the day after the last open one.
    assert opened.through == date(2026, 12, 10)
    assert (opened.roles, opened.created, opened.reopened) == (1, 26, 0)
    starts = [slot.start.astimezone(MOSCOW) for slot in role_slots(eye_doctor)]
    assert starts[:2] == [at(25, 9, 30), at(25, 9, 45)]
    assert starts[2:8] == [
        at(30, h, m) for h, m in ((8, 0), (8, 15), (8, 30), (8, 45), (9, 30), (9, 45))
    ]
    assert {start.isoweekday() for start in starts} == {1, 3}
    slot = role_slots(eye_doctor)[2]
    assert (slot.end - slot.start, slot.status) == (timedelta(minutes=15), Slot.Status.FREE)
    assert (slot.organisation_id, slot.specialty_id) == (
        eye_doctor.organisation_id,
        eye_doctor.specialty_id,
    )


def test_times_are_the_citys_local_times(eye_doctor):
    mornings(eye_doctor)
    slots_open(now=NOW, role_ids=[eye_doctor.pk])
    # 08:00 in Moscow (UTC+3 all year) is 05:00 UTC.
    assert role_slots(eye_doctor).filter(start=datetime(2026, 11, 30, 5, 0, tzinfo=UTC)).exists()


def test_a_schedule_ends_on_its_last_valid_day(eye_doctor):
    mornings(eye_doctor, valid_until=date(2026, 12, 2))
    assert slots_open(now=NOW, role_ids=[eye_doctor.pk]).created == 2 + 6 + 6


def test_a_schedule_starting_later_starts_there(eye_doctor):
    mornings(eye_doctor, valid_from=date(2026, 12, 7))
    assert slots_open(now=NOW, role_ids=[eye_doctor.pk]).created == 6 + 6


def test_the_portal_quota_is_spread_through_the_day(eye_doctor):
    mornings(eye_doctor, online_percent=50)
    slots_open(now=NOW, role_ids=[eye_doctor.pk])
    monday = [slot.online for slot in role_slots(eye_doctor).filter(start__date=date(2026, 11, 30))]
    assert monday == [False, True, False, True, False, True]


def test_a_second_run_adds_nothing(eye_doctor):
    mornings(eye_doctor)
    slots_open(now=NOW, role_ids=[eye_doctor.pk])
    again = slots_open(now=NOW, role_ids=[eye_doctor.pk])
    assert (again.created, again.reopened) == (0, 0)
    assert role_slots(eye_doctor).count() == 26


def test_the_next_day_opens_up_as_time_goes_by(eye_doctor):
    mornings(eye_doctor, weekdays="1,2,3,4,5")
    slots_open(now=NOW, role_ids=[eye_doctor.pk])
    later = slots_open(now=NOW + timedelta(days=1), role_ids=[eye_doctor.pk])
    assert later.through == date(2026, 12, 11)
    assert later.created == 6  # Friday 11 December


def test_no_slots_in_the_doctors_absence(eye_doctor):
    mornings(eye_doctor)
    Absence.objects.create(
        role=eye_doctor, starts_at=at(2, 8, month=12), ends_at=at(2, 9, month=12), reason="учёба"
    )
    assert slots_open(now=NOW, role_ids=[eye_doctor.pk]).created == 26 - 4
    assert not role_slots(eye_doctor).filter(start__date=date(2026, 12, 2), start__hour=5).exists()


def test_a_slot_partly_in_an_absence_is_not_made(eye_doctor):
    mornings(eye_doctor)
    Absence.objects.create(
        role=eye_doctor,
        starts_at=at(30, 8, 50),
        ends_at=at(30, 9, 40),
        reason="совещание",
    )
    slots_open(now=NOW, role_ids=[eye_doctor.pk])
    monday = [
        s.start.astimezone(MOSCOW)
        for s in role_slots(eye_doctor).filter(start__date=date(2026, 11, 30))
    ]
    assert monday == [at(30, 8), at(30, 8, 15), at(30, 8, 30), at(30, 9, 45)]


def test_slots_do_not_overlap_a_slot_already_there(eye_doctor):
    schedule = mornings(eye_doctor)
    make_slots(schedule, at(30, 8, 5), 1)
    slots_open(now=NOW, role_ids=[eye_doctor.pk])
    monday = [
        s.start.astimezone(MOSCOW)
        for s in role_slots(eye_doctor).filter(start__date=date(2026, 11, 30))
    ]
    assert monday == [at(30, 8, 5), at(30, 8, 30), at(30, 8, 45), at(30, 9, 30), at(30, 9, 45)]


def test_a_closed_slot_the_schedule_gives_again_reopens(eye_doctor):
    mornings(eye_doctor)
    slots_open(now=NOW, role_ids=[eye_doctor.pk])
    slot = role_slots(eye_doctor)[3]
    Slot.objects.filter(pk=slot.pk).update(status=Slot.Status.BUSY_UNAVAILABLE)
    Slot.objects.filter(pk=role_slots(eye_doctor)[4].pk).update(status=Slot.Status.ENTERED_IN_ERROR)

    again = slots_open(now=NOW, role_ids=[eye_doctor.pk])

    assert (again.created, again.reopened) == (0, 1)
    slot.refresh_from_db()
    assert slot.status == Slot.Status.FREE
    assert role_slots(eye_doctor)[4].status == Slot.Status.ENTERED_IN_ERROR


def test_inactive_doctors_and_clinics_get_no_slots(clinic, eye_doctor):
    mornings(eye_doctor)
    eye_doctor.active = False
    eye_doctor.save()
    assert slots_open(now=NOW, role_ids=[eye_doctor.pk]).roles == 0
    eye_doctor.active = True
    eye_doctor.save()
    clinic.organisation.active = False
    clinic.organisation.save()
    assert slots_open(now=NOW, role_ids=[eye_doctor.pk]).created == 0


def test_the_query_count_does_not_grow_with_doctors(clinic):
    def run(count: int) -> tuple[int, int]:
        roles = [RoleFactory(location=clinic.therapist.location) for _ in range(count)]
        for role in roles:
            ScheduleFactory(role=role)
        with CaptureQueriesContext(connection) as queries:
            opened = slots_open(now=NOW, role_ids=[role.pk for role in roles])
        assert opened.created == count * 523
        inserts = [q for q in queries if q["sql"].startswith("INSERT")]
        return len(queries) - len(inserts), len(inserts)

    one, _inserts = run(1)
    five, inserts = run(5)
    assert one == five <= 7
    # Inserts come in batches as large as the database takes (999 parameters on SQLite).
    assert inserts <= 5 * 523 // 100


def test_progress_is_reported_per_batch(eye_doctor, monkeypatch):
    monkeypatch.setattr("gorod.appointments.services.scheduling.ROLES_PER_BATCH", 1)
    other = RoleFactory(location=eye_doctor.location)
    mornings(eye_doctor)
    mornings(other)
    seen = []
    slots_open(now=NOW, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]  # the clinic's therapist and these two


PATTERN = {
    "valid_from": date(2026, 11, 1),
    "weekdays": [1, 3],
    "day_start": time(8),
    "day_end": time(10),
    "break_start": time(9),
    "break_end": time(9, 30),
}


def test_a_registrar_creates_a_schedule_and_its_slots_open(registrar, eye_doctor):
    saved = schedule_save(actor=registrar, role_id=eye_doctor.pk, now=NOW, **PATTERN)

    assert saved.created
    schedule = saved.schedule
    # The ophthalmologist's federal norm: 14 minutes (08:00–09:00 gives four).
    assert (schedule.weekdays, schedule.slot_minutes) == ("1,3", 14)
    assert saved.opened.created == role_slots(eye_doctor).count() > 0
    event = AuditEvent.objects.get(action="health.schedule_create")
    assert event.actor == registrar
    assert event.data["changes"]["day_end"] == [None, "10:00:00"]


def test_only_the_clinics_registrar_edits_its_schedules(clinic, eye_doctor):
    stranger = make_registrar(OrganisationFactory())
    with pytest.raises(DomainError) as refusal:
        schedule_save(actor=stranger, role_id=eye_doctor.pk, now=NOW, **PATTERN)
    assert (refusal.value.code, status_of(refusal.value)) == ("not_a_registrar", 403)
    citizen = clinic.patient.user
    with pytest.raises(DomainError) as refusal:
        schedule_save(actor=citizen, role_id=eye_doctor.pk, now=NOW, **PATTERN)
    assert refusal.value.code == "not_a_registrar"
    with pytest.raises(DomainError) as refusal:
        schedule_save(actor=stranger, role_id=10**9, now=NOW, **PATTERN)
    assert (refusal.value.code, status_of(refusal.value)) == ("role_not_found", 404)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weekdays": []}, "weekdays"),
        ({"weekdays": [0, 8]}, "weekdays"),
        ({"day_end": time(8)}, "day_end"),
        ({"break_start": time(7), "break_end": time(9)}, "break_start"),
        ({"break_end": None}, "break_end"),
        ({"slot_minutes": 3}, "slot_minutes"),
        ({"day_end": time(8, 10), "break_start": None, "break_end": None}, "slot_minutes"),
        ({"online_percent": 101}, "online_percent"),
        ({"valid_until": date(2026, 10, 1)}, "valid_until"),
    ],
)
def test_a_schedule_that_cannot_work_is_refused_at_its_field(registrar, eye_doctor, change, field):
    with pytest.raises(DomainError) as refusal:
        schedule_save(actor=registrar, role_id=eye_doctor.pk, now=NOW, **{**PATTERN, **change})
    assert (refusal.value.code, refusal.value.field) == ("schedule_invalid", field)
    assert not Slot.objects.filter(role=eye_doctor).exists()


def test_two_schedules_may_not_claim_the_same_hours(registrar, clinic):
    with pytest.raises(DomainError) as refusal:
        schedule_save(actor=registrar, role_id=clinic.therapist.pk, now=NOW, **PATTERN)
    assert (refusal.value.code, status_of(refusal.value)) == ("schedule_overlap", 409)
    saturday = {**PATTERN, "weekdays": [6]}
    assert schedule_save(actor=registrar, role_id=clinic.therapist.pk, now=NOW, **saturday).created


def test_a_schedule_of_another_doctor_is_not_found(registrar, clinic, eye_doctor):
    with pytest.raises(DomainError) as refusal:
        schedule_save(
            actor=registrar,
            role_id=eye_doctor.pk,
            schedule_id=clinic.schedule.pk,
            now=NOW,
            **PATTERN,
        )
    assert (refusal.value.code, status_of(refusal.value)) == ("schedule_not_found", 404)


def therapist_pattern(clinic, **change):
    schedule = clinic.schedule
    fields = {
        name: getattr(schedule, name)
        for name in ("valid_from", "valid_until", "day_start", "day_end", "break_start")
    }
    fields |= {"break_end": schedule.break_end, "weekdays": schedule.weekdays}
    return {**fields, **change}


def change_therapist(registrar, clinic, **change):
    return schedule_save(
        actor=registrar,
        role_id=clinic.therapist.pk,
        schedule_id=clinic.schedule.pk,
        now=NOW,
        **therapist_pattern(clinic, **change),
    )


def book(person, slot, *, actor=None):
    return booking.appointment_book(
        actor=actor or person.user, person_id=person.pk, slot_id=slot.pk, channel="web", now=NOW
    ).appointment


@pytest.fixture
def neighbour(clinic):
    person = PersonFactory(user__password=None)
    AttachmentFactory(person=person, organisation=clinic.organisation)
    return person


def test_a_shorter_day_cancels_the_visits_after_it_and_tells_the_patient(
    registrar, clinic, neighbour
):
    kept = book(clinic.patient, clinic.slots[0])  # 10:00 tomorrow
    lost = book(neighbour, clinic.slots[4])  # 11:00 tomorrow

    saved = change_therapist(registrar, clinic, day_end=time(11), break_start=None, break_end=None)

    assert saved.cancelled == [lost.pk]
    assert saved.closed == 3  # 11:15, 11:30, 11:45
    lost.refresh_from_db()
    kept.refresh_from_db()
    assert (lost.status, lost.cancellation_reason) == ("cancelled", "schedule_changed")
    assert lost.cancelled_by == registrar
    assert kept.status == Appointment.Status.BOOKED
    statuses = [slot.status for slot in Slot.objects.filter(pk__in=[s.pk for s in clinic.slots])]
    assert statuses == ["busy"] + ["free"] * 3 + ["busy-unavailable"] * 4
    # The new pattern's slots opened: tomorrow from 08:00 up to 11:00.
    tomorrow = role_slots(clinic.therapist).filter(start__date=date(2026, 11, 26))
    assert tomorrow.filter(status="free").first().start == at(26, 8)
    open_now = role_slots(clinic.therapist).exclude(status="busy-unavailable")
    assert max(slot.end.astimezone(MOSCOW).time() for slot in open_now) == time(11)

    message = Message.objects.get(person=neighbour)
    assert message.key == f"health.appointment_cancelled:{lost.pk}:{neighbour.pk}"
    assert "изменилось расписание" in message.body
    assert "26.11.2026 11:00" in message.body
    # The nearest free ones after the lost time: Friday morning.
    assert "27.11.2026 08:00" in message.body
    assert message.link == reverse("health:appointments")
    assert not Message.objects.filter(person=clinic.patient).exists()
    event = AuditEvent.objects.get(action="health.schedule_change")
    assert event.data["changes"] == {
        "day_end": ["20:00:00", "11:00:00"],
        "break_start": ["13:00:00", None],
        "break_end": ["14:00:00", None],
    }
    assert event.data["cancelled"] == [lost.pk]


def test_a_new_slot_length_keeps_visits_the_doctor_still_works_at(registrar, clinic):
    kept = book(clinic.patient, clinic.slots[0])  # 10:00–10:15 tomorrow

    saved = change_therapist(registrar, clinic, slot_minutes=20)

    assert saved.cancelled == []
    kept.refresh_from_db()
    assert kept.status == Appointment.Status.BOOKED
    tomorrow = [
        (slot.start.astimezone(MOSCOW).time(), slot.end - slot.start, slot.status)
        for slot in role_slots(clinic.therapist).filter(
            start__gte=at(26, 9, 40), start__lt=at(26, 11, 30)
        )
    ]
    twenty = timedelta(minutes=20)
    assert tomorrow == [
        (time(9, 40), twenty, "free"),
        (time(10), timedelta(minutes=15), "busy"),  # the 10:00 slot of the new grid yields
        (time(10, 15), timedelta(minutes=15), "busy-unavailable"),
        (time(10, 20), twenty, "free"),
        (time(10, 30), timedelta(minutes=15), "busy-unavailable"),
        (time(10, 40), twenty, "free"),
        (time(10, 45), timedelta(minutes=15), "busy-unavailable"),
        (time(11), twenty, "free"),  # the old 11:00 row, reopened with the new length
        (time(11, 15), timedelta(minutes=15), "busy-unavailable"),
        (time(11, 20), twenty, "free"),
    ]
    assert Slot.objects.get(pk=clinic.slots[4].pk).end == at(26, 11, 20)


def test_a_changed_quota_turns_free_slots_over_to_the_registry(registrar, clinic):
    change_therapist(registrar, clinic, online_percent=50)
    fixture_slots = Slot.objects.filter(pk__in=[s.pk for s in clinic.slots])
    # 10:00 is the ninth slot of the day (index 8): the registry's under 50 %.
    assert [slot.online for slot in fixture_slots] == [False, True] * 4


def test_an_earlier_end_of_validity_closes_the_days_after(registrar, clinic, neighbour):
    lost = book(neighbour, clinic.slots[0])
    saved = change_therapist(registrar, clinic, valid_until=date(2026, 11, 25))
    assert saved.cancelled == [lost.pk]
    assert not Slot.objects.filter(
        role=clinic.therapist, status="free", start__gte=at(26, 0)
    ).exists()


def absent(actor, role_id, starts_at, ends_at, *, reason, now=NOW):
    return absence_add(
        actor=actor,
        role_id=role_id,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        now=now,
    )


@pytest.fixture
def pediatrician(clinic):
    role = RoleFactory(location=clinic.therapist.location, specialty=specialty("pediatrician"))
    ScheduleFactory(role=role)
    slots_open(now=NOW, role_ids=[role.pk])
    return role


def test_an_absence_cancels_the_visits_in_it_and_offers_the_nearest_free_times(
    registrar, clinic, pediatrician
):
    child_slot = role_slots(pediatrician).get(start=at(26, 10))
    visit = book(clinic.child, child_slot, actor=clinic.patient.user)
    other = RoleFactory(location=clinic.therapist.location, specialty=specialty("pediatrician"))
    ScheduleFactory(
        role=other,
        weekdays="4",
        day_start=time(15),
        day_end=time(16),
        break_start=None,
        break_end=None,
    )
    slots_open(now=NOW, role_ids=[other.pk])

    added = absent(registrar, pediatrician.pk, at(26, 0), at(28, 0), reason="больничный")

    assert added.cancelled == [visit.pk]
    visit.refresh_from_db()
    assert (visit.status, visit.cancellation_reason) == ("cancelled", "doctor_absent")
    in_absence = role_slots(pediatrician).filter(start__gte=at(26, 0), start__lt=at(28, 0))
    assert set(in_absence.values_list("status", flat=True)) == {"busy-unavailable"}
    assert added.closed == in_absence.count() - 1
    assert role_slots(pediatrician).filter(start__gte=at(28, 0), status="free").exists()
    # The child has no login: the parent hears it, with the other pediatrician's Thursday
    # afternoon and then the absent one's Monday.
    message = Message.objects.get()
    assert message.person == clinic.patient
    assert clinic.child.full_name in message.body
    assert "врач отсутствует" in message.body
    lines = [line for line in message.body.splitlines() if line.startswith("—")]
    assert len(lines) == 5
    assert lines[0].startswith("— 26.11.2026 15:00")
    assert lines[4].startswith("— 30.11.2026 08:00")
    event = AuditEvent.objects.get(action="health.absence_add")
    assert (event.actor, event.data["cancelled"]) == (registrar, [visit.pk])
    # The generator does not bring the closed slots back.
    assert slots_open(now=NOW, role_ids=[pediatrician.pk]).created == 0
    assert set(in_absence.values_list("status", flat=True)) == {"busy-unavailable"}


def test_an_absence_since_this_morning_cancels_a_visit_already_past(registrar, clinic, neighbour):
    visit = book(neighbour, clinic.slots[0])
    later = NOW + timedelta(days=1, hours=2)  # tomorrow 11:00, the 10:00 visit is over
    added = absent(
        registrar, clinic.therapist.pk, at(26, 8), at(26, 20), reason="больничный", now=later
    )
    assert added.cancelled == [visit.pk]


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "reason", "code", "field"),
    [
        (at(27, 8), at(27, 8), "отпуск", "absence_invalid", "ends_at"),
        (at(27, 10), at(27, 8), "отпуск", "absence_invalid", "ends_at"),
        (at(24, 8), at(27, 8), "отпуск", "absence_in_past", "starts_at"),
        (at(25, 0), at(25, 8), "отпуск", "absence_in_past", "ends_at"),
        (at(27, 8), at(27, 18), "  ", "absence_invalid", "reason"),
    ],
)
def test_an_impossible_absence_is_refused(
    registrar, clinic, starts_at, ends_at, reason, code, field
):
    with pytest.raises(DomainError) as refusal:
        absent(registrar, clinic.therapist.pk, starts_at, ends_at, reason=reason)
    assert (refusal.value.code, refusal.value.field) == (code, field)
    assert not Absence.objects.exists()


def test_a_naive_time_is_the_citys(registrar, clinic):
    added = absent(
        registrar,
        clinic.therapist.pk,
        datetime(2026, 11, 26, 10, 0),
        datetime(2026, 11, 26, 10, 30),
        reason="совещание",
    )
    assert added.absence.starts_at == at(26, 10)
    assert added.closed == 2


def test_only_the_clinics_registrar_adds_absences(clinic):
    with pytest.raises(DomainError) as refusal:
        absent(
            make_registrar(OrganisationFactory()),
            clinic.therapist.pk,
            at(27, 8),
            at(27, 18),
            reason="отпуск",
        )
    assert refusal.value.code == "not_a_registrar"


def test_a_closed_slot_cannot_be_booked(registrar, clinic):
    absent(registrar, clinic.therapist.pk, at(26, 0), at(27, 0), reason="отпуск")
    with pytest.raises(DomainError) as refusal:
        book(clinic.patient, clinic.slots[0])
    assert refusal.value.code == "slot_taken"


@pytest.fixture
def busy_day(transactional_catalog):
    """A therapist's 40 slots tomorrow, 40 attached citizens and the clinic's registrar."""
    sync_roles()
    ensure_specialties()
    location = LocationFactory()
    schedule = ScheduleFactory(role=RoleFactory(location=location))
    slots = make_slots(schedule, at(26, 10), 40)
    patients = PersonFactory.create_batch(40, user__password=None)
    for patient in patients:
        AttachmentFactory(person=patient, organisation=location.organisation)
    return schedule.role, slots, patients, make_registrar(location.organisation)


@pytest.mark.django_db(transaction=True)
def test_an_absence_racing_bookings_and_cancels_leaves_no_visit_inside_it(busy_day):
    role, slots, patients, registrar = busy_day
    # Half the patients hold a slot already and cancel it during the race.
    held = {index: book(patients[index], slots[index]) for index in range(0, 40, 2)}

    def work(index: int):
        if index == 0:
            return absent(registrar, role.pk, at(26, 0), at(27, 0), reason="больничный")
        if index in held:
            return booking.appointment_cancel(
                actor=patients[index].user,
                appointment_id=held[index].pk,
                channel="web",
                now=NOW,
            )
        return book(patients[index], slots[(index + 1) % 40])

    outcomes = race(work, threads=40)

    refusals = {outcome for outcome in outcomes if isinstance(outcome, str)}
    assert refusals <= {"slot_taken", "not_cancellable"}, outcomes
    assert Counter(Slot.objects.filter(role=role).values_list("status", flat=True)) == {
        "busy-unavailable": 40
    }
    assert not Appointment.objects.filter(status="booked").exists()
    by_absence = Appointment.objects.filter(cancellation_reason="doctor_absent")
    assert set(by_absence.values_list("pk", flat=True)) == set(outcomes[0].cancelled)
    # Everyone whose visit the absence cancelled heard it once.
    assert Message.objects.count() == by_absence.count()
