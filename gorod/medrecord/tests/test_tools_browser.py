"""The citizen's record tools in a real browser: certificates (order, download), the health
diary (add with a refusal, chart, delete), «Кто смотрел мою карту» and the delegations
pages — with an axe-core scan of every page. Screenshots go to /tmp/tools_*.png (to look
at) and, with GOROD_SCREENSHOTS=1, to the usual artifacts at both widths."""

import tempfile
from datetime import date, timedelta
from importlib import import_module
from pathlib import Path

import pytest

from gorod.accounts.tests.factories import TEST_PASSWORD, PersonFactory, UserFactory
from gorod.appointments.tests.factories import AppointmentFactory
from gorod.appointments.tests.fixtures import NOW, health_models
from gorod.medrecord.models.record import DiaryReading, Entry
from gorod.medrecord.selectors.access import record_open
from gorod.medrecord.tests.factories import certificate_entry, diary_reading
from gorod.web.tests.browser import both_widths
from gorod.web.tests.test_browser import assert_accessible, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_catalog")]


@pytest.fixture(autouse=True)
def specialties(transactional_db):
    """The specialties of migration 0002: a transactional test's flush removed them."""
    import_module("gorod.health.migrations.0002_specialties").add_specialties(health_models, None)


def look(page, screenshot, name: str, what: str) -> None:
    assert_accessible(page, what)
    page.screenshot(path=Path(tempfile.gettempdir()) / f"tools_{name}.png", full_page=True)
    both_widths(page, screenshot, f"record-tools-{name}")


def test_citizen_uses_certificates_diary_access_log_and_delegations(
    live_server, page, clinic, time_machine, screenshot
):
    time_machine.move_to(NOW)
    patient = clinic.patient
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, login=patient.user.email, password=TEST_PASSWORD)
    patient.oms_policy = "7700000000000011"
    patient.save(update_fields=["oms_policy"])
    ready = certificate_entry(
        patient, kind="school", status="ready", organisation=clinic.organisation
    )
    for day, (high, low) in enumerate([(132, 86), (128, 84), (141, 92), (126, 80)]):
        diary_reading(
            patient,
            kind="pressure",
            value=high,
            value_low=low,
            measured_at=NOW - timedelta(days=6 - 2 * day, hours=1),
        )
    for day, pulse in enumerate([72, 80, 76]):
        diary_reading(patient, kind="pulse", value=pulse, measured_at=NOW - timedelta(days=3 - day))
    doctor = clinic.therapist.practitioner
    doctor.user = UserFactory()
    doctor.save(update_fields=["user"])
    AppointmentFactory(person=patient, slot=clinic.slot_at(0))
    record_open(actor=doctor.user, person_id=patient.pk, section="labs", channel="web")
    son = PersonFactory(
        last_name="Петров",
        first_name="Илья",
        oms_policy="7700000000000012",
        birth_date=date(1995, 4, 2),
    )
    base = f"{live_server.url}/health/record/{patient.pk}"

    _certificates_download_and_order(page, base, patient, ready, screenshot)
    _diary_refuses_then_adds_and_deletes(page, base, screenshot)
    _who_looked_and_the_childs_log(page, clinic, doctor, screenshot)
    _delegation_refused_then_granted(page, live_server, son, screenshot)


def _certificates_download_and_order(page, base, patient, ready, screenshot):
    # Certificates: the ready one downloads; a new order is ready the next working day.
    page.goto(f"{base}/certificates/")
    assert page.locator("h1").inner_text() == "Справки"
    assert ready.certificate.number in page.locator("main").inner_text()
    look(page, screenshot, "certificates", "certificates")
    with page.expect_download() as download:
        page.locator("main .certificate-list").get_by_role("link", name="Скачать PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.locator("main").get_by_role("link", name="Заказать справку").click()
    page.wait_for_url("**/certificates/order/")
    look(page, screenshot, "certificate_order", "certificate order")
    form = page.locator("main form")
    form.get_by_label("Какая справка нужна").select_option("pool")
    form.get_by_label("Куда предъявить").fill("бассейн «Чайка»")
    submit(page, form.get_by_role("button", name="Заказать"))
    assert "Справка заказана. Она будет готова 26 ноября" in page.locator("main").inner_text()
    assert "будет готова 26 ноября" in page.locator("main .certificate-list").inner_text()
    look(page, screenshot, "certificates_ordered", "certificates after an order")
    assert Entry.objects.filter(patient=patient, status="ordered").count() == 1


def _diary_refuses_then_adds_and_deletes(page, base, screenshot):
    # The diary: a refusal next to its field, then a reading; charts per kind.
    page.goto(f"{base}/diary/")
    assert page.locator("svg.chart-svg").count() == 2
    form = page.locator("main form")
    form.get_by_label("Показатель").select_option("pressure")
    form.get_by_label("Значение").fill("120")
    form.get_by_label("Нижнее давление").fill("130")
    submit(page, form.get_by_role("button", name="Сохранить"))
    assert (
        "Нижнее давление должно быть меньше верхнего" in page.locator(".error-summary").inner_text()
    )
    look(page, screenshot, "diary_error", "diary with a refusal")
    form = page.locator("main form")
    form.get_by_label("Нижнее давление").fill("79")
    submit(page, form.get_by_role("button", name="Сохранить"))
    assert "Показание записано в дневник." in page.locator("main").inner_text()
    look(page, screenshot, "diary", "diary")
    page.locator("main").get_by_role("link", name="Удалить").first.click()
    page.wait_for_url("**/delete/")
    look(page, screenshot, "diary_delete", "diary delete confirmation")
    count = DiaryReading.objects.count()
    submit(page, page.locator("main form").get_by_role("button", name="Удалить"))
    assert DiaryReading.objects.count() == count - 1


def _who_looked_and_the_childs_log(page, clinic, doctor, screenshot):
    # Who looked: the doctor's look is there; the switch leads to the child's log.
    page.locator("main .record-nav").get_by_role("link", name="Кто смотрел карту").click()
    page.wait_for_url("**/access-log/")
    table = page.locator("main table").inner_text()
    assert doctor.last_name in table
    assert "лечащий врач" in table
    look(page, screenshot, "access_log", "access log")
    page.get_by_label("В качестве").select_option("clinician")
    submit(page, page.locator("main form").get_by_role("button", name="Показать"))
    assert "Просмотров: 1" in page.locator("main").inner_text()
    page.locator(".record-switch").get_by_role("link", name=clinic.child.full_name).click()
    page.wait_for_url(f"**/health/record/{clinic.child.pk}/access-log/")


def _delegation_refused_then_granted(page, live_server, son, screenshot):
    # Delegations: from the profile, a wrong birth date, then a grant.
    page.goto(f"{live_server.url}/accounts/profile/")
    page.locator("main").get_by_role("link", name="Мои доверенности").click()
    page.wait_for_url("**/accounts/delegations/")
    look(page, screenshot, "delegations_empty", "delegations, none")
    page.locator("main").get_by_role("link", name="Выдать доверенность").click()
    form = page.locator("main form")
    form.get_by_label("Полис ОМС доверенного лица").fill(son.oms_policy)
    form.get_by_label("Дата рождения доверенного лица").fill("1995-04-03")
    form.get_by_label("просмотр медицинской карты").check()
    submit(page, form.get_by_role("button", name="Выдать доверенность"))
    assert "Не нашли человека" in page.locator(".error-summary").inner_text()
    look(page, screenshot, "delegation_grant_error", "delegation grant with a refusal")
    form = page.locator("main form")
    form.get_by_label("Дата рождения доверенного лица").fill("1995-04-02")
    submit(page, form.get_by_role("button", name="Выдать доверенность"))
    assert "Доверенность выдана и уже действует." in page.locator("main").inner_text()
    assert son.full_name in page.locator("main").inner_text()
    look(page, screenshot, "delegations", "delegations")
