"""The family diary's pages: the week, marks and attendance, the child switch, homework
files, the honest page for a reader without students, and who may not look."""

import re
from urllib.parse import urlencode

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from gorod.accounts.tests.factories import UserFactory
from gorod.analytics.models import UsageEvent
from gorod.core.models import AuditEvent
from gorod.school.diary_access import AUDIT_ACTION
from gorod.school.tests.diary_world import (
    DiaryWorld,
    FinalMarkFactory,
    diary_world_fixture,  # noqa: F401 (the fixture diary_world)
)

pytestmark = pytest.mark.django_db

WEEK_URL = reverse("school:diary")
MARKS_URL = reverse("school:diary_marks")
# Session and user; the switch (2); deciding (2), the audit row; the use, which tests
# write inside the request (GOROD_USAGE_WRITE=immediate: one statement on SQLite, three on
# PostgreSQL's COPY path; buffered off the request in production) after the catalog
# snapshot's three freshness checks; the week (6); the tests ahead; the rating offer (an
# own rating to edit, the summary). However many lessons and marks (test_selectors_diary
# counts the week's statements with many).
WEEK_PAGE_MAX_QUERIES = 22
# As the week, with the periods, subjects, marks, exemptions and period marks (5) and the
# attendance (2) in place of the week (6).
MARKS_PAGE_MAX_QUERIES = 23


def url(base: str, **query) -> str:
    return f"{base}?{urlencode(query)}" if query else base


def log_counts() -> tuple[int, int]:
    return AuditEvent.objects.filter(action=AUDIT_ACTION).count(), UsageEvent.objects.count()


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def parent_client(client, diary_world: DiaryWorld):
    client.force_login(diary_world.parent_user)
    return client


def test_the_catalog_links_to_the_diary():
    assert WEEK_URL == "/school/"


# --- the week -------------------------------------------------------------------------


def test_a_parent_sees_the_week(
    parent_client, diary_world: DiaryWorld, django_assert_max_num_queries
):
    with django_assert_max_num_queries(WEEK_PAGE_MAX_QUERIES):
        response = parent_client.get(WEEK_URL)
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(response)
    # The first child by default, the week holding today, today marked.
    assert "Мамин Петя" in text
    assert "14 сентября — 19 сентября 2026" in text
    assert 'aria-current="date"' in html
    assert text.count("сегодня") >= 1
    for shown in (
        "Натуральные числа",
        "№ 12, 14 на с. 8",
        "08:30–09:15",
        "каб. 204",
        "контрольная работа",
        "Отличная работа",
        "изменена",
        "по уважительной причине",
        "осв.",
        "урок отменён",
        "замена: Заменова О.С.",
        "задачи.pdf",
    ):
        assert shown in text, shown
    assert "Present Simple" not in text  # the other language group's lesson
    assert "Урок 5Б" not in text
    file_url = reverse(
        "school:diary_homework_file", args=[diary_world.child.pk, diary_world.homework_file.pk]
    )
    assert file_url in html
    # The week links and the test ahead.
    assert (
        url(WEEK_URL, student=diary_world.child.pk, week="2026-09-07").replace("&", "&amp;") in html
    )
    assert (
        url(WEEK_URL, student=diary_world.child.pk, week="2026-09-21").replace("&", "&amp;") in html
    )
    assert "Ближайшие проверочные работы" in text
    assert "21 сентября" in text
    # The rating is offered for this use.
    assert "Оцените услугу" in text


def test_another_week_and_a_mistyped_one(parent_client, diary_world: DiaryWorld):
    response = parent_client.get(url(WEEK_URL, student=diary_world.child.pk, week="2026-09-23"))
    text = text_of(response)
    assert "21 сентября — 26 сентября 2026" in text
    assert "Проверочная" in text
    assert "К текущей неделе" in text
    assert 'aria-current="date"' not in response.content.decode()
    for week in ("2026-13-01", "вчера", "0000-01-01", "9" * 40):
        response = parent_client.get(url(WEEK_URL, student=diary_world.child.pk, week=week))
        assert response.status_code == 200
        assert "14 сентября — 19 сентября 2026" in text_of(response)
    far = parent_client.get(url(WEEK_URL, student=diary_world.child.pk, week="9999-12-31"))
    assert far.status_code == 200
    assert "Следующая неделя" not in text_of(far)


# --- the switch -----------------------------------------------------------------------


def test_the_child_switch(parent_client, diary_world: DiaryWorld):
    html = parent_client.get(WEEK_URL).content.decode()
    first = url(WEEK_URL, student=diary_world.child.pk).replace("&", "&amp;")
    second = url(WEEK_URL, student=diary_world.sibling.pk).replace("&", "&amp;")
    assert f'<a href="{first}" aria-current="true">' in html
    assert f'<a href="{second}">' in html
    response = parent_client.get(url(WEEK_URL, student=diary_world.sibling.pk))
    text = text_of(response)
    assert "Мамин Коля" in text
    assert "5Б класс" in text
    assert "Урок 5Б" in text
    assert "Натуральные числа" not in text
    assert f'<a href="{second}" aria-current="true">' in response.content.decode()


def test_the_switch_keeps_the_week(parent_client, diary_world: DiaryWorld):
    html = parent_client.get(
        url(WEEK_URL, student=diary_world.child.pk, week="2026-09-23")
    ).content.decode()
    assert (
        url(WEEK_URL, student=diary_world.sibling.pk, week="2026-09-23").replace("&", "&amp;")
        in html
    )


def test_a_student_sees_their_own_diary_without_a_switch(client, diary_world: DiaryWorld):
    client.force_login(diary_world.classmate.user)
    response = client.get(WEEK_URL)
    assert response.status_code == 200
    assert "Вовк Глеб" in text_of(response)
    assert "Present Simple" in text_of(response)  # his language group
    assert "Чей дневник" not in text_of(response)


def test_the_class_teacher_reads_a_student_of_the_class(client, diary_world: DiaryWorld):
    client.force_login(diary_world.class_teacher.user)
    response = client.get(url(MARKS_URL, student=diary_world.child.pk))
    assert response.status_code == 200
    text = text_of(response)
    assert "как классный руководитель" in text
    assert "Оцените услугу" not in text  # not a family's use
    assert log_counts() == (1, 0)


# --- marks and attendance -------------------------------------------------------------


def test_marks_by_subject(parent_client, diary_world: DiaryWorld, django_assert_max_num_queries):
    FinalMarkFactory(
        student=diary_world.child,
        subject=diary_world.maths,
        period=diary_world.quarter,
        value=5,
        given_by=diary_world.maths_teacher,
    )
    with django_assert_max_num_queries(MARKS_PAGE_MAX_QUERIES):
        response = parent_client.get(url(MARKS_URL, student=diary_world.child.pk))
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(response)
    assert "1 четверть (1 сентября — 26 октября 2026)" in text
    # Mathematics: 5 ×2 and 3 ×1 average 4.33, suggesting 4; the teacher gave 5.
    row = re.search(r"<th scope=\"row\"[^>]*>Математика</th>(.*?)</tr>", html, re.S).group(1)
    assert "4,33" in row or "4.33" in row
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).split()[-2:] == ["4", "5"]
    assert "не учитывается: освобождение" in text
    assert "Проведено уроков: 4. Пропущено: 1, из них по уважительной причине: 1" in text
    assert "75,0 %" in text or "75.0 %" in text


def test_the_period_switch(parent_client, diary_world: DiaryWorld):
    response = parent_client.get(
        url(MARKS_URL, student=diary_world.child.pk, period=diary_world.second_quarter.pk)
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "2 четверть" in text
    assert "В этом периоде ещё не было уроков." in text
    for period in ("x", "0", str(2**63), "99999"):
        response = parent_client.get(url(MARKS_URL, student=diary_world.child.pk, period=period))
        assert response.status_code == 404, period


def test_a_first_grader_has_no_marks_table(parent_client, diary_world: DiaryWorld):
    diary_world.class_b.grade = 1
    diary_world.class_b.save()
    text = text_of(parent_client.get(url(MARKS_URL, student=diary_world.sibling.pk)))
    assert "В первом классе отметки не ставятся" in text
    assert "Средний балл" not in text
    assert "Подсказка системы" not in text
    text = text_of(parent_client.get(url(MARKS_URL, student=diary_world.child.pk)))
    assert "В первом классе отметки не ставятся" not in text


# --- who may not look -----------------------------------------------------------------


def test_anonymous_readers_go_to_sign_in(client, diary_world: DiaryWorld):
    file_url = reverse(
        "school:diary_homework_file", args=[diary_world.child.pk, diary_world.homework_file.pk]
    )
    for page in (WEEK_URL, url(MARKS_URL, student=diary_world.child.pk), file_url):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert log_counts() == (0, 0)


@pytest.mark.parametrize(
    "reader",
    ["other_parent", "other_class_teacher", "maths_teacher", "classmate"],
)
def test_nobody_else_opens_the_childs_diary(client, diary_world: DiaryWorld, reader):
    person_or_teacher = getattr(diary_world, reader)
    client.force_login(person_or_teacher.user)
    file_url = reverse(
        "school:diary_homework_file", args=[diary_world.child.pk, diary_world.homework_file.pk]
    )
    for page in (
        url(WEEK_URL, student=diary_world.child.pk),
        url(MARKS_URL, student=diary_world.child.pk),
        file_url,
    ):
        assert client.get(page).status_code == 404, page
    assert log_counts() == (0, 0)


def test_a_parent_may_not_open_a_classmates_diary(parent_client, diary_world: DiaryWorld):
    for student in (diary_world.classmate.pk, diary_world.other_child.pk, "abc", 0, 10**30):
        assert parent_client.get(url(WEEK_URL, student=student)).status_code == 404
    assert log_counts() == (0, 0)


def test_a_look_writes_one_audit_row_and_one_use(parent_client, diary_world: DiaryWorld):
    parent_client.get(url(WEEK_URL, student=diary_world.sibling.pk))
    audit = AuditEvent.objects.get(action=AUDIT_ACTION)
    assert (audit.actor_id, audit.target_id) == (
        diary_world.parent_user.pk,
        str(diary_world.sibling.pk),
    )
    assert audit.data["section"] == "week"
    use = UsageEvent.objects.get()
    assert (use.service.slug, use.action, use.channel) == ("school-diary", "open", "web")


# --- nobody to show -------------------------------------------------------------------


def test_a_reader_without_students_is_told_where_to_go(client, diary_world: DiaryWorld):
    client.force_login(UserFactory())
    for page in (WEEK_URL, MARKS_URL):
        response = client.get(page)
        assert response.status_code == 200
        text = text_of(response)
        assert "Нам не известен ни один ученик" in text
        assert reverse("accounts:child_add") in response.content.decode()
        assert reverse("school:journal") not in response.content.decode()
    assert log_counts() == (0, 0)


def test_a_class_teacher_finds_the_students_of_the_class(client, diary_world: DiaryWorld):
    client.force_login(diary_world.class_teacher.user)
    response = client.get(WEEK_URL)
    assert response.status_code == 200
    html = response.content.decode()
    for student in (diary_world.child, diary_world.classmate):
        assert f'<a href="{url(WEEK_URL, student=student.pk)}">{student.full_name}</a>' in html
    assert diary_world.other_child.full_name not in html
    assert "Нам не известен ни один ученик" not in text_of(response)
    # A teacher who opens the diary is pointed to the journal.
    assert f'href="{reverse("school:journal")}"' in html
    assert log_counts() == (0, 0)


# --- homework files -------------------------------------------------------------------


def test_a_homework_file_downloads(parent_client, diary_world: DiaryWorld, private_files):
    attachment = diary_world.homework_file
    attachment.file.save("tasks.pdf", ContentFile(b"%PDF-1.4 tasks"), save=True)
    file_url = reverse("school:diary_homework_file", args=[diary_world.child.pk, attachment.pk])
    response = parent_client.get(file_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 tasks"
    assert "attachment" in response["Content-Disposition"]
    # The brother's diary does not hold Петин file.
    other = reverse("school:diary_homework_file", args=[diary_world.sibling.pk, attachment.pk])
    assert parent_client.get(other).status_code == 404


def test_a_missing_homework_file_is_not_found(
    parent_client, diary_world: DiaryWorld, private_files
):
    file_url = reverse(
        "school:diary_homework_file", args=[diary_world.child.pk, diary_world.homework_file.pk]
    )
    assert parent_client.get(file_url).status_code == 404


# --- languages ------------------------------------------------------------------------


def test_the_pages_render_in_english(parent_client, diary_world: DiaryWorld):
    parent_client.post("/i18n/setlang/", {"language": "en", "next": WEEK_URL})
    for page in (WEEK_URL, url(MARKS_URL, student=diary_world.child.pk)):
        response = parent_client.get(page)
        assert response.status_code == 200
        assert '<html lang="en">' in response.content.decode()
