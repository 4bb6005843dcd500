"""Attachment by application in a real browser (issue 13, item 16): a newcomer's booking
leads to the application, the clinic's registrar confirms it, and she books. Every page
is scanned by axe; GOROD_SCREENSHOTS=1 saves them at desktop and mobile widths."""

import re
from datetime import datetime

import pytest
from django.contrib.auth.models import Group

from gorod.accounts.roles import sync_roles
from gorod.accounts.tests.factories import TEST_PASSWORD, PersonFactory, UserFactory
from gorod.appointments.tests.factories import ScheduleFactory
from gorod.appointments.tests.fixtures import MOSCOW, NOW, ensure_specialties, make_slots
from gorod.clinics.models import RegistrarPost
from gorod.clinics.tests.factories import LocationFactory, RoleFactory
from gorod.web.tests.browser import both_widths
from gorod.web.tests.test_browser import assert_accessible, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_catalog")]


def test_a_newcomer_applies_the_registry_confirms_and_she_books(
    live_server, new_context, time_machine, screenshot
):
    time_machine.move_to(NOW)
    sync_roles()
    ensure_specialties()
    location = LocationFactory(
        organisation__name="Городская поликлиника № 12", organisation__district="ЦАО"
    )
    clinic = location.organisation
    make_slots(
        ScheduleFactory(role=RoleFactory(location=location)),
        datetime(2026, 11, 26, 10, tzinfo=MOSCOW),
        4,
    )
    registrar = UserFactory()
    registrar.groups.add(Group.objects.get(name="registrar"))
    RegistrarPost.objects.create(user=registrar, organisation=clinic)
    newcomer = PersonFactory(last_name="Дмитриева", first_name="Ольга")

    page = new_context().new_page()
    page.console_errors = []
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, login=newcomer.user.email, password=TEST_PASSWORD)
    page.goto(f"{live_server.url}/health/book/")
    main = page.locator("main")
    submit(page, main.get_by_role("link", name="Прикрепиться к поликлинике"))
    assert page.locator("h1").inner_text() == "Прикрепление к поликлинике"
    main.get_by_label("Округ").select_option("ЦАО")
    submit(page, main.get_by_role("button", name="Найти"))
    assert_accessible(page, "attachment: clinics")
    both_widths(page, screenshot, "health-attach-clinics")
    submit(page, main.get_by_role("link", name=re.compile("Городская поликлиника № 12")))
    main.get_by_label("нет прикрепления ни к одной поликлинике").check()
    assert_accessible(page, "attachment: application")
    submit(page, main.get_by_role("button", name="Подать заявление"))
    assert "на рассмотрении" in main.inner_text()
    assert_accessible(page, "attachment: pending")
    both_widths(page, screenshot, "health-attach-pending")
    page.context.close()

    desk = new_context().new_page()
    desk.console_errors = []
    desk.goto(f"{live_server.url}/accounts/login/")
    sign_in(desk, login=registrar.email, password=TEST_PASSWORD)
    desk.goto(f"{live_server.url}/health/staff/")
    submit(desk, desk.locator("main").get_by_role("link", name="Заявления о прикреплении"))
    assert "Дмитриева Ольга" in desk.locator("main").inner_text()
    assert_accessible(desk, "desk: attachment applications")
    both_widths(desk, screenshot, "health-staff-attachments")
    submit(desk, desk.locator("main").get_by_role("button", name=re.compile("^Прикрепить")))
    assert "Новых заявлений нет." in desk.locator("main").inner_text()
    desk.context.close()

    page = new_context().new_page()
    page.console_errors = []
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, login=newcomer.user.email, password=TEST_PASSWORD)
    page.goto(f"{live_server.url}/health/book/")
    assert "К какому врачу записаться?" in page.locator("h1").inner_text()
    assert "Прикрепление к поликлинике оформлено" in page.goto(f"{live_server.url}/cabinet/").text()
