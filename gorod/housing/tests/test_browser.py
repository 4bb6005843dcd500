"""Meter readings in a real browser: a citizen with a year of history sends this month's
readings, fixes a refused value, opens a meter's chart and links another apartment, with an
axe-core scan of every page. GOROD_SCREENSHOTS=1 saves them at desktop and mobile widths."""

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from gorod.accounts.roles import sync_roles
from gorod.accounts.tests.factories import TEST_PASSWORD, PersonFactory, UserFactory
from gorod.housing import linking, rules, services
from gorod.housing.models import Reading
from gorod.housing.tests.conftest import IN_WINDOW, MOSCOW
from gorod.housing.tests.factories import MeterFactory, PremisesLinkFactory
from gorod.web.tests.browser import DESKTOP, MOBILE, both_widths
from gorod.web.tests.test_browser import assert_accessible, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_catalog")]


def year_of_readings(household) -> None:
    """Eleven months before November 2026, water used at a steady pace."""
    period = date(2025, 12, 1)
    for month in range(11):
        moment = datetime(period.year, period.month, 20, 12, tzinfo=MOSCOW)
        services.readings_submit(
            actor=household.user,
            premises_id=household.premises.pk,
            values={
                household.cold.pk: f"{10 + 4.5 * (month + 1):.3f}",
                household.hot.pk: f"{10 + 3 * (month + 1):.3f}",
            },
            idempotency_key=f"history-{month}",
            channel="web",
            now=moment,
        )
        period = rules.add_months(period, 1)


def test_citizen_sends_readings_and_reads_a_meters_history(
    live_server, page, household, time_machine, screenshot
):
    time_machine.move_to(IN_WINDOW)
    household.hot.next_verification_on = date(2026, 12, 5)  # due within 30 days
    household.hot.save()
    year_of_readings(household)
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, login=household.user.email, password=TEST_PASSWORD)

    page.goto(f"{live_server.url}/housing/")
    assert page.locator("h1").inner_text() == "Мои счётчики"
    main = page.locator("main")
    assert "Приём показаний за ноябрь 2026 открыт до 3 декабря включительно." in main.inner_text()
    assert "скоро поверка" in main.inner_text()
    assert_accessible(page, "my meters")
    both_widths(page, screenshot, "housing-meters")

    form = page.locator("form.readings-form")
    cold = form.get_by_label(re.compile("^Холодная вода"))
    hot = form.get_by_label(re.compile("^Горячая вода"))
    assert cold.get_attribute("inputmode") == "decimal"
    # A value below last month's: nothing is saved, the error stands by its field.
    cold.fill("20")
    hot.fill("44,5")
    submit(page, form.get_by_role("button", name="Передать показания"))
    assert "Показание меньше предыдущего (59,500)" in page.locator(".error-summary").inner_text()
    assert page.locator("[aria-invalid=true]").count() == 1
    assert not Reading.objects.filter(period=date(2026, 11, 1)).exists()
    assert_accessible(page, "readings form with an error")
    both_widths(page, screenshot, "housing-meters-error")

    # Fixed, but hot water far above the norm for two people: confirmed before it is saved.
    form = page.locator("form.readings-form")
    form.get_by_label(re.compile("^Холодная вода")).fill("63,25")
    form.get_by_label(re.compile("^Горячая вода")).fill("100")
    submit(page, form.get_by_role("button", name="Передать показания"))
    warning = page.locator(".warning-summary").inner_text()
    assert "Расход 57,0 м³ за 1 мес." in warning.replace("\xa0", " ")
    assert "от нормы 9,5 м³" in warning
    assert not Reading.objects.filter(period=date(2026, 11, 1)).exists()
    assert_accessible(page, "readings form with a warning")
    both_widths(page, screenshot, "housing-meters-warning")

    form = page.locator("form.readings-form")
    form.get_by_label("Подтверждаю показания").check()
    submit(page, form.get_by_role("button", name="Передать показания"))
    assert page.url == f"{live_server.url}/housing/"
    message = page.locator(".messages").inner_text()
    assert "Показания за ноябрь 2026 приняты" in message
    assert "63,250 м³" in message
    assert "100,000 м³" in message
    assert page.get_by_role("button", name="Отправить оценку").is_visible()
    assert_accessible(page, "my meters after sending")
    both_widths(page, screenshot, "housing-meters-sent")
    assert Reading.objects.filter(period=date(2026, 11, 1)).count() == 2

    page.locator("main .meter-cards").get_by_role("link", name=re.compile("^Холодная вода")).click()
    page.wait_for_url("**/housing/meters/*/")
    assert page.locator("svg[role=img]").is_visible()
    assert page.locator("table.history-table tbody tr").count() == 12
    assert "3,750" in page.locator("table.history-table").inner_text()  # November's use
    assert_accessible(page, "meter page with its chart")
    both_widths(page, screenshot, "housing-meter")

    page.goto(f"{live_server.url}/housing/premises/link/")
    assert_accessible(page, "link a premises")
    form = page.locator("main form")
    form.get_by_label("Код плательщика").fill("12345")
    form.get_by_label("Номер квартиры").fill("7")
    submit(page, form.get_by_role("button", name="Отправить заявку"))
    assert "10 цифр" in page.locator(".error-summary").inner_text()
    assert_accessible(page, "link a premises with an error")
    both_widths(page, screenshot, "housing-link-error")


def test_operator_rejects_a_flagged_reading_and_every_back_office_page_passes_axe(
    live_server, page, household, time_machine
):
    time_machine.move_to(IN_WINDOW)
    sync_roles()  # a transactional test starts from empty tables, groups included
    operator = UserFactory(is_staff=True)
    operator.groups.add(Group.objects.get(name="operator"))
    for moment, value, key in (
        (IN_WINDOW.replace(month=10), "20", "october"),
        (IN_WINDOW, "99", "leak"),
    ):
        services.readings_submit(
            actor=household.user,
            premises_id=household.premises.pk,
            values={household.cold.pk: value},
            idempotency_key=key,
            channel="web",
            confirm_warnings=True,
            now=moment,
        )
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, login=operator.email, password=TEST_PASSWORD)

    page.goto(f"{live_server.url}/housing/operator/")
    assert_accessible(page, "operator home")
    flagged = page.locator("article", has_text="99,000")
    flagged.get_by_label("Причина отклонения").fill("Утечка устранена, показание ошибочное")
    submit(page, flagged.get_by_role("button", name="Отклонить"))
    assert "Показание отклонено" in page.locator(".messages").inner_text()
    assert Reading.objects.get(value=99).status == Reading.Status.REJECTED

    payer_code = household.premises.payer_code
    for path, name in (
        (f"/housing/operator/premises/?payer_code={payer_code}", "premises card"),
        ("/housing/operator/verification/", "verification due"),
        ("/housing/operator/export/", "billing export"),
        (f"/housing/operator/meters/{household.hot.pk}/replace/", "meter replacement"),
    ):
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page, name)


@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["desktop", "mobile"])
def test_a_refused_reading_of_the_second_apartment_is_announced_at_the_top(
    live_server, new_context, household, time_machine, screenshot, viewport
):
    """The probe: the summary sat below the fold under the first apartment, the focus on
    the page's body, and a success said nothing."""
    time_machine.move_to(IN_WINDOW)
    second = PremisesLinkFactory(person=household.user.person, role="registered").premises
    second_cold = MeterFactory(premises=second, location="кухня")
    page = new_context(viewport=viewport).new_page()
    page.console_errors = []
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, login=household.user.email, password=TEST_PASSWORD)
    page.goto(f"{live_server.url}/housing/")
    width = "desktop" if viewport == DESKTOP else "mobile"

    form = page.locator(f"form[action='/housing/premises/{second.pk}/submit/']")
    field = form.get_by_label(re.compile("^Холодная вода, кухня"))
    field.fill("1")  # below the initial 10
    submit(page, form.get_by_role("button", name="Передать показания"))

    summary = page.locator(".error-summary")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert _in_viewport(page, summary)
    assert "Показание меньше предыдущего (10,000)" in summary.inner_text()
    assert str(second) in summary.inner_text()
    assert page.title().startswith("Ошибка:")
    assert_accessible(page, f"second apartment's error ({width})")
    screenshot(page, f"housing-second-error-{width}")
    # The summary's link leads to the field at fault.
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == field.get_attribute("id")

    form = page.locator(f"form[action='/housing/premises/{second.pk}/submit/']")
    form.get_by_label(re.compile("^Холодная вода, кухня")).fill("12,5")
    submit(page, form.get_by_role("button", name="Передать показания"))
    message = page.locator(".messages")
    assert "Показания за ноябрь 2026 приняты" in message.inner_text()
    assert _in_viewport(page, message)
    assert_accessible(page, f"second apartment sent ({width})")
    screenshot(page, f"housing-second-sent-{width}")
    assert Reading.objects.get(meter=second_cold).value == Decimal("12.5")


def _in_viewport(page, locator) -> bool:
    """At least the top of it is on screen (bounding boxes are relative to the viewport)."""
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + 20 <= page.viewport_size["height"]


def test_an_owner_confirms_a_neighbours_request_to_link_the_flat(
    live_server, page, household, time_machine, screenshot
):
    time_machine.move_to(IN_WINDOW)
    asking = PersonFactory(last_name="Соседова", first_name="Анна").user
    request = linking.link_request_create(
        actor=asking,
        payer_code=household.premises.payer_code,
        apartment=household.premises.apartment,
        role="tenant",
    )
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, login=household.user.email, password=TEST_PASSWORD)
    page.goto(f"{live_server.url}/housing/")
    page.get_by_role("link", name=re.compile("^Соседова Анна")).click()
    page.wait_for_url(f"**/housing/link-requests/{request.pk}/")
    assert "наниматель" in page.locator("main").inner_text()
    assert_accessible(page, "link request")
    both_widths(page, screenshot, "housing-link-request")
    submit(page, page.get_by_role("button", name="Подтвердить"))
    assert "Заявка подтверждена" in page.locator(".messages").inner_text()
    assert asking.person.premises_links.get().verified_by == "owner"
