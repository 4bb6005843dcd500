"""Doctor appointments in a real browser: a parent books herself through the four steps,
moves the visit, books her child and, when the chosen time is taken meanwhile, takes one
of the times offered instead, then cancels — with an axe-core scan of every page.
GOROD_SCREENSHOTS=1 saves them at desktop and mobile widths."""

import re
from datetime import datetime

import pytest

from gorod.accounts.models import Guardianship
from gorod.accounts.tests.factories import TEST_PASSWORD, ChildFactory, PersonFactory
from gorod.appointments.models import Appointment
from gorod.appointments.services import booking
from gorod.appointments.tests.factories import ScheduleFactory
from gorod.appointments.tests.fixtures import MOSCOW, NOW, ensure_specialties, make_slots, staff
from gorod.clinics.tests.factories import AttachmentFactory, RoleFactory, specialty
from gorod.web.tests.browser import both_widths
from gorod.web.tests.test_browser import assert_accessible, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_catalog")]


@pytest.fixture(autouse=True)
def specialties(transactional_db):
    ensure_specialties()


def test_citizen_books_moves_and_cancels_through_the_pages(
    live_server, page, clinic, time_machine, screenshot
):
    time_machine.move_to(NOW)
    make_slots(clinic.schedule, datetime(2026, 12, 2, 9, tzinfo=MOSCOW), 4)
    pediatrician = RoleFactory(
        location=clinic.therapist.location, specialty=specialty("pediatrician"), room="12"
    )
    childs_slots = make_slots(
        ScheduleFactory(role=pediatrician), datetime(2026, 11, 27, 9, tzinfo=MOSCOW), 6
    )
    staff(clinic, "cardiologist")
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, login=clinic.patient.user.email, password=TEST_PASSWORD)
    appointment = _book_in_four_steps(page, live_server, clinic, screenshot)
    _download_it_and_move_it(page, appointment, clinic, screenshot)
    _book_the_child_when_the_time_is_taken(page, live_server, clinic, childs_slots, screenshot)
    _cancel_the_childs(page, live_server, clinic, screenshot)


def _book_in_four_steps(page, live_server, clinic, screenshot) -> Appointment:
    # The cabinet leads to the service.
    page.goto(f"{live_server.url}/cabinet/")
    page.locator("main .card-grid").get_by_role("link", name=re.compile("Запись к врачу")).click()
    page.wait_for_url("**/health/")
    assert page.locator("h1").inner_text() == "Мои записи"
    assert "Предстоящих приёмов нет." in page.locator("main").inner_text()
    assert_accessible(page, "my appointments, none yet")
    both_widths(page, screenshot, "health-appointments-empty")

    # Step 1: whom.
    page.locator("main").get_by_role("link", name="Записаться к врачу").click()
    page.wait_for_url("**/health/book/")
    assert "Кого записать к врачу?" in page.locator("h1").inner_text()
    assert_accessible(page, "booking step 1: whom")
    both_widths(page, screenshot, "health-book-person")
    page.locator("main .choice-cards").get_by_role(
        "link", name=re.compile(clinic.patient.full_name)
    ).click()

    # Step 2: the specialty.
    page.wait_for_url("**/health/book/?person=*")
    assert "К какому врачу записаться?" in page.locator("h1").inner_text()
    assert "Кардиолог" in page.locator("main").inner_text()
    assert_accessible(page, "booking step 2: specialty")
    both_widths(page, screenshot, "health-book-specialty")
    page.locator("main").get_by_role("link", name=re.compile("Участковый терапевт")).click()

    # Step 3: the day and the time; the first free day is open, another is a link away.
    page.wait_for_url("**specialty=*")
    assert "Ближайшее свободное время" in page.locator("main").inner_text()
    assert page.locator(".slot-times a").count() == 8
    assert_accessible(page, "booking step 3: free time")
    both_widths(page, screenshot, "health-book-slots")
    page.locator(".day-picker").get_by_role("link", name=re.compile("2 декабря")).click()
    page.wait_for_url("**day=2026-12-02")
    assert page.locator(".day-picker [aria-current=date]").inner_text().endswith("2 декабря")
    assert page.locator(".slot-times a").count() == 4
    page.locator(".slot-times").get_by_role("link", name="09:15").click()

    # Step 4: confirm.
    page.wait_for_url("**slot=*")
    assert "Среда, 2 декабря 2026, 09:15" in page.locator("main").inner_text()
    assert_accessible(page, "booking step 4: confirm")
    both_widths(page, screenshot, "health-book-confirm")
    submit(page, page.locator("main form").get_by_role("button", name="Записаться"))
    assert "Готово: вы записаны на приём." in page.locator(".messages").inner_text()
    assert page.get_by_role("button", name="Отправить оценку").is_visible()
    appointment = Appointment.objects.get(person=clinic.patient)
    assert appointment.start == datetime(2026, 12, 2, 9, 15, tzinfo=MOSCOW)
    assert_accessible(page, "appointment booked")
    both_widths(page, screenshot, "health-booked")
    return appointment


def _download_it_and_move_it(page, appointment, clinic, screenshot):
    # The calendar file.
    with page.expect_download() as download:
        page.locator("main").get_by_role("link", name=re.compile("Добавить в календарь")).click()
    assert download.value.suggested_filename == f"appointment-{appointment.pk}-20261202-0915.ics"

    # Move it to the nearest time.
    page.locator("main").get_by_role("link", name=re.compile("^Перенести")).click()
    page.wait_for_url("**/reschedule/")
    assert_accessible(page, "reschedule: free time")
    both_widths(page, screenshot, "health-reschedule")
    page.locator("main .nearest").get_by_role("link", name="Выбрать это время").click()
    page.wait_for_url("**/reschedule/?*slot=*")
    assert_accessible(page, "reschedule: confirm")
    both_widths(page, screenshot, "health-reschedule-confirm")
    submit(page, page.locator("main form").get_by_role("button", name="Перенести запись"))
    assert "Запись перенесена." in page.locator(".messages").inner_text()
    moved = Appointment.objects.get(person=clinic.patient, status="booked")
    assert moved.slot == clinic.slots[0]


def _book_the_child_when_the_time_is_taken(page, live_server, clinic, childs_slots, screenshot):
    # The child: the time chosen is taken before the click, one of those offered is booked.
    page.goto(f"{live_server.url}/health/book/?person={clinic.child.pk}")
    page.locator("main").get_by_role("link", name=re.compile("Участковый педиатр")).click()
    page.wait_for_url("**specialty=*")
    page.locator(".slot-times").get_by_role("link", name="09:00").click()
    page.wait_for_url("**slot=*")
    neighbour, their_child = PersonFactory(), ChildFactory()
    Guardianship.objects.create(guardian=neighbour, child=their_child, kind="parent")
    AttachmentFactory(person=their_child, organisation=clinic.organisation)
    booking.appointment_book(
        actor=neighbour.user, person_id=their_child.pk, slot_id=childs_slots[0].pk, channel="web"
    )
    submit(page, page.locator("main form").get_by_role("button", name="Записаться"))
    main = page.locator("main")
    assert "Это время уже занято. Выберите другое." in main.inner_text()
    offered = main.locator(".alternatives").get_by_role("button")
    assert offered.count() == 5
    assert_accessible(page, "slot taken, alternatives offered")
    both_widths(page, screenshot, "health-book-taken")
    submit(page, offered.first)
    assert Appointment.objects.get(person=clinic.child).slot == childs_slots[1]


def _cancel_the_childs(page, live_server, clinic, screenshot):
    # "Мои записи" with both, then a cancellation.
    page.goto(f"{live_server.url}/health/")
    assert page.locator(".appointment-card").count() == 2
    assert_accessible(page, "my appointments")
    both_widths(page, screenshot, "health-appointments")
    child_card = page.locator(".appointment-card", has_text=clinic.child.full_name)
    child_card.get_by_role("link", name=re.compile("^Отменить")).click()
    page.wait_for_url("**/cancel/")
    assert_accessible(page, "cancel: confirm")
    both_widths(page, screenshot, "health-cancel")
    submit(page, page.locator("main form").get_by_role("button", name="Отменить запись"))
    assert "Запись отменена." in page.locator(".messages").inner_text()
    assert page.locator(".appointment-card").count() == 1
    assert "Прошедшие и отменённые" in page.locator("main").inner_text()
    assert_accessible(page, "my appointments after cancelling")
    both_widths(page, screenshot, "health-appointments-after")
