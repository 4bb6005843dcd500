"""The analytics pages in a real browser, with an axe-core scan of each.

Uses the browser fixtures of gorod/web/tests/browser.py (a plugin of the root conftest).
GOROD_SCREENSHOTS=1 saves the pages to test-artifacts/screenshots/.
"""

from datetime import date

import pytest

from gorod.accounts.tests.factories import TEST_PASSWORD
from gorod.analytics.tests.dashboard_data import analyst, demo_year
from gorod.web.tests.browser import MOBILE
from gorod.web.tests.test_browser import assert_accessible, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_catalog")]

LAST = date(2025, 10, 31)


def test_analyst_reads_the_dashboard_and_downloads_a_table(live_server, page, screenshot):
    demo_year(LAST)
    user = analyst()
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, login=user.email, password=TEST_PASSWORD)
    page.locator("header").get_by_role("link", name="Аналитика").click()
    page.wait_for_url("**/analytics/")
    assert page.locator("h1").inner_text() == "Аналитика портала"
    # The default period: the last 30 rolled-up days.
    assert page.get_by_label("Начало периода", exact=True).input_value() == "2025-10-02"
    assert page.locator("svg[role=img]").count() >= 6
    assert_accessible(page, "dashboard")

    form = page.locator("main form.dash-filter")
    form.get_by_label("Начало периода", exact=True).fill("2024-11-01")
    submit(page, form.get_by_role("button", name="Показать"))
    assert "from=2024-11-01" in page.url
    assert "1 ноября 2024 — 31 октября 2025" in page.locator("main").inner_text()
    assert_accessible(page, "dashboard over a year")
    screenshot(page, "analytics-dashboard-year")

    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать «Услуги по числу обращений» в CSV").click()
    assert download.value.suggested_filename == "gorod-services-2024-11-01_2025-10-31.csv"

    form = page.locator("main form.dash-filter")
    form.get_by_label("Начало периода", exact=True).fill("2025-12-01")
    submit(page, form.get_by_role("button", name="Показать"))
    assert "Начало периода позже его конца." in page.locator(".error-summary").inner_text()
    assert_accessible(page, "dashboard with an error")


def test_open_data_page_for_everyone(live_server, page, new_context, screenshot):
    demo_year(LAST, days=120)
    page.goto(live_server.url)
    page.locator("footer").get_by_role("link", name="Статистика портала: открытые данные").click()
    page.wait_for_url("**/analytics/open-data/")
    assert page.locator("h1").inner_text() == "Открытые данные: статистика портала"
    main = page.locator("main").inner_text()
    assert "1 октября 2025 — 31 октября 2025" in main
    assert "Электронная медицинская карта" in main
    assert_accessible(page, "open data")
    screenshot(page, "analytics-open-data")

    mobile = new_context(viewport=MOBILE, java_script_enabled=False).new_page()
    mobile.console_errors = []
    mobile.goto(f"{live_server.url}/analytics/open-data/?from=2025-09-01&to=2025-09-30")
    assert "1 сентября 2025 — 30 сентября 2025" in mobile.locator("main").inner_text()
    screenshot(mobile, "analytics-open-data-mobile")
