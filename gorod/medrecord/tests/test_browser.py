"""The medical record in a real browser: a parent reads her timeline, a lab report with its
charts, a visit protocol and the print view, then her child's record, with an axe-core scan
of every page at desktop and mobile widths. GOROD_SCREENSHOTS=1 saves the pages as
/tmp/record_<name>-<width>.png."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest

from gorod.accounts.tests.factories import TEST_PASSWORD
from gorod.appointments.tests.fixtures import NOW, ensure_specialties
from gorod.medrecord.tests.factories import (
    condition_entry,
    encounter_entry,
    immunization_entry,
    lab_entry,
    prescription_entry,
)
from gorod.web.tests.browser import DESKTOP, MOBILE
from gorod.web.tests.test_browser import assert_accessible, sign_in, submit

# Where the brief asks the screenshots to be (the suite's own go to test-artifacts/).
SHOTS = Path("/tmp")  # noqa: S108
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_catalog")]


@pytest.fixture(autouse=True)
def specialties(transactional_db):
    ensure_specialties()


def check(page, name: str) -> None:
    """axe-core at both widths; the screenshots when asked for."""
    for width, size in (("desktop", DESKTOP), ("mobile", MOBILE)):
        page.set_viewport_size(size)
        assert_accessible(page, f"{name} ({width})")
        if os.environ.get("GOROD_SCREENSHOTS") == "1":
            page.screenshot(path=str(SHOTS / f"record_{name}-{width}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_citizen_reads_her_record_and_her_childs(live_server, page, clinic, time_machine):
    time_machine.move_to(NOW)
    # Seven suites share two cores here; the first page compiles every template.
    page.set_default_timeout(60_000)
    patient = clinic.patient
    lab_entry(patient, occurred_at=NOW - timedelta(days=200))
    lab_entry(
        patient,
        occurred_at=NOW - timedelta(days=100),
        observations=[
            ("718-7", "Гемоглобин", "118", "г/л", "120", "160"),
            ("6690-2", "Лейкоциты", "7.2", "10^9/л", "4", "9"),
            ("777-3", "Тромбоциты", "210", "10^9/л", "150", "400"),
        ],
    )
    lab = lab_entry(patient, occurred_at=NOW - timedelta(days=2), conclusion="Лейкоцитоз.")
    visit = encounter_entry(
        patient,
        role=clinic.therapist,
        occurred_at=NOW - timedelta(days=3),
        diagnoses=(("J06.9", "main", ""), ("I10", "concomitant", "")),
    )
    prescription_entry(patient, role=clinic.therapist, occurred_at=NOW - timedelta(days=3))
    condition_entry(patient, role=clinic.therapist)
    immunization_entry(clinic.child, occurred_at=NOW - timedelta(days=30))

    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, login=patient.user.email, password=TEST_PASSWORD)

    # The timeline, newest first, with the flagged report marked in words.
    page.goto(f"{live_server.url}/health/record/")
    assert page.locator("h1").inner_text() == "Лента записей"
    latest_lab = page.locator(".record-item", has_text="Общий анализ крови").first
    assert "Есть показатели вне нормы" in latest_lab.inner_text()
    check(page, "timeline")

    # Filter by section without JavaScript involved: a GET form.
    page.get_by_text("Отбор записей", exact=True).click()
    page.get_by_label("Раздел", exact=True).select_option("labs")
    submit(page, page.get_by_role("button", name="Показать"))
    assert page.locator(".record-item").count() == 3
    check(page, "timeline-filtered")

    # The lab report: flags in words, range bars, a trend per analyte with its table.
    page.locator(".record-item").first.get_by_role("link").click()
    page.wait_for_url(f"**/labs/{lab.pk}/")
    row = page.get_by_role("row", name=re.compile("Лейкоциты"))
    assert "выше нормы" in row.inner_text()
    assert page.locator("svg.trend-chart").count() == 3
    assert page.locator("svg.range-bar").count() == 3
    check(page, "lab")

    # One analyte's whole history.
    page.get_by_role("link", name="Гемоглобин").first.click()
    page.wait_for_url("**/labs/analyte/718-7/")
    assert page.locator("h1").inner_text() == "Гемоглобин"
    assert page.locator("#history-title + div tbody tr").count() == 3
    check(page, "analyte")

    # The visit protocol with coded diagnoses, then its print view.
    page.goto(f"{live_server.url}/health/record/{patient.pk}/encounters/{visit.pk}/")
    assert "Острая инфекция верхних дыхательных путей" in page.locator("main").inner_text()
    check(page, "encounter")
    page.get_by_role("link", name="Распечатать").click()
    page.wait_for_url("**?print=1")
    assert page.locator(".site-header").count() == 0
    assert page.get_by_role("button", name="Распечатать").is_visible()
    check(page, "encounter-print")

    # Whose record: the child's, from the switch.
    page.goto(f"{live_server.url}/health/record/{patient.pk}/")
    page.get_by_role("navigation", name="Чья карта").get_by_role(
        "link", name=re.compile(clinic.child.first_name)
    ).click()
    page.wait_for_url(f"**/health/record/{clinic.child.pk}/")
    assert "Прививка: COVID-19" in page.locator("main").inner_text()
    check(page, "child")
