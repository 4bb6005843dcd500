"""The registry's desk and the doctor's day: who may, the day's list, the marks, booking
on a patient's behalf.

The clinic fixture's slots are tomorrow (26 November) from 10:00; bookings are made at
NOW (25 November, 09:00) and the pages are opened on the day of the visit unless a test
says otherwise.
"""

from datetime import date, datetime

import pytest
from django.contrib.auth.models import Group

from gorod.accounts.tests.factories import PersonFactory, UserFactory
from gorod.appointments.models import REGISTRY_CHANNEL, Appointment, Slot
from gorod.appointments.services import booking
from gorod.appointments.tests.factories import ReferralFactory, ScheduleFactory, SlotFactory
from gorod.appointments.tests.fixtures import MOSCOW, NOW, make_slots
from gorod.clinics.models import RegistrarPost
from gorod.clinics.tests.factories import (
    AttachmentFactory,
    LocationFactory,
    PractitionerFactory,
    RoleFactory,
    specialty,
)
from gorod.core.models import AuditEvent

pytestmark = pytest.mark.django_db

VISIT_DAY = datetime(2026, 11, 26, 10, 40, tzinfo=MOSCOW)  # the slots' day, after 10:30
POLICY = "7700000000000001"


def registrar_of(*organisations):
    user = UserFactory()
    user.groups.add(Group.objects.get(name="registrar"))
    for organisation in organisations:
        RegistrarPost.objects.create(user=user, organisation=organisation)
    return user


@pytest.fixture
def registrar(clinic):
    return registrar_of(clinic.organisation)


@pytest.fixture
def stranger_registrar(db):
    """A registrar of another clinic."""
    return registrar_of(LocationFactory().organisation)


@pytest.fixture
def at(time_machine):
    def travel(moment):
        time_machine.move_to(moment, tick=False)

    travel(VISIT_DAY)
    return travel


def book(clinic, slot, person=None):
    """Booked by the patient, or by the parent for the clinic's child."""
    person = person or clinic.patient
    actor = person.user or clinic.patient.user
    return booking.appointment_book(
        actor=actor, person_id=person.pk, slot_id=slot.pk, channel="web", now=NOW
    ).appointment


def attached_patient(clinic, **fields):
    person = PersonFactory(**fields)
    AttachmentFactory(person=person, organisation=clinic.organisation)
    return person


def text(response) -> str:
    return response.content.decode()


def urls(clinic) -> list[str]:
    organisation = clinic.organisation.pk
    return [
        f"/health/staff/clinics/{organisation}/day/",
        f"/health/staff/clinics/{organisation}/book/",
        f"/health/staff/clinics/{organisation}/schedules/",
        f"/health/staff/clinics/{organisation}/schedules/new/",
        f"/health/staff/clinics/{organisation}/schedules/{clinic.schedule.pk}/",
    ]


def test_the_desk_asks_strangers_to_sign_in_and_does_not_exist_for_citizens(
    client, clinic, stranger_registrar, at
):
    for url in ["/health/staff/", *urls(clinic)]:
        client.logout()
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        client.force_login(clinic.patient.user)
        assert client.get(url).status_code == 404
    client.force_login(stranger_registrar)
    assert client.get("/health/staff/").status_code == 200
    for url in urls(clinic):
        assert client.get(url).status_code == 404, url


def test_a_role_without_a_posting_or_a_posting_without_the_role_opens_nothing(client, clinic, at):
    in_role_only = registrar_of()
    posted_only = UserFactory()
    RegistrarPost.objects.create(user=posted_only, organisation=clinic.organisation)
    for user in (in_role_only, posted_only):
        client.force_login(user)
        assert client.get("/health/staff/").status_code == 404
        assert client.get(urls(clinic)[0]).status_code == 404


def test_another_clinics_registrar_cannot_mark_this_clinics_appointment(
    client, clinic, stranger_registrar, at
):
    appointment = book(clinic, clinic.slots[0])
    url = f"/health/staff/appointments/{appointment.pk}/mark/"
    client.force_login(stranger_registrar)
    assert client.post(url, {"status": "arrived"}).status_code == 404
    client.force_login(clinic.patient.user)
    assert client.post(url, {"status": "arrived"}).status_code == 404
    client.logout()
    assert client.post(url, {"status": "arrived"}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED
    assert not AuditEvent.objects.filter(action="health.appointment_mark").exists()


def test_unknown_and_absurd_ids_are_not_found(client, registrar, at):
    client.force_login(registrar)
    for url in [
        "/health/staff/appointments/999999/mark/",
        f"/health/staff/appointments/{2**63}/mark/",
    ]:
        assert client.post(url, {"status": "arrived"}).status_code == 404
    assert client.get(f"/health/staff/clinics/{2**63}/day/").status_code == 404


def test_home_counts_the_days_appointments_and_free_slots(
    client, clinic, registrar, at, django_assert_max_num_queries
):
    _first, second, third, fourth = (
        book(clinic, clinic.slots[index], attached_patient(clinic)) for index in range(4)
    )
    for appointment, status in [(second, "arrived"), (third, "fulfilled"), (fourth, "noshow")]:
        Appointment.objects.filter(pk=appointment.pk).update(status=status)
    other_clinic = LocationFactory().organisation
    registrar.registrar_posts.create(organisation=other_clinic)
    client.force_login(registrar)
    client.get("/health/staff/")  # the catalog's menu, read once per process
    # Session, user, permissions (2), postings, clinics, the doctor check, two counts and
    # the pending attachment applications' count.
    with django_assert_max_num_queries(10):
        response = client.get("/health/staff/")
    figures = {clinic_.pk: numbers for clinic_, numbers, _pending in response.context["rows"]}
    mine = figures[clinic.organisation.pk]
    assert (mine.booked, mine.arrived, mine.fulfilled, mine.noshow) == (1, 1, 1, 1)
    # Eight slots from 10:00, 15 minutes each; at 10:40 the 11:00 to 11:45 ones are left.
    assert mine.free_left == 4
    assert figures[other_clinic.pk].total == 0
    body = text(response)
    assert clinic.organisation.name in body
    assert other_clinic.name in body


def test_a_doctor_without_a_desk_is_sent_to_their_day(client, clinic, at):
    doctor = UserFactory()
    clinic.therapist.practitioner.user = doctor
    clinic.therapist.practitioner.save()
    client.force_login(doctor)
    response = client.get("/health/staff/")
    assert response.status_code == 302
    assert response["Location"] == "/health/staff/doctor/"


def test_the_day_list_shows_each_doctors_patients_and_the_marks_allowed_now(
    client, clinic, registrar, at
):
    past = book(clinic, clinic.slots[0])  # 10:00, begun
    future = book(clinic, clinic.slots[4], attached_patient(clinic, last_name="Позднова"))
    cancelled = book(clinic, clinic.slots[5], attached_patient(clinic, last_name="Отменова"))
    booking.appointment_cancel(
        actor=cancelled.person.user, appointment_id=cancelled.pk, channel="web", now=NOW
    )
    client.force_login(registrar)
    response = client.get(f"/health/staff/clinics/{clinic.organisation.pk}/day/")
    assert response.status_code == 200
    body = text(response)
    assert clinic.patient.full_name in body
    assert "Позднова" in body
    assert "Отменова" not in body
    assert clinic.therapist.practitioner.full_name in body
    [(doctor, rows)] = response.context["rows"]
    marks = {appointment.pk: [status for status, _ in allowed] for appointment, allowed in rows}
    assert marks[past.pk] == ["arrived", "fulfilled", "noshow"]
    assert marks[future.pk] == ["arrived", "fulfilled"]  # no no-show before the time
    assert doctor.free == 4  # 10:45, 11:15, 11:30, 11:45 (cancelled one freed)


def test_a_future_day_lists_appointments_without_marks(client, clinic, registrar, at):
    at(NOW)
    book(clinic, clinic.slots[0])
    client.force_login(registrar)
    response = client.get(
        f"/health/staff/clinics/{clinic.organisation.pk}/day/", {"day": "2026-11-26"}
    )
    [(_doctor, rows)] = response.context["rows"]
    assert [allowed for _appointment, allowed in rows] == [[]]
    assert "/mark/" not in text(response)


def test_the_day_list_filters_by_doctor_and_refuses_another_clinics_doctor(
    client, clinic, registrar, at
):
    surgeon = RoleFactory(location=clinic.therapist.location, specialty=specialty("surgeon"))
    make_slots(ScheduleFactory(role=surgeon), datetime(2026, 11, 26, 12, 0, tzinfo=MOSCOW), 3)
    book(clinic, clinic.slots[0])
    url = f"/health/staff/clinics/{clinic.organisation.pk}/day/"
    client.force_login(registrar)
    everyone = client.get(url)
    # By specialty: "Участковый терапевт" before "Хирург".
    assert [doctor.role for doctor, _rows in everyone.context["rows"]] == [
        clinic.therapist,
        surgeon,
    ]
    only = client.get(url, {"day": "2026-11-26", "role": surgeon.pk})
    assert [doctor.role for doctor, _rows in only.context["rows"]] == [surgeon]
    assert clinic.patient.full_name not in text(only)
    elsewhere = RoleFactory()
    assert client.get(url, {"role": elsewhere.pk}).status_code == 400
    assert client.get(url, {"day": "26.13.2026"}).status_code == 400


def test_the_day_list_costs_the_same_for_three_or_twelve_appointments(
    client, clinic, registrar, at, django_assert_max_num_queries
):
    surgeon = RoleFactory(location=clinic.therapist.location, specialty=specialty("surgeon"))
    surgeon_slots = make_slots(
        ScheduleFactory(role=surgeon), datetime(2026, 11, 26, 12, 0, tzinfo=MOSCOW), 6
    )
    for slot in clinic.slots[:3]:
        book(clinic, slot, attached_patient(clinic))
    url = f"/health/staff/clinics/{clinic.organisation.pk}/day/"
    client.force_login(registrar)
    client.get(url)  # the catalog's menu, read once per process
    # Session, user, permissions (2), posting, clinic, roles for the filter, roles,
    # appointments, free counts.
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    for slot in [*clinic.slots[3:8], *surgeon_slots[:4]]:
        book(clinic, slot, attached_patient(clinic))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert sum(len(rows) for _doctor, rows in response.context["rows"]) == 12


def test_marking_arrival_then_the_visit_writes_audit_rows(client, clinic, registrar, at):
    appointment = book(clinic, clinic.slots[0])
    url = f"/health/staff/appointments/{appointment.pk}/mark/"
    day_url = f"/health/staff/clinics/{clinic.organisation.pk}/day/"
    client.force_login(registrar)
    response = client.post(url, {"status": "arrived", "next": day_url}, follow=True)
    assert response.redirect_chain[-1][0] == day_url
    assert f"{clinic.patient.full_name}, 10:00: «пришёл»." in text(response)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.ARRIVED
    assert appointment.arrived_at == VISIT_DAY
    response = client.post(url, {"status": "fulfilled", "next": day_url}, follow=True)
    assert "«приём состоялся»" in text(response)
    marks = AuditEvent.objects.filter(action="health.appointment_mark", actor=registrar).order_by(
        "pk"
    )
    assert [(event.data["status_from"], event.data["status_to"]) for event in marks] == [
        ("booked", "arrived"),
        ("arrived", "fulfilled"),
    ]
    assert {event.target_id for event in marks} == {str(appointment.pk)}


def test_a_double_click_says_it_is_already_marked(client, clinic, registrar, at):
    appointment = book(clinic, clinic.slots[0])
    url = f"/health/staff/appointments/{appointment.pk}/mark/"
    client.force_login(registrar)
    client.post(url, {"status": "arrived"})
    response = client.post(url, {"status": "arrived"}, follow=True)
    assert f"Уже отмечено: {clinic.patient.full_name} — «пришёл»." in text(response)
    assert AuditEvent.objects.filter(action="health.appointment_mark").count() == 1


def test_a_mark_on_a_stale_page_says_what_the_appointment_is_now(client, clinic, registrar, at):
    appointment = book(clinic, clinic.slots[0])
    colleague = registrar_of(clinic.organisation)
    booking.appointment_mark(actor=colleague, appointment_id=appointment.pk, status="fulfilled")
    client.force_login(registrar)
    response = client.post(
        f"/health/staff/appointments/{appointment.pk}/mark/", {"status": "noshow"}, follow=True
    )
    assert "Статус записи уже изменился" in text(response)
    assert "сейчас «приём состоялся»" in text(response)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.FULFILLED


def test_the_conditional_update_loses_a_race_with_a_clear_message(
    client, clinic, registrar, at, monkeypatch
):
    """Between the service's read and its update a colleague marks the visit: the update
    matches no row and nothing is written twice."""
    appointment = book(clinic, clinic.slots[0])
    original = booking.rules.transition_refusal

    def colleague_first(current, target):
        Appointment.objects.filter(pk=appointment.pk).update(status="noshow")
        return original(current, target)

    monkeypatch.setattr(booking.rules, "transition_refusal", colleague_first)
    client.force_login(registrar)
    response = client.post(
        f"/health/staff/appointments/{appointment.pk}/mark/", {"status": "arrived"}, follow=True
    )
    assert "сейчас «неявка»" in text(response)
    assert not AuditEvent.objects.filter(action="health.appointment_mark").exists()


def test_a_nonsense_mark_or_a_foreign_next_changes_nothing(client, clinic, registrar, at):
    appointment = book(clinic, clinic.slots[0])
    url = f"/health/staff/appointments/{appointment.pk}/mark/"
    client.force_login(registrar)
    response = client.post(url, {"status": "cancelled", "next": "https://evil.example/"})
    assert response["Location"] == (
        f"/health/staff/clinics/{clinic.organisation.pk}/day/?day=2026-11-26"
    )
    assert client.get(url).status_code == 405
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_arrival_cannot_be_marked_before_the_day(client, clinic, registrar, at):
    at(NOW)
    appointment = book(clinic, clinic.slots[0])
    client.force_login(registrar)
    response = client.post(
        f"/health/staff/appointments/{appointment.pk}/mark/", {"status": "arrived"}, follow=True
    )
    assert "только в день приёма" in text(response)


@pytest.fixture
def desk(client, clinic, registrar, at):
    """The registrar at the booking page of the clinic, and a patient with a policy."""
    at(NOW)
    clinic.patient.oms_policy = POLICY
    clinic.patient.save()
    client.force_login(registrar)
    return f"/health/staff/clinics/{clinic.organisation.pk}/book/"


def find(client, url, policy=POLICY, born="1985-05-17", **options):
    return client.post(url, {"action": "find", "oms_policy": policy, "birth_date": born}, **options)


@pytest.mark.parametrize(
    ("policy", "born", "says"),
    [
        ("12345", "1985-05-17", "Номер полиса ОМС — 16 цифр."),
        ("١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦", "1985-05-17", "Номер полиса ОМС — 16 цифр."),
        (POLICY, "17.05.85x", "Введите правильную дату."),
    ],
)
def test_the_search_explains_bad_input(client, desk, policy, born, says):
    response = find(client, desk, policy, born)
    assert response.status_code == 400
    assert says in text(response)
    assert not AuditEvent.objects.filter(action="health.patient_lookup").exists()


def test_a_policy_with_the_wrong_birth_date_finds_nobody_and_is_recorded(
    client, desk, registrar, clinic
):
    response = find(client, desk, born="1985-05-18")
    assert response.status_code == 200
    assert "Пациента с таким полисом и датой рождения нет" in text(response)
    assert clinic.patient.full_name not in text(response)
    event = AuditEvent.objects.get(action="health.patient_lookup")
    assert (event.actor, event.target_id, event.data["found"]) == (registrar, "", False)


def test_a_found_patient_stays_at_the_desk_without_the_policy_in_any_url(
    client, desk, registrar, clinic
):
    response = find(client, desk, "7700 0000 0000 0001")
    assert response.status_code == 302
    assert response["Location"] == desk
    event = AuditEvent.objects.get(action="health.patient_lookup")
    assert (event.target_id, event.data["found"]) == (str(clinic.patient.pk), True)
    page = client.get(desk)
    body = text(page)
    assert clinic.patient.full_name in body
    assert "17.05.1985" in body
    # Another registrar's session knows nothing of this patient.
    other = registrar_of(clinic.organisation)
    client.force_login(other)
    assert clinic.patient.full_name not in text(client.get(desk))
    client.force_login(registrar)
    client.post(desk, {"action": "forget"})
    assert clinic.patient.full_name not in text(client.get(desk))


def test_the_registry_books_a_slot_kept_out_of_the_portals_quota(client, desk, registrar, clinic):
    Slot.objects.filter(pk=clinic.slots[1].pk).update(online=False)
    find(client, desk)
    therapist = specialty("therapist").pk
    page = client.get(desk, {"specialty": therapist})
    offered = [slot.pk for slot in page.context["slots"]]
    assert offered == [slot.pk for slot in clinic.slots]
    assert "только регистратура" in text(page)
    response = client.post(
        desk,
        {"action": "book", "specialty": therapist, "day": "", "slot": clinic.slots[1].pk},
        follow=True,
    )
    assert f"{clinic.patient.full_name}: Участковый терапевт, 26 ноября, 10:15" in text(response)
    appointment = Appointment.objects.get(person=clinic.patient)
    assert (appointment.slot_id, appointment.channel, appointment.booked_by) == (
        clinic.slots[1].pk,
        REGISTRY_CHANNEL,
        registrar,
    )
    event = AuditEvent.objects.get(action="health.appointment_book")
    assert (event.actor, event.data["channel"]) == (registrar, REGISTRY_CHANNEL)
    # The booking is now among the patient's upcoming ones, and the slot is gone.
    page = client.get(desk, {"specialty": therapist, "day": "2026-11-26"})
    assert appointment in page.context["patient"].upcoming
    assert clinic.slots[1].pk not in [slot.pk for slot in page.context["slots"]]


def test_a_slot_taken_meanwhile_is_refused_and_the_free_ones_shown(client, desk, clinic):
    find(client, desk)
    therapist = specialty("therapist").pk
    book(clinic, clinic.slots[0], attached_patient(clinic))
    response = client.post(
        desk, {"action": "book", "specialty": therapist, "slot": clinic.slots[0].pk}
    )
    assert response.status_code == 400
    assert "Это время уже занято" in text(response)
    assert [slot.pk for slot in response.context["slots"]] == [s.pk for s in clinic.slots[1:]]
    assert not Appointment.objects.filter(person=clinic.patient).exists()


def test_a_slot_lost_inside_the_service_is_refused_with_the_next_free_ones(
    client, desk, clinic, monkeypatch
):
    """Another desk claims the slot between the form's check and the service's update."""
    find(client, desk)
    monkeypatch.setattr(booking, "_claim", lambda slot: False)
    response = client.post(
        desk,
        {"action": "book", "specialty": specialty("therapist").pk, "slot": clinic.slots[0].pk},
    )
    assert response.status_code == 409
    assert "Это время уже занято. Выберите другое." in text(response)
    assert response.context["slots"]  # the free times, read again, are on the page
    assert not Appointment.objects.exists()


def test_the_services_refusals_are_shown_at_the_desk(client, desk, clinic):
    cardiologist = RoleFactory(
        location=clinic.therapist.location, specialty=specialty("cardiologist")
    )
    [slot] = make_slots(
        ScheduleFactory(role=cardiologist), datetime(2026, 11, 27, 9, 0, tzinfo=MOSCOW), 1
    )
    find(client, desk)
    form = {"action": "book", "specialty": slot.specialty_id, "slot": slot.pk}
    response = client.post(desk, form)
    assert response.status_code == 409
    assert "направлени" in text(response)
    referral = ReferralFactory(person=clinic.patient)
    page = client.get(desk, {"specialty": slot.specialty_id})
    assert f"№ {referral.number}" in text(page)
    response = client.post(desk, {**form, "referral": referral.pk}, follow=True)
    assert response.redirect_chain
    assert Appointment.objects.get(person=clinic.patient).referral == referral


def test_a_patient_attached_elsewhere_is_found_but_not_booked(client, desk, clinic):
    stranger = PersonFactory(oms_policy="7700000000000002", birth_date=date(1990, 1, 2))
    AttachmentFactory(person=stranger)
    find(client, desk, "7700000000000002", "1990-01-02")
    page = client.get(desk, {"specialty": specialty("therapist").pk})
    assert "не прикреплён к этой поликлинике" in text(page)
    response = client.post(
        desk, {"action": "book", "specialty": specialty("therapist").pk, "slot": clinic.slots[0].pk}
    )
    assert response.status_code == 403
    assert "прикреп" in text(response)
    assert not Appointment.objects.filter(person=stranger).exists()


def test_booking_without_a_patient_found_asks_to_find_one(client, desk, clinic):
    response = client.post(desk, {"action": "book", "slot": clinic.slots[0].pk}, follow=True)
    assert "Сначала найдите пациента" in text(response)
    assert not Appointment.objects.exists()


def test_the_doctor_sees_their_day_across_their_roles(
    client, clinic, at, django_assert_max_num_queries
):
    practitioner = clinic.therapist.practitioner
    practitioner.user = UserFactory()
    practitioner.save()
    book(clinic, clinic.slots[0])
    # 25 on the day: the 26th birthday is five days later.
    young = book(clinic, clinic.slots[1], attached_patient(clinic, birth_date=date(2000, 12, 1)))
    # The same doctor at another clinic, as an ENT, with a referral-less visit there.
    elsewhere = RoleFactory(practitioner=practitioner, specialty=specialty("ent"))
    other_patient = PersonFactory(last_name="Другова")
    AttachmentFactory(person=other_patient, organisation=elsewhere.organisation)
    [slot] = make_slots(
        ScheduleFactory(role=elsewhere), datetime(2026, 11, 26, 15, 0, tzinfo=MOSCOW), 1
    )
    booking.appointment_book(
        actor=other_patient.user,
        person_id=other_patient.pk,
        slot_id=slot.pk,
        channel="web",
        now=NOW,
    )
    # Another doctor's patient is not listed.
    someone_else = SlotFactory(
        schedule=ScheduleFactory(role=RoleFactory(location=clinic.therapist.location)),
        start=datetime(2026, 11, 26, 16, 0, tzinfo=MOSCOW),
    )
    book(clinic, someone_else, attached_patient(clinic, last_name="Чужова"))
    client.force_login(practitioner.user)
    client.get("/health/staff/doctor/")  # the catalog's menu, read once per process
    # Session, user, the doctor, the appointments.
    with django_assert_max_num_queries(4):
        response = client.get("/health/staff/doctor/")
    body = text(response)
    ages = {appointment.pk: age for appointment, age in response.context["rows"]}
    assert len(ages) == 3
    assert ages[young.pk] == 25
    assert "Другова" in body
    assert "Чужова" not in body
    assert "/mark/" not in body  # read-only
    response = client.get("/health/staff/doctor/", {"day": "2026-11-27"})
    assert response.context["rows"] == []
    assert client.get("/health/staff/doctor/", {"day": "x"}).status_code == 400


def test_the_doctors_day_does_not_exist_for_others(client, clinic, registrar, at):
    for user in (clinic.patient.user, registrar):
        client.force_login(user)
        assert client.get("/health/staff/doctor/").status_code == 404
    retired = PractitionerFactory(user=UserFactory(), active=False)
    client.force_login(retired.user)
    assert client.get("/health/staff/doctor/").status_code == 404


def test_the_doctors_day_shows_the_referral(client, clinic, at):
    practitioner = clinic.therapist.practitioner
    practitioner.user = UserFactory()
    practitioner.save()
    cardiologist = RoleFactory(
        practitioner=practitioner,
        location=clinic.therapist.location,
        specialty=specialty("cardiologist"),
    )
    [slot] = make_slots(
        ScheduleFactory(role=cardiologist), datetime(2026, 11, 26, 14, 0, tzinfo=MOSCOW), 1
    )
    referral = ReferralFactory(person=clinic.patient, diagnosis="I10", note="давление")
    booking.appointment_book(
        actor=clinic.patient.user,
        person_id=clinic.patient.pk,
        slot_id=slot.pk,
        referral_id=referral.pk,
        channel="web",
        now=NOW,
    )
    client.force_login(practitioner.user)
    body = text(client.get("/health/staff/doctor/"))
    assert f"№ {referral.number}, I10 — давление" in body
    assert "Кардиолог" in body


@pytest.fixture
def scheduling_desk(client, clinic, registrar, at):
    at(NOW)
    client.force_login(registrar)
    return f"/health/staff/clinics/{clinic.organisation.pk}"


def schedule_form(role, **fields):
    return {
        "role": role.pk,
        "valid_from": "2026-11-25",
        "valid_until": "",
        "weekdays": ["1", "3", "5"],
        "day_start": "09:00",
        "day_end": "13:00",
        "break_start": "",
        "break_end": "",
        "slot_minutes": "",
        "online_percent": "75",
    } | fields


def test_the_schedules_page_lists_the_clinics_schedules_and_absences(
    client, clinic, scheduling_desk, django_assert_max_num_queries
):
    ScheduleFactory()  # another clinic's doctor
    url = f"{scheduling_desk}/schedules/"
    client.get(url)  # the catalog's menu, read once per process
    # Session, user, permissions (2), posting, clinic, schedules, absences, the form's roles.
    with django_assert_max_num_queries(9):
        response = client.get(url)
    [(schedule, weekdays)] = response.context["rows"]
    assert schedule == clinic.schedule
    assert weekdays == "пн, вт, ср, чт, пт"
    body = text(response)
    assert "08:00–20:00" in body
    assert f"{scheduling_desk}/schedules/{clinic.schedule.pk}/" in body


def test_a_new_schedule_opens_slots_with_the_portals_quota(client, clinic, scheduling_desk):
    surgeon = RoleFactory(location=clinic.therapist.location, specialty=specialty("surgeon"))
    response = client.post(f"{scheduling_desk}/schedules/new/", schedule_form(surgeon), follow=True)
    assert response.redirect_chain[-1][0] == f"{scheduling_desk}/schedules/"
    assert "Расписание сохранено" in text(response)
    slots = Slot.objects.filter(role=surgeon)
    # Mondays, Wednesdays and Fridays 09:00–13:00 in 26-minute visits (the surgeon's norm):
    # nine a day; a quarter of them kept for the registry.
    assert {(slot.end - slot.start).seconds for slot in slots} == {26 * 60}
    assert {slot.start.astimezone(MOSCOW).isoweekday() for slot in slots} == {1, 3, 5}
    friday = [slot for slot in slots if slot.start.astimezone(MOSCOW).date() == date(2026, 11, 27)]
    assert len(friday) == 9
    # 75 % of nine is six and three-quarters: six through the portal, spread through the day.
    assert [slot.online for slot in sorted(friday, key=lambda slot: slot.start)] == [
        False,
        True,
        True,
        True,
        False,
        True,
        True,
        True,
        False,
    ]
    event = AuditEvent.objects.get(action="health.schedule_create")
    assert event.data["role"] == surgeon.pk


def test_a_schedule_change_cancels_what_no_longer_fits_and_says_so(client, clinic, scheduling_desk):
    appointment = book(clinic, clinic.slots[0])  # tomorrow 10:00
    url = f"{scheduling_desk}/schedules/{clinic.schedule.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["day_start"].value().strftime("%H:%M") == "08:00"
    response = client.post(
        url,
        schedule_form(
            clinic.therapist,
            valid_from="2026-01-01",
            weekdays=["1", "2", "3", "4", "5"],
            day_start="11:00",
            day_end="20:00",
            break_start="13:00",
            break_end="14:00",
            online_percent="100",
        ),
        follow=True,
    )
    assert "Отменено записей: 1" in text(response)
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancellation_reason) == (
        Appointment.Status.CANCELLED,
        Appointment.Reason.SCHEDULE_CHANGED,
    )
    assert clinic.patient.messages.filter(topic="health.appointment_cancelled").exists()
    assert AuditEvent.objects.filter(action="health.schedule_change").exists()


def test_a_schedule_form_shows_the_services_and_its_own_refusals(client, clinic, scheduling_desk):
    url = f"{scheduling_desk}/schedules/new/"
    surgeon = RoleFactory(location=clinic.therapist.location, specialty=specialty("surgeon"))
    response = client.post(url, schedule_form(surgeon, day_end="08:00"))
    assert response.status_code == 400  # the service's refusal, by its field
    assert "Конец приёма должен быть позже начала." in text(response)
    response = client.post(url, schedule_form(surgeon, weekdays=[]))
    assert response.status_code == 400
    assert "Дни приёма" in text(response)
    # The therapist already works these hours on weekdays.
    response = client.post(url, schedule_form(clinic.therapist))
    assert response.status_code == 409
    assert "пересекается с другим расписанием врача" in text(response)
    # Another clinic's doctor is not on offer at this desk.
    response = client.post(url, schedule_form(RoleFactory()))
    assert response.status_code == 400
    assert not Slot.objects.filter(role=surgeon).exists()


def test_another_clinics_schedule_is_not_found_at_this_desk(client, clinic, scheduling_desk):
    other = ScheduleFactory()
    assert client.get(f"{scheduling_desk}/schedules/{other.pk}/").status_code == 404
    assert client.get(f"{scheduling_desk}/schedules/{2**63}/").status_code == 404
    # The registrar's other clinic's schedule under this clinic's address: not found either.
    client.force_login(registrar_of(clinic.organisation, other.role.organisation))
    assert client.get(f"{scheduling_desk}/schedules/{other.pk}/").status_code == 404


def test_an_absence_closes_the_doctors_slots_and_cancels_the_booked(
    client, clinic, scheduling_desk
):
    appointment = book(clinic, clinic.slots[1])  # tomorrow 10:15
    response = client.post(
        f"{scheduling_desk}/absences/new/",
        {
            "role": clinic.therapist.pk,
            "starts_at": "2026-11-26T10:00",
            "ends_at": "2026-11-26T11:00",
            "reason": "курсы повышения квалификации",
        },
        follow=True,
    )
    body = text(response)
    assert "Отсутствие внесено" in body
    assert "Закрыто свободных талонов: 3. Отменено записей: 1" in body
    assert "курсы повышения квалификации" in body
    appointment.refresh_from_db()
    assert appointment.cancellation_reason == Appointment.Reason.DOCTOR_ABSENT
    assert (
        Slot.objects.filter(
            pk__in=[slot.pk for slot in clinic.slots[:4]], status=Slot.Status.BUSY_UNAVAILABLE
        ).count()
        == 4
    )
    event = AuditEvent.objects.get(action="health.absence_add")
    assert event.data["cancelled"] == [appointment.pk]


def test_an_absence_form_shows_refusals_next_to_the_fields(client, clinic, scheduling_desk):
    url = f"{scheduling_desk}/absences/new/"
    form = {
        "role": clinic.therapist.pk,
        "starts_at": "2026-11-26T11:00",
        "ends_at": "2026-11-26T10:00",
        "reason": "отпуск",
    }
    response = client.post(url, form)
    assert response.status_code == 400
    assert "Окончание отсутствия должно быть позже начала." in text(response)
    response = client.post(url, {**form, "starts_at": "2026-11-20T10:00"})
    assert "задним числом" in text(response)
    response = client.post(url, {**form, "role": RoleFactory().pk})
    assert response.status_code == 400
    assert client.get(url).status_code == 405
    assert not clinic.therapist.absences.exists()
