"""The parent's and the student's diary pages: the week, the marks by subject with their
averages and the period marks, attendance, the tests ahead, and homework files.

Thin views over gorod.school.diary_selectors. Each page opens the diary once
(`diary_open`: decided, logged, counted as a use for the family) and reads what it shows.
Whose diary is a `?student=` link of the switch, so everything works without JavaScript;
a student outside the reader's reach is the 404 page (NotFoundPageMiddleware), like one
that does not exist. Anonymous readers are sent to sign in.
"""

from datetime import date
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from gorod.core.channels import channel_of
from gorod.core.clock import local_date
from gorod.core.ids import valid_id
from gorod.feedback.selectors import rated_service
from gorod.school import diary_access, journal_selectors, rules
from gorod.school import diary_selectors as diary
from gorod.school.diary_access import DiaryAccess, DiaryStudent

# The diary's two pages, as the tabs under the student's name name them.
TABS = (("diary", gettext_lazy("Дневник")), ("diary_marks", gettext_lazy("Оценки и посещаемость")))


def _number(text: str | None) -> int | None:
    """A positive id from the query string, or None when there is none to look up."""
    if text is None or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if valid_id(value) else None


def _day(text: str | None, today: date) -> date:
    """The week asked for (any of its days, YYYY-MM-DD), else today's: a mistyped week in
    a link is not worth an error page."""
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        return today
    return diary.clamp_day(day)


def _student_id(request, students: list[DiaryStudent]) -> int | None:
    """The student the page is about: `?student=`, else the first of the family's.
    A `?student=` that is no id at all is "not found", like a stranger's."""
    asked = request.GET.get("student")
    if asked is not None:
        student_id = _number(asked)
        if student_id is None:
            raise diary_access.student_not_found()
        return student_id
    return students[0].person.pk if students else None


def _switch(url_name: str, students: list[DiaryStudent], access: DiaryAccess, **extra) -> list:
    """The family's students as links to the same page (the switch shows from two on)."""
    base = reverse(f"school:{url_name}")
    return [
        {
            "student": student,
            "url": f"{base}?{urlencode({'student': student.person.pk, **extra})}",
            "current": student.person.pk == access.student.pk,
        }
        for student in students
    ]


def _common(url_name: str, students, access: DiaryAccess, **extra) -> dict:
    """What `school/diary/base.html` needs: whose diary, the switch, the tabs, the rating."""
    query = urlencode({"student": access.student.pk})
    return {
        "access": access,
        "student": access.student,
        "school_class": access.enrollment_on(local_date()).school_class,
        "switch": _switch(url_name, students, access, **extra) if access.is_family else [],
        "tabs": [
            {
                "label": label,
                "url": f"{reverse(f'school:{name}')}?{query}",
                "current": name == url_name,
            }
            for name, label in TABS
        ],
        # Every look by the family is a use; the page offers to rate it.
        "use_id": access.use_id,
        "rating_service": rated_service(diary_access.SERVICE_SLUG) if access.use_id else None,
    }


def _no_diary(request):
    """A signed-in reader with no student in the family: a class teacher finds the
    students of their classes; anyone else is told so, and where to go."""
    rosters = [
        {
            "school_class": roster.school_class,
            "students": [
                {"person": person, "url": f"{request.path}?{urlencode({'student': person.pk})}"}
                for person in roster.students
            ],
        }
        for roster in diary_access.led_classes(actor=request.user)
    ]
    return render(
        request,
        "school/diary/no_children.html",
        {"rosters": rosters, "teacher": journal_selectors.is_teacher(request.user)},
    )


@login_required
@require_safe
def week_page(request):
    students = diary_access.children_of(actor=request.user)
    student_id = _student_id(request, students)
    if student_id is None:
        return _no_diary(request)
    access = diary_access.diary_open(
        actor=request.user, student_id=student_id, section="week", channel=channel_of(request)
    )
    today = local_date()
    day = _day(request.GET.get("week"), today)
    week = diary.week_read(access, day, today=today)
    week_url = reverse("school:diary")

    def week_link(monday: date | None) -> str | None:
        if monday is None:
            return None
        return f"{week_url}?{urlencode({'student': access.student.pk, 'week': monday})}"

    context = _common(
        "diary",
        students,
        access,
        **({"week": day.isoformat()} if "week" in request.GET else {}),
    )
    context.update(
        {
            "week": week,
            "previous_url": week_link(week.previous_monday),
            "next_url": week_link(week.next_monday),
            "this_week_url": None if week.is_current else week_link(rules.week_of(today)[0]),
            "tests": diary.upcoming_tests(access, today=today),
        }
    )
    return render(request, "school/diary/week.html", context)


@login_required
@require_safe
def marks_page(request):
    students = diary_access.children_of(actor=request.user)
    student_id = _student_id(request, students)
    if student_id is None:
        return _no_diary(request)
    access = diary_access.diary_open(
        actor=request.user, student_id=student_id, section="subjects", channel=channel_of(request)
    )
    period_text = request.GET.get("period")
    period_id = None
    if period_text is not None:
        period_id = _number(period_text)
        if period_id is None:
            raise diary.period_not_found()
    today = local_date()
    subjects = diary.subjects_read(access, period_id=period_id, today=today)
    attendance = diary.attendance_read(access, today=today, choice=subjects.choice)
    marks_url = reverse("school:diary_marks")
    context = _common("diary_marks", students, access)
    context.update(
        {
            "subjects": subjects,
            "attendance": attendance,
            "periods": [
                {
                    "period": period,
                    "url": marks_url
                    + "?"
                    + urlencode({"student": access.student.pk, "period": period.pk}),
                    "current": period == subjects.choice.period,
                }
                for period in subjects.choice.periods
            ],
            "tests": diary.upcoming_tests(access, today=today),
            # Grade 1 is taught without marks: the page says so instead of empty rows.
            "without_marks": not any(
                rules.grade_has_marks(enrollment.school_class.grade)
                for enrollment in access.enrollments
                if enrollment.school_class_id in subjects.choice.class_ids
            ),
        }
    )
    return render(request, "school/diary/marks.html", context)


@login_required
@require_safe
def homework_file(request, student_id: int, file_id: int):
    """A file of homework, to those who read the student's diary (the download is a look)."""
    access = diary_access.diary_open(
        actor=request.user, student_id=student_id, section="file", channel=channel_of(request)
    )
    attachment = diary.homework_file_get(access, file_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise diary.file_not_found() from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )


urlpatterns = [
    path("", week_page, name="diary"),
    path("marks/", marks_page, name="diary_marks"),
    path(
        "students/<int:student_id>/files/<int:file_id>/",
        homework_file,
        name="diary_homework_file",
    ),
]
