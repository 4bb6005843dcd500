"""Three long-tail services in a real browser, followed to their results.

A citizen applies for a parking permit for themself (a condition shown live), enrols their
child in a sports school with a medical certificate uploaded, and asks for a library card;
the department's side is played by `application_move` (its pages are another module's): it
asks for more about the permit, issues it as a file, readies the school's contract for
collection at an МФЦ and refuses the card. Every page is scanned by axe-core; with
GOROD_SCREENSHOTS=1 they are saved at desktop and mobile widths.
"""

import hashlib
import re

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from gorod.accounts.tests.factories import TEST_PASSWORD
from gorod.applications.models import Application, File
from gorod.applications.services.moves import application_move
from gorod.applications.tests.factories import (
    PDF_BYTES,
    citizen_make,
    definitions_load,
    offices_make,
)
from gorod.web.tests.browser import both_widths
from gorod.web.tests.test_browser import assert_accessible, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_catalog")]


def department(application: Application, *moves: tuple[str, str]) -> None:
    """The department's operator moves the application on, as its back office would."""
    for to, text in moves:
        application.refresh_from_db()
        updates = {"decision_text": text} if to in ("result_ready", "refused") else None
        with transaction.atomic():
            application_move(
                application,
                to=to,
                by="department",
                actor=None,
                now=timezone.now(),
                text=text,
                updates=updates,
            )


def result_file(application: Application) -> None:
    file = File(
        application=application,
        purpose=File.Purpose.RESULT,
        name="разрешение.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        sha256=hashlib.sha256(PDF_BYTES).hexdigest(),
    )
    file.blob.save(str(file.public_id), ContentFile(PDF_BYTES), save=False)
    file.save()


def save_step(page) -> None:
    submit(
        page,
        page.locator("main form.stack-form").get_by_role("button", name=re.compile("^Сохранить")),
    )


def consent_and_submit(page, screenshot, name: str) -> None:
    page.get_by_label(re.compile("^Согласен на обработку")).check()
    page.get_by_label(re.compile("^Сведения в заявлении верны")).check()
    save_step(page)
    assert page.locator("h1").inner_text() == "Проверьте заявление и отправьте его"
    assert_accessible(page, f"{name}: review")
    both_widths(page, screenshot, f"applications-{name}-review")
    submit(page, page.get_by_role("button", name="Отправить заявление"))
    assert "отправлено в ведомство" in page.locator(".messages").inner_text()


def apply_for_parking(page, base: str, screenshot) -> None:
    page.goto(f"{base}/services/resident-parking-permit/")
    assert "Постановление Правительства Москвы" in page.locator("main").inner_text()
    assert_accessible(page, "form service page")
    both_widths(page, screenshot, "applications-service-page")
    submit(page, page.get_by_role("button", name="Подать заявление"))
    assert page.locator("h1").inner_text().startswith("Шаг 1 из 3")
    lease = page.get_by_label(re.compile("^Номер договора лизинга"))
    assert lease.is_hidden()
    page.get_by_label(re.compile("^Госномер")).fill("А123ВС777")
    page.get_by_label("У дома").check()
    page.get_by_label("В лизинге").check()
    assert lease.is_visible()  # shown as soon as the answer calls for it
    lease.fill("Л-2026-15")
    page.get_by_label(re.compile("^Число мест")).fill("12")
    page.get_by_label(re.compile("^Дата регистрации автомобиля")).fill("2020-05-01")
    save_step(page)
    # Twelve seats is too many: the summary takes the focus, the values stay.
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert "Не больше 9" in page.locator(".error-summary").inner_text()
    assert page.get_by_label(re.compile("^Госномер")).input_value() == "А123ВС777"
    assert_accessible(page, "step with an error")
    both_widths(page, screenshot, "applications-step-error")
    page.get_by_label(re.compile("^Число мест")).fill("5")
    save_step(page)
    page.get_by_label(re.compile("^Адрес дома")).fill("ул. Тверская, д. 13, кв. 5")
    page.get_by_label(re.compile("^Телефон для связи")).fill("+7 495 123-45-67")
    save_step(page)
    consent_and_submit(page, screenshot, "parking")


def apply_for_the_child(page, base: str, screenshot, citizen) -> None:
    page.goto(f"{base}/services/sports-school/")
    submit(page, page.get_by_role("button", name="Подать заявление"))
    page.get_by_label(citizen.child.full_name).check()
    page.get_by_label("Плавание").check()
    page.locator('input[type="file"][name="medical"]').set_input_files(
        files=[{"name": "справка.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    submit(page, page.get_by_role("button", name="Загрузить"))
    assert "справка.pdf" in page.locator(".file-list").inner_text()
    assert_accessible(page, "step with an upload")
    both_widths(page, screenshot, "applications-upload")
    save_step(page)
    page.get_by_label(re.compile("^Телефон для связи")).fill("8 (916) 000-11-22")
    save_step(page)
    consent_and_submit(page, screenshot, "school")


def apply_for_the_card(page, base: str, screenshot) -> None:
    page.goto(f"{base}/services/library-card/")
    page.get_by_label("За себя").check()
    submit(page, page.get_by_role("button", name="Подать заявление"))
    page.get_by_label("Нет", exact=True).check()
    page.get_by_label(re.compile("^Электронная почта")).fill("reader@example.ru")
    save_step(page)
    consent_and_submit(page, screenshot, "library")


def test_three_services_applied_for_and_followed_to_their_results(live_server, page, screenshot):
    definitions_load()
    offices_make()
    citizen = citizen_make()
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    sign_in(page, login=citizen.user.email, password=TEST_PASSWORD)

    apply_for_parking(page, base, screenshot)
    apply_for_the_child(page, base, screenshot, citizen)
    apply_for_the_card(page, base, screenshot)
    parking, school, card = (
        Application.objects.get(service__slug=slug)
        for slug in ("resident-parking-permit", "sports-school", "library-card")
    )
    assert school.subject == citizen.child
    assert school.files.count() == 1

    # The permit: more is asked, the citizen answers, the permit is issued as a file.
    department(parking, ("registered", ""), ("in_review", ""), ("info_requested", "Пришлите СТС."))
    page.goto(f"{base}/applications/{parking.public_id}/")
    assert "Пришлите СТС." in page.locator("main").inner_text()
    assert_accessible(page, "application with a request")
    both_widths(page, screenshot, "applications-request")
    page.get_by_label(re.compile("^Ваш ответ")).fill("СТС приложено.")
    page.locator('input[type="file"][name="files"]').set_input_files(
        files=[{"name": "стс.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    submit(page, page.get_by_role("button", name="Отправить ответ"))
    assert "Ответ отправлен" in page.locator(".messages").inner_text()
    result_file(parking)
    department(parking, ("result_ready", "Разрешение внесено в реестр."))
    page.reload()
    assert "Разрешение внесено в реестр." in page.locator("main").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="разрешение.pdf").click()
    assert download.value.suggested_filename == "разрешение.pdf"
    submit(page, page.get_by_role("button", name="Я получил(а) результат"))
    assert page.get_by_role("heading", name="Оцените услугу").is_visible()
    assert_accessible(page, "finished application with its rating")
    both_widths(page, screenshot, "applications-finished")

    # The school: the contract is collected at an МФЦ.
    department(school, ("registered", ""), ("in_review", ""), ("result_ready", "Зачислен."))
    page.goto(f"{base}/applications/{school.public_id}/")
    main = page.locator("main").inner_text()
    assert "Центр госуслуг района Тестовый-1" in main
    assert "Зачислен." in main

    # The card: refused, with the reason and the offer to rate.
    department(card, ("registered", ""), ("in_review", ""), ("refused", "Билет уже выдан."))
    page.goto(f"{base}/applications/{card.public_id}/")
    assert "Билет уже выдан." in page.locator("main").inner_text()
    assert page.get_by_role("heading", name="Оцените услугу").is_visible()

    page.goto(f"{base}/applications/")
    rows = page.locator("table.app-table tbody tr")
    assert rows.count() == 3
    assert_accessible(page, "my applications")
    both_widths(page, screenshot, "applications-mine")
