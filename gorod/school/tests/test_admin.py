"""The school's back office: reference rows edited and audited, the journal's rows shown
and never changed, every look at pupils' marks logged."""

import pytest
from django.urls import reverse
from django.utils import translation

from gorod.accounts.tests.factories import ChildFactory, UserFactory
from gorod.core.models import AuditEvent
from gorod.school.models import Enrollment, Lesson, Mark, SchoolClass
from gorod.school.tests.factories import (
    EnrollmentFactory,
    LessonFactory,
    MarkFactory,
    SchoolYearFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _russian():
    with translation.override("ru"):
        yield


@pytest.fixture
def office(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def marked_lesson() -> tuple[Lesson, Mark]:
    lesson = LessonFactory()
    enrollment = EnrollmentFactory(school_class=lesson.assignment.school_class)
    return lesson, MarkFactory(lesson=lesson, student=enrollment.student)


@pytest.mark.parametrize(
    "model",
    [
        "school",
        "schoolyear",
        "subject",
        "teacher",
        "schoolclass",
        "assignment",
        "timetableslot",
        "exemption",
        "lesson",
        "mark",
        "markchange",
        "attendance",
        "finalmark",
    ],
)
def test_every_page_of_the_school_opens(office, model):
    marked_lesson()
    assert office.get(reverse(f"admin:school_{model}_changelist")).status_code == 200


def test_a_class_with_its_pupils_is_added_and_every_row_audited(office):
    year = SchoolYearFactory()
    pupil = ChildFactory()
    data = {
        "year": year.pk,
        "grade": 3,
        "letter": "В",
        "class_teacher": "",
        "enrollments-TOTAL_FORMS": 1,
        "enrollments-INITIAL_FORMS": 0,
        "enrollments-0-student": pupil.pk,
        "enrollments-0-starts_on": "01.09.2026",
        "enrollments-0-ends_on": "",
        "assignments-TOTAL_FORMS": 0,
        "assignments-INITIAL_FORMS": 0,
    }

    response = office.post(reverse("admin:school_schoolclass_add"), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    school_class = SchoolClass.objects.get(year=year, grade=3, letter="В")
    assert Enrollment.objects.filter(school_class=school_class, student=pupil).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"school.schoolclass_created", "school.enrollment_created"} <= actions


def test_marks_are_shown_not_changed_and_each_look_is_logged(office):
    _lesson, mark = marked_lesson()
    url = reverse("admin:school_mark_change", args=[mark.pk])

    page = office.get(url)
    refused = office.post(url, {"value": 2})

    assert page.status_code == 200
    assert refused.status_code == 403
    mark.refresh_from_db()
    assert mark.value == 5
    viewed = AuditEvent.objects.get(action="school.marks_viewed")
    assert viewed.target_id == str(mark.pk)
    assert office.get(reverse("admin:school_mark_add")).status_code == 403


def test_a_lesson_with_marks_is_not_cancelled_from_the_back_office(office):
    lesson, _mark = marked_lesson()
    page = office.get(reverse("admin:school_lesson_change", args=[lesson.pk]))

    assert page.status_code == 200
    assert 'name="cancelled"' not in page.content.decode()
    assert 'name="topic"' not in page.content.decode()
    empty = LessonFactory()
    assert (
        'name="cancelled"'
        in office.get(reverse("admin:school_lesson_change", args=[empty.pk])).content.decode()
    )
