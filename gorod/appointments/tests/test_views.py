"""The citizen's appointment pages: "Мои записи", the booking steps, rescheduling,
cancelling and the calendar file — every branch, through the Django test client."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from gorod.accounts.models import Delegation, Guardianship
from gorod.accounts.tests.factories import ChildFactory, PersonFactory
from gorod.appointments.models import Appointment, Slot
from gorod.appointments.services import booking
from gorod.appointments.tests.factories import AppointmentFactory, ReferralFactory, ScheduleFactory
from gorod.appointments.tests.fixtures import MOSCOW, NOW, TOMORROW, make_slots, staff
from gorod.catalog import snapshot
from gorod.clinics.tests.factories import AttachmentFactory, RoleFactory, specialty

APPOINTMENTS_URL = reverse("health:appointments")
BOOK_URL = reverse("health:book")
# Session, user, person, the wards and principals (three times: the page, the upcoming
# and the past lists each ask whom the actor sees), the upcoming and the past
# appointments, each family member's attachment (two here): however many appointments.
APPOINTMENTS_PAGE_MAX_QUERIES = 13
# Session, user, person, wards, principals, attachment, specialties, referrals, the
# actor's upcoming appointments (with wards and principals again), the days with free
# time, the chosen day's slots: however many doctors and slots.
SLOTS_PAGE_MAX_QUERIES = 13


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def signed_in(client, clinic):
    client.force_login(clinic.patient.user)
    return client


@pytest.fixture
def catalog_in_memory(db):
    """The catalog snapshot every page's navigation reads, loaded before queries are counted."""
    snapshot.current()


def page_text(response) -> str:
    return response.content.decode()


def book_url(**query) -> str:
    return BOOK_URL + "?" + "&".join(f"{name}={value}" for name, value in query.items())


def book(clinic, slot, *, person=None, **options):
    return booking.appointment_book(
        actor=clinic.patient.user,
        person_id=(person or clinic.patient).pk,
        slot_id=slot.pk,
        channel="web",
        **options,
    ).appointment


def therapist(clinic) -> int:
    return clinic.therapist.specialty_id


def slot_on(schedule, day: int, hour: int) -> Slot:
    """One slot of `schedule` in November 2026 at the hour."""
    return make_slots(schedule, datetime(2026, 11, day, hour, tzinfo=MOSCOW), 1)[0]


def cardiologist_slots(clinic, count=2):
    role = RoleFactory(location=clinic.therapist.location, specialty=specialty("cardiologist"))
    return make_slots(ScheduleFactory(role=role), datetime(2026, 11, 27, 10, tzinfo=MOSCOW), count)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("appointments", []),
        ("book", []),
        ("appointment", [1]),
        ("reschedule", [1]),
        ("cancel", [1]),
        ("ics", [1]),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, db, name, args):
    response = client.get(reverse(f"health:{name}", args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_another_familys_ids_are_not_found(client, clinic):
    appointment = book(clinic, clinic.slots[0])
    referral = ReferralFactory(person=clinic.patient)
    stranger = PersonFactory()
    AttachmentFactory(person=stranger, organisation=clinic.organisation)
    client.force_login(stranger.user)
    for url in (
        reverse("health:appointment", args=[appointment.pk]),
        reverse("health:reschedule", args=[appointment.pk]),
        reverse("health:cancel", args=[appointment.pk]),
        reverse("health:ics", args=[appointment.pk]),
        reverse("health:appointment", args=[2**70]),
        book_url(person=clinic.patient.pk),
        book_url(person=clinic.child.pk),
        book_url(person=2**64),
        book_url(person=stranger.pk, specialty=999999),
        book_url(person=stranger.pk, specialty=therapist(clinic), slot=2**63),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Страница не найдена" in page_text(response)
    for url, data in (
        (reverse("health:cancel", args=[appointment.pk]), {}),
        (reverse("health:reschedule", args=[appointment.pk]), {"slot": clinic.slots[1].pk}),
        (BOOK_URL, {"person": clinic.patient.pk, "slot": clinic.slots[1].pk}),
        (BOOK_URL, {"person": stranger.pk, "slot": clinic.slots[1].pk, "referral": referral.pk}),
        (BOOK_URL, {"person": stranger.pk, "slot": 2**63}),
    ):
        assert client.post(url, data).status_code == 404, (url, data)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED
    assert Appointment.objects.count() == 1


def test_their_appointments_are_not_listed(client, clinic):
    book(clinic, clinic.slots[0])
    stranger = PersonFactory()
    client.force_login(stranger.user)
    html = page_text(client.get(APPOINTMENTS_URL))
    assert "Предстоящих приёмов нет." in html
    assert clinic.patient.full_name not in html


def test_my_appointments_show_mine_and_my_childs_with_actions(signed_in, clinic):
    mine = book(clinic, clinic.slots[0])
    pediatrician = RoleFactory(
        location=clinic.therapist.location, specialty=specialty("pediatrician")
    )
    childs_slot = make_slots(
        ScheduleFactory(role=pediatrician), datetime(2026, 11, 27, 9, tzinfo=MOSCOW), 1
    )[0]
    childs = book(clinic, childs_slot, person=clinic.child)
    response = signed_in.get(APPOINTMENTS_URL)
    assert response.status_code == 200
    html = page_text(response)
    assert "<h1>Мои записи</h1>" in html
    assert "Четверг, 26 ноября 2026, 10:00" in html
    assert "Пятница, 27 ноября 2026, 09:00" in html
    assert clinic.child.full_name in html
    assert "Участковый педиатр" in html
    assert clinic.therapist.practitioner.full_name in html
    assert "Москва, Даев переулок, дом 3" in html
    assert ">101<" in html  # the room
    for appointment in (mine, childs):
        assert reverse("health:reschedule", args=[appointment.pk]) in html
        assert reverse("health:cancel", args=[appointment.pk]) in html
        assert reverse("health:ics", args=[appointment.pk]) in html
    # The attached clinic of each, and a way to book.
    assert clinic.organisation.name in html
    assert f'href="{BOOK_URL}"' in html
    assert f"{BOOK_URL}?person={clinic.child.pk}" in html


def test_past_and_cancelled_appointments_are_listed_apart_without_actions(signed_in, clinic):
    cancelled = book(clinic, clinic.slots[0])
    booking.appointment_cancel(
        actor=clinic.patient.user, appointment_id=cancelled.pk, channel="web"
    )
    yesterday = make_slots(clinic.schedule, datetime(2026, 11, 24, 10, tzinfo=MOSCOW), 1)[0]
    visited = AppointmentFactory(
        person=clinic.patient, slot=yesterday, status=Appointment.Status.FULFILLED
    )
    html = page_text(signed_in.get(APPOINTMENTS_URL))
    assert "Предстоящих приёмов нет." in html
    assert "Прошедшие и отменённые" in html
    assert "26.11.2026 10:00" in html
    assert "24.11.2026 10:00" in html
    assert "отменена" in html
    assert "приём состоялся" in html
    assert reverse("health:cancel", args=[cancelled.pk]) not in html
    assert reverse("health:reschedule", args=[visited.pk]) not in html


def test_an_unattached_family_member_is_told_how_to_attach(signed_in, clinic):
    unattached = ChildFactory()
    Guardianship.objects.create(
        guardian=clinic.patient, child=unattached, kind=Guardianship.Kind.PARENT
    )
    html = page_text(signed_in.get(APPOINTMENTS_URL))
    assert "Не прикреплён к поликлинике" in html


def test_my_appointments_cost_the_same_queries_for_one_or_many(
    signed_in, clinic, catalog_in_memory, django_assert_max_num_queries
):
    book(clinic, clinic.slots[0])
    with django_assert_max_num_queries(APPOINTMENTS_PAGE_MAX_QUERIES):
        assert signed_in.get(APPOINTMENTS_URL).status_code == 200
    for index, code in enumerate(("ophthalmologist", "surgeon", "ent", "dentist")):
        schedule = ScheduleFactory(
            role=RoleFactory(location=clinic.therapist.location, specialty=specialty(code))
        )
        book(clinic, slot_on(schedule, 30, 9 + index))
        book(clinic, slot_on(schedule, 30, 14 + index), person=clinic.child)
        AppointmentFactory(
            person=clinic.patient,
            slot=slot_on(schedule, 2, 9 + index),
            status=Appointment.Status.FULFILLED,
        )
    with django_assert_max_num_queries(APPOINTMENTS_PAGE_MAX_QUERIES):
        response = signed_in.get(APPOINTMENTS_URL)
    assert page_text(response).count('class="appointment-card"') == 9


def test_whom_to_book_lists_me_my_child_and_a_teen_who_books_alone(signed_in, clinic):
    teen = ChildFactory(birth_date=date(2010, 1, 1))
    Guardianship.objects.create(guardian=clinic.patient, child=teen, kind=Guardianship.Kind.PARENT)
    response = signed_in.get(BOOK_URL)
    assert response.status_code == 200
    html = page_text(response)
    assert "Кого записать к врачу?" in html
    assert 'aria-current="step"' in html
    assert f'href="{BOOK_URL}?person={clinic.patient.pk}"' in html
    assert f'href="{BOOK_URL}?person={clinic.child.pk}"' in html
    assert "ребёнок, 01.03.2016 г. р." in html
    # The teen is shown with the reason instead of a link.
    assert teen.full_name in html
    assert f"?person={teen.pk}" not in html
    assert "С 15 лет пациент записывается сам" in html
    response = signed_in.get(book_url(person=teen.pk))
    assert response.status_code == 403
    assert "С 15 лет пациент записывается сам" in page_text(response)


def test_a_citizen_without_wards_starts_at_the_specialty(client, clinic):
    single = PersonFactory()
    AttachmentFactory(person=single, organisation=clinic.organisation)
    client.force_login(single.user)
    html = page_text(client.get(BOOK_URL))
    assert "К какому врачу записаться?" in html
    assert "Кого записать" not in html


def test_a_principal_who_delegated_appointments_can_be_booked_for(signed_in, clinic):
    mother = PersonFactory(birth_date=date(1950, 2, 2))
    AttachmentFactory(person=mother, organisation=clinic.organisation)
    Delegation.objects.create(
        principal=mother, delegate=clinic.patient, scopes=["appointments"], confirmed_at=NOW
    )
    html = page_text(signed_in.get(BOOK_URL))
    assert mother.full_name in html
    assert "по доверенности" in html
    response = signed_in.post(BOOK_URL, {"person": mother.pk, "slot": clinic.slots[2].pk})
    assert response.status_code == 302
    assert Appointment.objects.get().person == mother


def test_an_unattached_patient_is_told_how_to_attach(signed_in, clinic):
    clinic.child.attachments.all().delete()
    response = signed_in.get(book_url(person=clinic.child.pk))
    assert response.status_code == 200
    assert "не прикреплён к поликлинике" in page_text(response)


def test_specialties_mark_referral_ones_and_list_referrals(signed_in, clinic):
    staff(clinic, "ophthalmologist", "pediatrician")
    slots = cardiologist_slots(clinic)
    used = ReferralFactory(person=clinic.patient)
    book(clinic, slots[0], referral_id=used.pk)
    ReferralFactory(person=clinic.patient, specialty=specialty("neurologist"), number="77-NEURO")
    ReferralFactory(person=clinic.patient, number="77-OLD", valid_until=date(2026, 11, 1))
    book(clinic, clinic.slots[0])
    response = signed_in.get(book_url(person=clinic.patient.pk))
    html = page_text(response)
    assert "Участковый терапевт" in html
    assert "Участковый педиатр" not in html  # an adult
    direct, by_referral = html.split("По направлению</h2>")
    assert "Офтальмолог" in direct
    assert "Кардиолог" not in direct
    assert "Кардиолог" in by_referral
    assert "по направлению" in by_referral
    assert f"specialty={therapist(clinic)}" in direct
    assert "уже есть запись: 26 ноября, 10:00" in direct
    assert "№ 77-NEURO" in html
    assert f"№ {used.number}" in html
    assert "по нему уже есть запись" in html
    assert "77-OLD" not in html  # expired


def test_the_specialty_step_offers_only_specialties_with_doctors(signed_in, clinic):
    """Issue 13, item 15: «Стоматолог», «Уролог» were offered with 15 days of «нет мест»."""
    staff(clinic, "surgeon")
    html = page_text(signed_in.get(book_url(person=clinic.patient.pk)))
    assert "Хирург" in html
    assert "Участковый терапевт" in html
    for absent in ("Стоматолог", "Уролог", "Акушер-гинеколог", "Офтальмолог"):
        assert absent not in html
    response = signed_in.get(book_url(person=clinic.patient.pk, specialty=specialty("dentist").pk))
    assert response.status_code == 404


def test_the_free_time_of_the_first_open_day_with_the_nearest_shortcut(signed_in, clinic):
    second = RoleFactory(location=clinic.therapist.location, room="205")
    make_slots(ScheduleFactory(role=second), datetime(2026, 11, 26, 16, tzinfo=MOSCOW), 2)
    make_slots(clinic.schedule, datetime(2026, 12, 2, 9, tzinfo=MOSCOW), 3)
    response = signed_in.get(book_url(person=clinic.patient.pk, specialty=therapist(clinic)))
    assert response.status_code == 200
    picker = response.context["picker"]
    assert picker.days[0] == (date(2026, 11, 25), False)
    assert picker.days[-1][0] == date(2026, 12, 9)
    assert [day for day, free in picker.days if free] == [TOMORROW, date(2026, 12, 2)]
    assert picker.day == TOMORROW
    assert picker.nearest == clinic.slots[0]
    assert [len(doctor.slots) for doctor in picker.doctors] == [8, 2]
    html = page_text(response)
    assert "Ближайшее свободное время" in html
    assert "Свободное время: Четверг, 26 ноября" in html
    assert 'aria-current="date"' in html
    assert "кабинет 205" in html
    assert "day=2026-12-02" in html
    assert f"slot={clinic.slots[0].pk}" in html
    assert "нет мест" in html


def test_another_day_is_chosen_by_the_query_and_the_nearest_stays(signed_in, clinic):
    later = make_slots(clinic.schedule, datetime(2026, 12, 2, 9, tzinfo=MOSCOW), 3)
    url = book_url(person=clinic.patient.pk, specialty=therapist(clinic), day="2026-12-02")
    picker = signed_in.get(url).context["picker"]
    assert picker.day == date(2026, 12, 2)
    assert [slot for doctor in picker.doctors for slot in doctor.slots] == later
    assert picker.nearest == clinic.slots[0]
    empty = signed_in.get(
        book_url(person=clinic.patient.pk, specialty=therapist(clinic), day="2026-11-30")
    )
    assert "В этот день свободного времени нет" in page_text(empty)
    # A day outside the horizon, or not a day at all: the first free day.
    for day in ("2027-01-01", "2026-13-45", "вчера"):
        url = book_url(person=clinic.patient.pk, specialty=therapist(clinic), day=day)
        assert signed_in.get(url).context["picker"].day == TOMORROW


def test_no_free_time_says_when_days_open(signed_in, clinic):
    Slot.objects.update(status=Slot.Status.BUSY)
    html = page_text(signed_in.get(book_url(person=clinic.patient.pk, specialty=therapist(clinic))))
    assert "Свободного времени пока нет." in html
    assert "открывается ежедневно в 08:00" in html


def test_a_referral_specialty_without_a_referral_shows_no_times(signed_in, clinic):
    slots = cardiologist_slots(clinic)
    url = book_url(person=clinic.patient.pk, specialty=slots[0].specialty_id)
    response = signed_in.get(url)
    assert "Нужно направление" in page_text(response)
    assert "picker" not in response.context
    ReferralFactory(person=clinic.patient)
    assert signed_in.get(url).context["picker"].nearest == slots[0]


def test_the_slot_list_costs_the_same_queries_for_one_or_many_doctors(
    signed_in, clinic, catalog_in_memory, django_assert_max_num_queries
):
    url = book_url(person=clinic.patient.pk, specialty=therapist(clinic))
    with django_assert_max_num_queries(SLOTS_PAGE_MAX_QUERIES):
        assert signed_in.get(url).status_code == 200
    for hour in (8, 12, 15, 17):
        role = RoleFactory(location=clinic.therapist.location)
        make_slots(ScheduleFactory(role=role), datetime(2026, 11, 26, hour, tzinfo=MOSCOW), 6)
        make_slots(ScheduleFactory(role=role), datetime(2026, 12, 3, hour, tzinfo=MOSCOW), 6)
    with django_assert_max_num_queries(SLOTS_PAGE_MAX_QUERIES):
        response = signed_in.get(url)
    assert len(response.context["picker"].doctors) == 5
    # Another day than the first free one costs one read more: the nearest slot.
    with django_assert_max_num_queries(SLOTS_PAGE_MAX_QUERIES + 1):
        signed_in.get(url + "&day=2026-12-03")


@pytest.mark.parametrize(
    "query",
    [
        "person=abc",
        "person=1.5&specialty=x",
        "person=-1",
        "day=31.02.2026",
        "slot=%00",
        "person=99999999999999999999999999",
    ],
)
def test_garbage_in_the_query_is_never_a_server_error(signed_in, clinic, query):
    response = signed_in.get(f"{BOOK_URL}?{query}")
    assert response.status_code in (200, 404)


def confirm_url(clinic, slot, *, person=None) -> str:
    return book_url(person=(person or clinic.patient).pk, specialty=slot.specialty_id, slot=slot.pk)


def test_the_confirmation_shows_the_visit_and_books_on_post(signed_in, clinic):
    slot = clinic.slots[1]
    response = signed_in.get(confirm_url(clinic, slot))
    assert response.status_code == 200
    html = page_text(response)
    assert "Проверьте и подтвердите запись" in html
    assert "Четверг, 26 ноября 2026, 10:15" in html
    assert clinic.therapist.practitioner.full_name in html
    assert f'name="slot" value="{slot.pk}"' in html
    assert f'name="person" value="{clinic.patient.pk}"' in html
    assert "day=2026-11-26" in html  # back to the day's times
    response = signed_in.post(BOOK_URL, {"person": clinic.patient.pk, "slot": slot.pk})
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("health:appointment", args=[appointment.pk])
    assert (appointment.slot, appointment.channel) == (slot, "web")
    assert appointment.booked_by == clinic.patient.user
    html = page_text(signed_in.get(response["Location"]))
    assert "Готово: вы записаны на приём." in html
    assert reverse("health:ics", args=[appointment.pk]) in html
    assert "Что взять с собой" in html
    # The use is offered for rating once, right after the booking.
    assert "Оцените услугу" in html
    assert "Оцените услугу" not in page_text(signed_in.get(response["Location"]))


def test_booking_the_same_slot_again_finds_the_first(signed_in, clinic):
    data = {"person": clinic.patient.pk, "slot": clinic.slots[0].pk}
    first = signed_in.post(BOOK_URL, data)
    second = signed_in.post(BOOK_URL, data)
    assert first["Location"] == second["Location"]
    assert Appointment.objects.count() == 1
    assert "Эта запись уже сделана." in page_text(signed_in.get(second["Location"]))


def test_a_slot_taken_meanwhile_offers_the_next_ones_to_book_at_once(signed_in, clinic):
    url = confirm_url(clinic, clinic.slots[0])
    assert signed_in.get(url).status_code == 200
    other = PersonFactory()
    AttachmentFactory(person=other, organisation=clinic.organisation)
    booking.appointment_book(
        actor=other.user, person_id=other.pk, slot_id=clinic.slots[0].pk, channel="web"
    )
    response = signed_in.post(BOOK_URL, {"person": clinic.patient.pk, "slot": clinic.slots[0].pk})
    assert response.status_code == 409
    html = page_text(response)
    assert "Записаться не получилось" in html
    assert "Это время уже занято. Выберите другое." in html
    offered = response.context["alternatives"]
    assert [item.slot_id for item in offered] == [slot.pk for slot in clinic.slots[1:6]]
    assert "Четверг, 26 ноября, 10:15" in html
    assert html.count(f'name="person" value="{clinic.patient.pk}"') == 5
    assert f'name="slot" value="{clinic.slots[1].pk}"' in html
    # Nothing else to confirm: the taken slot's form is gone.
    assert ">Записаться</button>" not in html
    response = signed_in.post(BOOK_URL, {"person": clinic.patient.pk, "slot": clinic.slots[1].pk})
    assert response.status_code == 302
    assert Appointment.objects.get(person=clinic.patient).slot == clinic.slots[1]
    # Opening a taken slot's confirmation says so at once, with the same offer.
    response = signed_in.get(url)
    assert "Это время уже занято" in page_text(response)
    assert next(item.slot_id for item in response.context["alternatives"]) == clinic.slots[2].pk


def test_a_second_appointment_to_the_specialty_is_refused_on_the_page(signed_in, clinic):
    held = book(clinic, clinic.slots[0])
    html = page_text(signed_in.get(book_url(person=clinic.patient.pk, specialty=therapist(clinic))))
    assert "К этому специалисту уже есть запись" in html
    assert reverse("health:reschedule", args=[held.pk]) in html
    response = signed_in.post(BOOK_URL, {"person": clinic.patient.pk, "slot": clinic.slots[4].pk})
    assert response.status_code == 409
    assert "Записаться не получилось" in page_text(response)
    assert response.context["refusal"].code == "specialty_already_booked"
    assert Appointment.objects.count() == 1


def test_a_referral_is_chosen_on_the_confirmation_and_checked(signed_in, clinic):
    slots = cardiologist_slots(clinic)
    referral = ReferralFactory(person=clinic.patient)
    response = signed_in.get(confirm_url(clinic, slots[0]))
    html = page_text(response)
    assert "<legend>Направление</legend>" in html
    assert f'value="{referral.pk}" checked' in html
    # Sent without it: the service's refusal stands by the referral field.
    response = signed_in.post(BOOK_URL, {"person": clinic.patient.pk, "slot": slots[0].pk})
    assert response.status_code == 409
    assert response.context["form"].errors["referral"]
    assert 'id="referral-error"' in page_text(response)
    response = signed_in.post(
        BOOK_URL, {"person": clinic.patient.pk, "slot": slots[0].pk, "referral": referral.pk}
    )
    assert response.status_code == 302
    assert Appointment.objects.get().referral == referral


def test_a_teens_parent_is_refused_booking(signed_in, clinic):
    teen = ChildFactory(birth_date=date(2010, 1, 1))
    AttachmentFactory(person=teen, organisation=clinic.organisation)
    Guardianship.objects.create(guardian=clinic.patient, child=teen, kind=Guardianship.Kind.PARENT)
    response = signed_in.post(BOOK_URL, {"person": teen.pk, "slot": clinic.slots[0].pk})
    assert response.status_code == 403
    assert "С 15 лет пациент записывается сам" in page_text(response)
    assert not Appointment.objects.exists()


def test_a_slot_of_another_clinic_or_specialty_is_not_found(signed_in, clinic):
    elsewhere = make_slots(ScheduleFactory(), datetime(2026, 11, 26, 12, tzinfo=MOSCOW), 1)[0]
    url = book_url(person=clinic.patient.pk, specialty=therapist(clinic), slot=elsewhere.pk)
    assert signed_in.get(url).status_code == 404
    # Booking it is the service's refusal: not this patient's clinic.
    # Booking it anyway: the service refuses (not the patient's clinic), nothing is booked.
    response = signed_in.post(BOOK_URL, {"person": clinic.patient.pk, "slot": elsewhere.pk})
    assert response.status_code == 404
    assert not Appointment.objects.exists()


def test_a_booking_form_without_a_slot_starts_over(signed_in, clinic):
    response = signed_in.post(BOOK_URL, {"person": clinic.patient.pk, "slot": "x"})
    assert response.status_code == 302
    assert response["Location"] == BOOK_URL
    assert not Appointment.objects.exists()


def test_the_calendar_file_opens_in_a_calendar(signed_in, clinic):
    appointment = book(clinic, clinic.slots[0])
    response = signed_in.get(reverse("health:ics", args=[appointment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="appointment-{appointment.pk}-20261126-1000.ics"'
    )
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    start = event.decoded("dtstart")
    assert start == datetime(2026, 11, 26, 10, tzinfo=MOSCOW)
    assert str(start.tzinfo) == "Europe/Moscow"


def test_cancelling_asks_first_then_frees_the_slot(signed_in, clinic):
    appointment = book(clinic, clinic.slots[0])
    url = reverse("health:cancel", args=[appointment.pk])
    response = signed_in.get(url)
    assert response.status_code == 200
    assert "Отменить запись?" in page_text(response)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED
    response = signed_in.post(url)
    assert response.status_code == 302
    assert response["Location"] == APPOINTMENTS_URL
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.cancellation_reason == Appointment.Reason.PATIENT
    clinic.slots[0].refresh_from_db()
    assert clinic.slots[0].status == Slot.Status.FREE
    assert "Запись отменена." in page_text(signed_in.get(APPOINTMENTS_URL))
    # Cancelled already: the page says so, a second POST changes nothing.
    response = signed_in.post(url)
    assert response.status_code == 409
    assert "Эту запись уже нельзя отменить." in page_text(response)


def test_a_started_visit_can_be_neither_cancelled_nor_moved(signed_in, clinic, time_machine):
    appointment = book(clinic, clinic.slots[0])
    time_machine.move_to(clinic.slots[0].start + timedelta(minutes=5), tick=False)
    for url in (
        reverse("health:cancel", args=[appointment.pk]),
        reverse("health:reschedule", args=[appointment.pk]),
    ):
        response = signed_in.get(url)
        assert response.status_code == 409
        assert "Приём уже начался" in page_text(response)
    response = signed_in.post(reverse("health:cancel", args=[appointment.pk]))
    assert response.status_code == 409
    html = page_text(signed_in.get(APPOINTMENTS_URL))
    assert reverse("health:cancel", args=[appointment.pk]) not in html
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_rescheduling_picks_a_new_time_and_moves_on_post(signed_in, clinic):
    appointment = book(clinic, clinic.slots[0])
    later = make_slots(clinic.schedule, datetime(2026, 12, 2, 9, tzinfo=MOSCOW), 2)
    url = reverse("health:reschedule", args=[appointment.pk])
    response = signed_in.get(url)
    assert response.status_code == 200
    picker = response.context["picker"]
    assert picker.nearest == clinic.slots[1]  # its own slot is not on offer
    assert f"{url}?day=2026-12-02" in page_text(response)
    response = signed_in.get(f"{url}?slot={later[0].pk}")
    html = page_text(response)
    assert "Перенести запись?" in html
    assert "Среда, 2 декабря 2026, 09:00" in html
    assert "Четверг, 26 ноября 2026, 10:00" in html
    response = signed_in.post(url, {"slot": later[0].pk})
    moved = Appointment.objects.get(status=Appointment.Status.BOOKED)
    assert response.status_code == 302
    assert response["Location"] == reverse("health:appointment", args=[moved.pk])
    assert moved.slot == later[0]
    appointment.refresh_from_db()
    assert appointment.cancellation_reason == Appointment.Reason.RESCHEDULED
    html = page_text(signed_in.get(response["Location"]))
    assert "Запись перенесена." in html
    assert "Оцените услугу" in html


def test_rescheduling_to_a_taken_slot_keeps_the_old_one_and_offers_others(signed_in, clinic):
    appointment = book(clinic, clinic.slots[0])
    other = PersonFactory()
    AttachmentFactory(person=other, organisation=clinic.organisation)
    booking.appointment_book(
        actor=other.user, person_id=other.pk, slot_id=clinic.slots[3].pk, channel="web"
    )
    url = reverse("health:reschedule", args=[appointment.pk])
    response = signed_in.post(url, {"slot": clinic.slots[3].pk})
    assert response.status_code == 409
    html = page_text(response)
    assert "Перенести не получилось" in html
    assert [item.slot_id for item in response.context["alternatives"]] == [
        slot.pk for slot in clinic.slots[4:8]
    ]
    assert f'action="{url}"' in html
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED
    response = signed_in.post(url, {"slot": clinic.slots[4].pk})
    assert response.status_code == 302
    assert Appointment.objects.get(person=clinic.patient, status="booked").slot == clinic.slots[4]


def test_rescheduling_to_another_specialty_is_not_found(signed_in, clinic):
    appointment = book(clinic, clinic.slots[0])
    slots = cardiologist_slots(clinic)
    url = reverse("health:reschedule", args=[appointment.pk])
    assert signed_in.get(f"{url}?slot={slots[0].pk}").status_code == 404
    response = signed_in.post(url, {"slot": slots[0].pk})
    assert response.status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_every_page_renders_in_english_too(signed_in, clinic):
    appointment = book(clinic, clinic.slots[0])
    signed_in.post("/i18n/setlang/", {"language": "en", "next": APPOINTMENTS_URL})
    for url in (
        APPOINTMENTS_URL,
        BOOK_URL,
        book_url(person=clinic.child.pk),
        book_url(person=clinic.patient.pk, specialty=therapist(clinic)),
        confirm_url(clinic, clinic.slots[2]),
        reverse("health:appointment", args=[appointment.pk]),
        reverse("health:reschedule", args=[appointment.pk]),
        reverse("health:reschedule", args=[appointment.pk]) + f"?slot={clinic.slots[3].pk}",
        reverse("health:cancel", args=[appointment.pk]),
    ):
        response = signed_in.get(url)
        assert response.status_code == 200, url
        assert '<html lang="en">' in page_text(response)
