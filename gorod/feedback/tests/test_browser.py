"""Rating a service in a real browser: the one-click form after a use, the error for a
too-long comment (nothing lost), the thank-you, and the cabinet's list — axe-scanned."""

import pytest

from gorod.accounts.tests.factories import TEST_PASSWORD, PersonFactory
from gorod.web.tests.test_browser import assert_accessible, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_catalog")]

INFO_SERVICE = "christmas-tree-recycling"


def test_citizen_rates_an_information_service_after_reading_it(live_server, page):
    person = PersonFactory()
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, login=person.user.email, password=TEST_PASSWORD)
    page.goto(f"{live_server.url}/services/{INFO_SERVICE}/")
    form = page.locator("form", has=page.get_by_role("button", name="Отправить оценку"))
    assert form.is_visible()
    assert_accessible(page, "service page with the rating form")

    # Too long a comment: a clear error next to the field, the stars and text kept. The
    # textarea's maxlength stops it in this browser; an older one, or a paste through an
    # extension, can still send more, so the server's answer is what is checked here.
    form.get_by_label("4").check()
    form.locator("textarea").evaluate("element => element.removeAttribute('maxlength')")
    form.locator("textarea").fill("Очень " * 200)
    submit(page, form.get_by_role("button", name="Отправить оценку"))
    assert "1000" in page.locator(".error-summary").inner_text()
    assert page.locator("textarea").input_value().startswith("Очень Очень")
    assert page.get_by_label("4").is_checked()
    assert_accessible(page, "rating form with an error")

    page.locator("textarea").fill("Понятно написано, спасибо")
    submit(page, page.get_by_role("button", name="Отправить оценку"))
    assert "Спасибо! Оценка сохранена." in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Изменить оценку").is_visible()

    page.goto(f"{live_server.url}/cabinet/")
    assert "4 из 5" in page.locator("main").inner_text()
    assert_accessible(page, "cabinet with my ratings")
