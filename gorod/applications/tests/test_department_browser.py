"""The department's desk in a real browser: an operator finds an application in the queue,
registers it, reviews it, is told what is missing on a refusal, and decides — with an
axe-core scan of every page, at desktop and mobile widths."""

import pytest

from gorod.accounts.tests.factories import TEST_PASSWORD
from gorod.applications.models import Application
from gorod.web.tests.browser import both_widths
from gorod.web.tests.test_browser import assert_accessible, sign_in, submit

pytest_plugins = ["gorod.applications.tests.department_fixtures"]
pytestmark = [pytest.mark.browser]


def test_an_operator_works_an_application_to_a_decision(live_server, page, desk, screenshot):
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, login=desk.operator.email, password=TEST_PASSWORD)

    page.goto(f"{live_server.url}/applications/desk/")
    assert page.locator("h1").inner_text() == "Заявления: очередь ведомства"
    assert desk.decision.number in page.locator("main table").inner_text()
    assert_accessible(page, "the desk's queue")
    both_widths(page, screenshot, "applications-desk-queue")

    submit(page, page.get_by_role("link", name=desk.decision.number))
    assert "Переезд в новый район" in page.locator("main").inner_text()
    assert_accessible(page, "an application at the desk")
    both_widths(page, screenshot, "applications-desk-detail")

    submit(page, page.get_by_role("button", name="Зарегистрировать"))
    assert "Заявление зарегистрировано" in page.locator("main").inner_text()
    submit(page, page.get_by_role("button", name="Начать рассмотрение"))

    refuse = page.locator("form", has=page.get_by_role("heading", name="Отказать в услуге"))
    refuse.get_by_label("Как обжаловать").fill("")
    refuse.get_by_label("Причина отказа — основание из регламента").fill("Нет права.")
    submit(page, refuse.get_by_role("button", name="Отказать"))
    assert page.locator(".error-summary").count() == 1
    assert_accessible(page, "a refusal with a missing field")

    approve = page.locator("form", has=page.get_by_role("heading", name="Результат готов"))
    approve.get_by_label("Решение").fill("Вы прикреплены к поликлинике № 5.")
    submit(page, approve.get_by_role("button", name="Выдать результат"))
    assert "Результат готов" in page.locator("main").inner_text()
    assert Application.objects.get(pk=desk.decision.pk).status == "result_ready"
