"""The family's diary over HTTP: my students, a student's week, marks by subject with the
weighted averages and period marks, attendance, homework files.

Mounted at /api/v1/school for signed-in callers (session or personal token). Every read of
a student opens the diary once (`diary_open`): decided, written to the audit log, counted
as a use of the service for the family, whose answer carries the `rating_token` of that
use. A student outside the caller's reach is 404 `student_not_found`, like one that does
not exist.
"""

from datetime import time

from django.http import FileResponse
from django.urls import reverse
from ninja import Path, Query, Router

from gorod.core.channels import channel_of
from gorod.core.clock import local_date
from gorod.core.ids import MAX_ID
from gorod.core.schemas import with_problems
from gorod.feedback.selectors import rating_receipt
from gorod.school import diary_access
from gorod.school import diary_selectors as diary
from gorod.school.diary_access import DiaryAccess
from gorod.school.diary_selectors import DiaryMark, PeriodChoice
from gorod.school.schemas_diary import (
    DiaryAttendanceOut,
    DiaryChildrenOut,
    DiaryPeriodQuery,
    DiarySubjectsOut,
    DiaryWeekOut,
    DiaryWeekQuery,
)

router = Router(tags=["school"])

STUDENT_ID = Path(..., ge=1, le=MAX_ID, description="The student's person id (see /children)")
FILE_ID = Path(..., ge=1, le=MAX_ID)


def _open(request, student_id: int, section: str) -> DiaryAccess:
    return diary_access.diary_open(
        actor=request.auth, student_id=student_id, section=section, channel=channel_of(request)
    )


def _rating_token(request, access: DiaryAccess) -> str | None:
    return rating_receipt(
        actor=request.auth, service_slug=diary_access.SERVICE_SLUG, use_id=access.use_id
    )


def _mark(mark: DiaryMark) -> dict:
    return {
        "value": mark.value,
        "control_form": mark.control_form,
        "weight": mark.weight,
        "comment": mark.comment,
        "given_at": mark.given_at,
        "changed": mark.changed,
        "changed_at": mark.changed_at,
    }


def _clock(moment: time | None) -> str | None:
    return None if moment is None else f"{moment:%H:%M}"


def _subject(subject) -> dict:
    return {"id": subject.pk, "name": subject.name}


def _period(period) -> dict | None:
    if period is None:
        return None
    return {
        "id": period.pk,
        "kind": period.kind,
        "number": period.number,
        "starts_on": period.starts_on,
        "ends_on": period.ends_on,
    }


def _choice(choice: PeriodChoice) -> dict:
    return {
        "period": _period(choice.period),
        "starts_on": choice.starts_on,
        "ends_on": choice.ends_on,
    }


def _figures(figures) -> dict:
    return {
        "lessons": figures.lessons,
        "absent": figures.absent,
        "excused": figures.excused,
        "unexcused": figures.unexcused,
        "present_share": None if figures.present_share is None else str(figures.present_share),
    }


@router.get(
    "/children",
    response=with_problems({200: DiaryChildrenOut}, 401),
    summary="The students whose diary I read as family: myself, my children",
)
def my_children(request):
    """The caller's own diary if they are a student, then their children (linked by
    guardianship) who are enrolled in a school. Listing them is not a look at a diary: it
    writes nothing."""
    return {
        "children": [
            {
                "id": student.person.pk,
                "full_name": student.person.full_name,
                "birth_date": student.person.birth_date,
                "relation": student.relation,
                "school_class": None
                if student.school_class is None
                else {
                    "id": student.school_class.pk,
                    "name": str(student.school_class),
                    "grade": student.school_class.grade,
                    "school": student.school_class.year.school.short_name,
                },
            }
            for student in diary_access.children_of(actor=request.auth)
        ]
    }


@router.get(
    "/students/{student_id}/diary",
    response=with_problems({200: DiaryWeekOut}, 401, 404, 422),
    summary="A student's week: lessons, homework, marks, absences, and the tests ahead",
)
def student_week(request, filters: Query[DiaryWeekQuery], student_id: int = STUDENT_ID):
    """Monday to Saturday of the week holding `week` (today's by default), each day's
    lessons in bell order. A student, their parent or guardian, or their class teacher
    (read only); anyone else 404 `student_not_found`."""
    access = _open(request, student_id, "week")
    today = local_date()
    week = diary.week_read(access, filters.week or today, today=today)
    return {
        "student_id": access.student.pk,
        "role": access.role,
        "monday": week.monday,
        "saturday": week.saturday,
        "previous_week": week.previous_monday,
        "next_week": week.next_monday,
        "days": [
            {
                "date": day.day,
                "is_today": day.is_today,
                "lessons": [
                    {
                        "id": lesson.lesson_id,
                        "bell": lesson.bell,
                        "starts_at": _clock(lesson.starts_at),
                        "ends_at": _clock(lesson.ends_at),
                        "subject": _subject(lesson.subject),
                        "room": lesson.room,
                        "topic": lesson.topic,
                        "homework": lesson.homework,
                        "files": [
                            {
                                "id": attachment.id,
                                "name": attachment.name,
                                "size": attachment.size,
                                "content_type": attachment.content_type,
                                "url": reverse(
                                    "api:school_homework_file",
                                    kwargs={
                                        "student_id": access.student.pk,
                                        "file_id": attachment.id,
                                    },
                                ),
                            }
                            for attachment in lesson.files
                        ],
                        "cancelled": lesson.cancelled,
                        "substitute": lesson.substitute,
                        "planned_control": lesson.planned_control,
                        "marks": [_mark(mark) for mark in lesson.marks],
                        "absent": lesson.absent,
                        "excused": lesson.excused,
                        "exempt": lesson.exempt,
                    }
                    for lesson in day.lessons
                ],
            }
            for day in week.days
        ],
        "upcoming_tests": [
            {
                "date": test.day,
                "bell": test.bell,
                "subject": _subject(test.subject),
                "control_form": test.control_form,
                "topic": test.topic,
            }
            for test in diary.upcoming_tests(access, today=today)
        ],
        "rating_token": _rating_token(request, access),
    }


@router.get(
    "/students/{student_id}/subjects",
    response=with_problems({200: DiarySubjectsOut}, 401, 404, 422),
    summary="A student's marks by subject for a period, with weighted averages and period marks",
)
def student_subjects(request, filters: Query[DiaryPeriodQuery], student_id: int = STUDENT_ID):
    """Per subject: the period's marks, the weighted average, the period mark it suggests
    by the school's thresholds and the teacher's period and year marks. A `period` not of
    the student's school years is 404 `period_not_found`."""
    access = _open(request, student_id, "subjects")
    result = diary.subjects_read(access, period_id=filters.period)
    choice = result.choice
    return {
        "student_id": access.student.pk,
        "role": access.role,
        **_choice(choice),
        "periods": [_period(period) for period in choice.periods],
        "thresholds": {
            "five": str(choice.school.threshold_5),
            "four": str(choice.school.threshold_4),
            "three": str(choice.school.threshold_3),
        },
        "subjects": [
            {
                "subject": _subject(row.subject),
                "marks": [
                    {**_mark(mark), "lesson_date": mark.lesson_date, "counted": mark.counted}
                    for mark in row.marks
                ],
                "average": None if row.average is None else str(row.average),
                "suggested_mark": row.suggested,
                "final_mark": row.final_mark,
                "year_mark": row.year_mark,
            }
            for row in result.subjects
        ],
        "rating_token": _rating_token(request, access),
    }


@router.get(
    "/students/{student_id}/attendance",
    response=with_problems({200: DiaryAttendanceOut}, 401, 404, 422),
    summary="A student's attendance in a period: lessons held, absences, excused",
)
def student_attendance(request, filters: Query[DiaryPeriodQuery], student_id: int = STUDENT_ID):
    """Lessons held up to today (a cancelled lesson is not held) and the «н» among them, in
    all and per subject."""
    access = _open(request, student_id, "attendance")
    result = diary.attendance_read(access, period_id=filters.period)
    return {
        "student_id": access.student.pk,
        "role": access.role,
        **_choice(result.choice),
        "total": _figures(result.total),
        "subjects": [
            {"subject": _subject(row.subject), **_figures(row.figures)} for row in result.subjects
        ],
        "rating_token": _rating_token(request, access),
    }


@router.get(
    "/students/{student_id}/files/{file_id}",
    response=with_problems({200: None}, 401, 404, 422),
    url_name="school_homework_file",
    summary="Download a homework file of one of the student's lessons",
)
def student_homework_file(request, student_id: int = STUDENT_ID, file_id: int = FILE_ID):
    access = _open(request, student_id, "file")
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
