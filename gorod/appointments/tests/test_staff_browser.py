"""The registry's desk and the doctor's day in a real browser, with an axe-core scan of
every page. GOROD_SCREENSHOTS=1 saves them at desktop and mobile widths."""

from datetime import date, datetime

import pytest
from django.contrib.auth.models import Group

from gorod.accounts.roles import sync_roles
from gorod.accounts.tests.factories import TEST_PASSWORD, PersonFactory, UserFactory
from gorod.appointments.models import REGISTRY_CHANNEL, Appointment, Slot
from gorod.appointments.services import booking
from gorod.appointments.tests.factories import ReferralFactory, ScheduleFactory
from gorod.appointments.tests.fixtures import MOSCOW, NOW, ensure_specialties, make_slots
from gorod.clinics.models import RegistrarPost
from gorod.clinics.tests.factories import AttachmentFactory, LocationFactory, RoleFactory, specialty
from gorod.web.tests.browser import both_widths
from gorod.web.tests.test_browser import assert_accessible, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_catalog")]

VISIT_DAY = datetime(2026, 11, 26, 10, 40, tzinfo=MOSCOW)


@pytest.fixture
def polyclinic(transactional_db):
    """A clinic with a therapist and a cardiologist tomorrow, four booked patients, a
    registrar and the therapist's login; a new patient with a policy and a referral."""
    sync_roles()  # a transactional test starts from empty tables, groups included
    ensure_specialties()
    location = LocationFactory(name="Городская поликлиника № 12, филиал 3")
    organisation = location.organisation
    therapist = RoleFactory(location=location, room="214")
    therapist.practitioner.user = UserFactory()
    therapist.practitioner.save()
    slots = make_slots(
        ScheduleFactory(role=therapist), datetime(2026, 11, 26, 10, 0, tzinfo=MOSCOW), 12
    )
    Slot.objects.filter(pk__in=[slot.pk for slot in slots[8:]]).update(online=False)
    cardiologist = RoleFactory(location=location, specialty=specialty("cardiologist"), room="305")
    make_slots(ScheduleFactory(role=cardiologist), datetime(2026, 11, 26, 14, 0, tzinfo=MOSCOW), 6)
    names = ["Алексеева", "Борисов", "Васильева", "Григорьев"]
    for index, last_name in enumerate(names):
        person = PersonFactory(last_name=last_name)
        AttachmentFactory(person=person, organisation=organisation)
        booking.appointment_book(
            actor=person.user,
            person_id=person.pk,
            slot_id=slots[index * 2].pk,
            channel="web",
            now=NOW,
        )
    newcomer = PersonFactory(
        last_name="Дмитриева",
        first_name="Ольга",
        oms_policy="7750000000001234",
        birth_date=date(1979, 2, 14),
    )
    AttachmentFactory(person=newcomer, organisation=organisation)
    ReferralFactory(person=newcomer, number="77-00001234", diagnosis="I10")
    registrar = UserFactory()
    registrar.groups.add(Group.objects.get(name="registrar"))
    RegistrarPost.objects.create(user=registrar, organisation=organisation)
    return organisation, therapist, registrar, newcomer


def test_registrar_marks_books_and_edits_schedules_and_every_page_passes_axe(
    live_server, page, polyclinic, time_machine, screenshot
):
    organisation, _therapist, registrar, newcomer = polyclinic
    time_machine.move_to(VISIT_DAY)
    base = f"{live_server.url}/health/staff/clinics/{organisation.pk}"
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, login=registrar.email, password=TEST_PASSWORD)

    page.goto(f"{live_server.url}/health/staff/")
    assert page.locator("h1").inner_text() == "Регистратура"
    assert organisation.name in page.locator("main").inner_text()
    assert_accessible(page, "registry home")
    both_widths(page, screenshot, "health-staff-home")

    page.get_by_role("link", name="Приём по дням").first.click()
    page.wait_for_url("**/day/")
    row = page.locator("tr", has_text="Алексеева")
    assert "записан" in row.inner_text()
    assert_accessible(page, "day list")
    both_widths(page, screenshot, "health-staff-day")
    submit(page, row.get_by_role("button", name="Пришёл"))
    assert "«пришёл»" in page.locator(".messages").inner_text()
    assert "пришёл" in page.locator("tr", has_text="Алексеева").inner_text()
    assert_accessible(page, "day list after a mark")
    assert Appointment.objects.get(person__last_name="Алексеева").status == "arrived"
    _find_a_newcomer_and_book_by_referral(page, base, newcomer, screenshot)
    _schedules_refuse_bad_input(page, base, screenshot)


def _find_a_newcomer_and_book_by_referral(page, base, newcomer, screenshot):
    page.goto(f"{base}/book/")
    assert_accessible(page, "booking: find a patient")
    form = page.locator("main form", has_text="Номер полиса ОМС")
    form.get_by_label("Номер полиса ОМС").fill("7750 0000 0000 1234")
    form.get_by_label("Дата рождения").fill("1979-02-15")
    submit(page, form.get_by_role("button", name="Найти"))
    assert "Пациента с таким полисом и датой рождения нет" in page.locator("main").inner_text()
    assert_accessible(page, "booking: nobody found")
    form = page.locator("main form", has_text="Номер полиса ОМС")
    form.get_by_label("Дата рождения").fill("1979-02-14")
    submit(page, form.get_by_role("button", name="Найти"))
    assert page.locator("#patient-title").inner_text() == newcomer.full_name
    assert "7750000000001234" not in page.url

    page.get_by_label("Специальность", exact=True).select_option(label="Участковый терапевт")
    submit(page, page.get_by_role("button", name="Показать время"))
    registry_only = page.locator("label", has_text="только регистратура").first
    assert registry_only.is_visible()
    assert_accessible(page, "booking: free slots")
    both_widths(page, screenshot, "health-staff-book")
    registry_only.click()
    submit(page, page.get_by_role("button", name="Записать"))
    assert "Дмитриева Ольга Петровна: Участковый терапевт, 26 ноября, 12:00" in (
        page.locator(".messages").inner_text()
    )
    booked = Appointment.objects.get(person=newcomer)
    assert (booked.channel, booked.slot.online) == (REGISTRY_CHANNEL, False)
    assert_accessible(page, "booking: done")

    # A cardiologist needs a referral: refused without, booked with it.
    page.get_by_label("Специальность", exact=True).select_option(label="Кардиолог")
    submit(page, page.get_by_role("button", name="Показать время"))
    page.locator("main fieldset label").first.click()
    submit(page, page.get_by_role("button", name="Записать"))
    assert "направлени" in page.locator(".error-summary").inner_text()
    assert_accessible(page, "booking: refused")
    both_widths(page, screenshot, "health-staff-book-refused")
    page.locator("main fieldset label").first.click()
    page.get_by_label("Направление").select_option(label="№ 77-00001234: Кардиолог")
    submit(page, page.get_by_role("button", name="Записать"))
    assert "Кардиолог" in page.locator(".messages").inner_text()
    assert Appointment.objects.filter(person=newcomer).count() == 2


def _schedules_refuse_bad_input(page, base, screenshot):
    page.goto(f"{base}/schedules/")
    assert_accessible(page, "schedules")
    both_widths(page, screenshot, "health-staff-schedules")
    absence = page.locator("form", has_text="Внести отсутствие")
    absence.get_by_label("Врач").select_option(index=1)
    absence.get_by_label("Причина").fill("отпуск")
    submit(page, absence.get_by_role("button", name="Внести отсутствие"))
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page, "absence with errors")

    page.get_by_role("link", name="Изменить").first.click()
    page.wait_for_url("**/schedules/*/")
    assert_accessible(page, "schedule form")
    both_widths(page, screenshot, "health-staff-schedule-form")
    page.get_by_label("Конец приёма").fill("07:00")
    submit(page, page.get_by_role("button", name="Сохранить"))
    assert "Конец приёма должен быть позже начала." in page.locator(".error-summary").inner_text()
    assert_accessible(page, "schedule form with an error")


def test_doctor_reads_their_day(live_server, page, polyclinic, time_machine, screenshot):
    _organisation, therapist, _registrar, _newcomer = polyclinic
    time_machine.move_to(VISIT_DAY)
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, login=therapist.practitioner.user.email, password=TEST_PASSWORD)
    page.goto(f"{live_server.url}/health/staff/")
    page.wait_for_url("**/health/staff/doctor/")
    assert page.locator("h1").inner_text() == "Мой приём"
    assert page.locator("tbody tr").count() == 4
    assert "Борисов" in page.locator("main").inner_text()
    # The day changes nothing itself: its only forms open each visit's protocol.
    forms = page.locator("main form[method=post]")
    assert forms.count() == 4
    for index in range(4):
        assert forms.nth(index).get_attribute("action").endswith("/encounter/")
    assert_accessible(page, "doctor's day")
    both_widths(page, screenshot, "health-staff-doctor")
