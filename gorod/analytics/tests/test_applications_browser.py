"""The dashboard's section «Заявления по услугам» in a real browser, scanned by axe-core,
at a desktop width and a phone's."""

import pytest

from gorod.accounts.tests.factories import TEST_PASSWORD
from gorod.analytics.tests.dashboard_data import analyst
from gorod.applications.tests.performance_data import (
    definitions_setup,
    march_history,
)
from gorod.web.tests.browser import MOBILE
from gorod.web.tests.test_browser import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_catalog")]

MARCH = "/analytics/?from=2025-03-03&to=2025-03-16&compare=none"


def test_analyst_reads_the_applications_by_service(live_server, page, tmp_path, screenshot):
    definitions_setup(tmp_path)
    march_history()
    user = analyst()
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, login=user.email, password=TEST_PASSWORD)
    page.goto(f"{live_server.url}{MARCH}")
    section = page.locator("section").filter(
        has=page.get_by_role("heading", name="Заявления по услугам", level=2)
    )
    assert section.get_by_role("img", name="Отправлено заявлений").count() == 1
    table = section.get_by_role("table", name="Заявления по услугам")
    assert "Вызов врача на дом" in table.inner_text()
    assert "неизвестно" in section.inner_text()
    assert_accessible(page, "dashboard: applications by service")
    screenshot(page, "analytics-applications")

    page.set_viewport_size(MOBILE)
    page.reload()
    assert page.get_by_role("heading", name="Заявления по услугам", level=2).is_visible()
    assert_accessible(page, "dashboard: applications by service, mobile")
    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать «Заявления по услугам» в CSV").click()
    assert download.value.suggested_filename == "gorod-applications-2025-03-03_2025-03-16.csv"
