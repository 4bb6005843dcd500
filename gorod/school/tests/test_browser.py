"""The school diary in a real browser: a teacher enters a lesson's marks (one mistyped, then
fixed) and its homework; the parent opens the diary that evening and finds them in the
week and in the subject's average. axe-core scans every page at desktop and phone widths;
GOROD_SCREENSHOTS=1 saves them."""

import re
from datetime import datetime

import pytest

from gorod.accounts.tests.factories import TEST_PASSWORD
from gorod.school.models import Lesson, Mark
from gorod.school.tests.factories import MOSCOW
from gorod.school.tests.journal_world import LESSON_DAY, build_world
from gorod.web.tests.browser import DESKTOP, MOBILE, both_widths
from gorod.web.tests.test_browser import assert_accessible, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_catalog")]

AFTER_THE_LESSON = datetime(2026, 9, 14, 14, 30, tzinfo=MOSCOW)
THAT_EVENING = datetime(2026, 9, 14, 20, 0, tzinfo=MOSCOW)


def accessible_at_both_widths(page, name: str) -> None:
    assert_accessible(page, f"{name} (desktop)")
    page.set_viewport_size(MOBILE)
    assert_accessible(page, f"{name} (phone)")
    page.set_viewport_size(DESKTOP)


def sign_out(page) -> None:
    submit(page, page.locator("header").get_by_role("button", name="Выйти"))


def test_the_teacher_marks_a_lesson_and_the_parent_reads_it_that_evening(
    live_server, page, time_machine, screenshot
):
    world = build_world()
    time_machine.move_to(AFTER_THE_LESSON)
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, login=world.teacher.user.email, password=TEST_PASSWORD)

    page.goto(f"{live_server.url}/school/journal/lessons/{world.lesson.pk}/")
    assert "Математика" in page.locator("h1").inner_text()
    accessible_at_both_widths(page, "the lesson in the journal")

    form = page.locator("#lesson-marks form")
    first_test = form.get_by_label(re.compile("^Алексеев Антон.*контрольная работа$"))
    second_answer = form.get_by_label(re.compile("^Борисова Вера.*ответ на уроке$"))
    first_test.fill("5")
    second_answer.fill("6")  # a slip of the finger: 6 is no mark
    form.get_by_label(re.compile("^Вовк Глеб.*отсутствовал")).check()
    form.get_by_role("button", name="Сохранить оценки").click()

    # Nothing saved; the summary takes the focus and names the cell, which stands marked.
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "Борисова Вера" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.locator("[aria-invalid=true]").count() == 1
    assert not Mark.objects.exists()
    # What was typed is still there to fix.
    assert (
        page.locator("#lesson-marks form")
        .get_by_label(re.compile("^Алексеев Антон.*контрольная работа$"))
        .input_value()
        == "5"
    )
    accessible_at_both_widths(page, "the journal with a mistyped mark")
    both_widths(page, screenshot, "school-journal-error")

    form = page.locator("#lesson-marks form")
    form.get_by_label(re.compile("^Борисова Вера.*ответ на уроке$")).fill("4")
    form.get_by_role("button", name="Сохранить оценки").click()
    page.locator("#lesson-marks [role=status]").wait_for()
    assert sorted(Mark.objects.values_list("value", "weight")) == [(4, 1), (5, 4)]

    topic = page.locator(".journal-topic form")
    topic.get_by_label("Тема урока").fill("Сложение дробей")
    topic.get_by_label("Домашнее задание").fill("№ 214, 215; повторить правило на с. 48")
    submit(page, topic.get_by_role("button", name="Сохранить тему и задание"))
    assert Lesson.objects.get(pk=world.lesson.pk).homework.startswith("№ 214")
    both_widths(page, screenshot, "school-journal-saved")
    sign_out(page)

    time_machine.move_to(THAT_EVENING)
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, login=world.guardian.user.email, password=TEST_PASSWORD)
    page.goto(f"{live_server.url}/school/?week={LESSON_DAY.isoformat()}")
    main = page.locator("main")
    text = main.inner_text()
    assert "Алексеев" in text
    assert "Сложение дробей" in text
    assert "№ 214, 215; повторить правило на с. 48" in text
    assert "5" in main.locator(".diary-day", has_text="Математика").first.inner_text()
    accessible_at_both_widths(page, "the parent's week")
    both_widths(page, screenshot, "school-diary-week")

    page.goto(f"{live_server.url}/school/marks/")
    # The marks table's row (the attendance table below has one per subject too).
    maths = page.locator("main table").first.get_by_role("row", name=re.compile("Математика"))
    assert "5,00" in maths.inner_text()
    accessible_at_both_widths(page, "the parent's marks by subject")
    both_widths(page, screenshot, "school-diary-marks")
