"""The teacher's journal over the API, mounted at /api/v1/school/journal.

Only a teacher finds anything here: a class, subject or lesson the teacher neither
teaches nor leads as class teacher is 404, as if it did not exist. A lesson's marks are
saved all or nothing: 422 names the bad cell (`field`: cells[3]) and lists every one in
`errors`; 409 `stale_mark` when a cell changed since the teacher read it. The lesson's
teacher attaches files to its homework (multipart/form-data, gorod/school/homework.py).
"""

from ninja import File, Path, Query, Router, Status, UploadedFile

from gorod.core import clock
from gorod.core.ids import MAX_ID
from gorod.core.schemas import with_problems
from gorod.school import homework, services
from gorod.school import journal_selectors as selectors
from gorod.school.models import HomeworkFile, Lesson, Mark, Period
from gorod.school.schemas_journal import (
    CellProblem,
    ClassSubjectOut,
    FinalMarkIn,
    FinalMarkOut,
    GridOut,
    GridQuery,
    JournalHomeworkFileOut,
    LessonMarksIn,
    LessonPatchIn,
    LessonSavedOut,
    LessonSheetOut,
)

router = Router(tags=["school journal"])

CLASS_ID = Path(..., ge=1, le=MAX_ID)
SUBJECT_ID = Path(..., ge=1, le=MAX_ID)
LESSON_ID = Path(..., ge=1, le=MAX_ID)
FILE_ID = Path(..., ge=1, le=MAX_ID)


def _mark_out(mark: Mark) -> dict:
    return {
        "control_form_id": mark.control_form_id,
        "value": mark.value,
        "weight": mark.weight,
        "changed": mark.changed_at is not None,
    }


def _lesson_out(lesson: Lesson) -> dict:
    return {
        "id": lesson.pk,
        "date": lesson.date,
        "bell": lesson.bell,
        "topic": lesson.topic,
        "homework": lesson.homework,
        "cancelled": lesson.cancelled,
        "planned_control_id": lesson.planned_control_id,
    }


def _period_out(period: Period) -> dict:
    return {
        "id": period.pk,
        "number": period.number,
        "kind": period.kind,
        "starts_on": period.starts_on,
        "ends_on": period.ends_on,
    }


@router.get(
    "/classes",
    response=with_problems({200: list[ClassSubjectOut]}, 401, 404),
    summary="The classes and subjects of the signed-in teacher",
)
def my_classes(request):
    """404 `journal_not_found` for anyone who is not a working teacher."""
    _teacher, lines = selectors.teacher_classes(actor=request.auth)
    return [
        {
            "class_id": line.school_class.pk,
            "class_name": str(line.school_class),
            "year": str(line.school_class.year),
            "subject_id": line.subject.pk,
            "subject": line.subject.name,
            "subgroups": list(line.subgroups),
            "writes": line.writes,
        }
        for line in lines
    ]


@router.get(
    "/classes/{class_id}/subjects/{subject_id}",
    response=with_problems({200: GridOut}, 401, 404, 422),
    summary="The journal grid: students × lessons of a period, with averages",
)
def grid(
    request,
    filters: Query[GridQuery],
    class_id: int = CLASS_ID,
    subject_id: int = SUBJECT_ID,
):
    """The period holding today unless `period_id` is given. A subgroup's teacher sees
    their subgroup's students; the class teacher every student and every subgroup."""
    journal = selectors.journal_grid(
        actor=request.auth,
        class_id=class_id,
        subject_id=subject_id,
        period_id=filters.period_id,
        today=clock.local_date(),
    )
    return {
        "class_id": journal.school_class.pk,
        "class_name": str(journal.school_class),
        "subject_id": journal.subject.pk,
        "subject": journal.subject.name,
        "period": _period_out(journal.period),
        "periods": [_period_out(period) for period in journal.periods],
        "writes": journal.writes,
        "lessons": [_lesson_out(lesson) for lesson in journal.lessons],
        "rows": [
            {
                "student_id": row.student.pk,
                "name": row.student.full_name,
                "cells": [
                    {
                        "lesson_id": lesson.pk,
                        "marks": [_mark_out(mark) for mark in row.marks.get(lesson.pk, [])],
                        "absent": lesson.pk in row.absent,
                        "excused": lesson.pk in row.absent and row.absent[lesson.pk].excused,
                        "exempt": lesson.pk in row.exempt,
                    }
                    for lesson in journal.lessons
                    if lesson.pk in row.marks or lesson.pk in row.absent or lesson.pk in row.exempt
                ],
                "average": None if row.average is None else f"{row.average:.2f}",
                "suggested": row.suggested,
                "final": row.final.value if row.final is not None else None,
            }
            for row in journal.rows
        ],
    }


def _sheet_out(sheet: selectors.LessonSheet) -> dict:
    lesson = sheet.lesson
    return {
        "lesson": _lesson_out(lesson),
        "class_name": str(lesson.assignment.school_class),
        "subject": lesson.assignment.subject.name,
        "writes": sheet.writes,
        "updated_at": lesson.updated_at,
        "control_forms": [
            {"id": form.pk, "name": form.name, "weight": form.weight, "is_test": form.is_test}
            for form in sheet.control_forms
        ],
        "students": [
            {
                "student_id": student.pk,
                "name": student.full_name,
                "absent": student.pk in sheet.absent,
                "exempt": student.pk in sheet.exempt,
                "marks": [
                    _mark_out(sheet.marks[(student.pk, form.pk)])
                    for form in sheet.control_forms
                    if (student.pk, form.pk) in sheet.marks
                ],
            }
            for student in sheet.students
        ],
    }


@router.get(
    "/lessons/{lesson_id}",
    response=with_problems({200: LessonSheetOut}, 401, 404, 422),
    summary="One lesson's students with their marks and absences",
)
def lesson_detail(request, lesson_id: int = LESSON_ID):
    return _sheet_out(
        selectors.lesson_sheet(actor=request.auth, lesson_id=lesson_id, today=clock.local_date())
    )


# PUT, and POST for clients that cannot send PUT: the same save.
@router.api_operation(
    ["PUT", "POST"],
    "/lessons/{lesson_id}/marks",
    response={
        **with_problems({200: LessonSavedOut}, 400, 401, 403, 404, 409),
        422: CellProblem,
    },
    summary="Save a lesson's marks and absences, all or nothing",
)
def save_marks(request, payload: LessonMarksIn, lesson_id: int = LESSON_ID):
    """Send the cells that changed (others may be sent too: a cell holding the value sent
    is no change). Each cell's `expected` is the value the teacher saw there; a cell
    changed meanwhile by someone else is 409 `stale_mark` naming it. A rule broken is 422
    with `field` naming the first bad cell and `errors` every one: `mark_out_of_range`,
    `first_grade_no_marks`, `student_not_in_lesson`, `student_absent`, `student_exempt`,
    `period_closed`, `control_form_not_found`, `absent_has_mark`. A class teacher on
    another teacher's subject: 403 `not_your_subject`."""
    saved = services.lesson_marks_save(
        actor=request.auth,
        lesson_id=lesson_id,
        cells=[
            services.MarkCell(
                student_id=cell.student_id,
                control_form_id=cell.control_form_id,
                value=cell.value,
                expected=cell.expected,
            )
            for cell in payload.cells
        ],
        absences=[
            services.AbsenceCell(student_id=item.student_id, absent=item.absent)
            for item in payload.absences
        ],
    )
    return {
        "lesson_id": saved.lesson.pk,
        "created": saved.created,
        "changed": saved.changed,
        "removed": saved.removed,
        "absences_added": saved.absences_added,
        "absences_removed": saved.absences_removed,
    }


@router.patch(
    "/lessons/{lesson_id}",
    response=with_problems({200: LessonSheetOut}, 400, 401, 403, 404, 422),
    summary="Change a lesson's topic, homework or announced test",
)
def patch_lesson(request, payload: LessonPatchIn, lesson_id: int = LESSON_ID):
    """Fields left out keep their value; `planned_control_id: null` clears the test."""
    teacher = selectors.teacher_of(request.auth)
    current = selectors.lesson_for(teacher=teacher, lesson_id=lesson_id)
    given = payload.model_dump(exclude_unset=True)
    services.lesson_update(
        actor=request.auth,
        lesson_id=lesson_id,
        topic=given.get("topic", current.topic) or "",
        homework=given.get("homework", current.homework) or "",
        planned_control_id=given.get("planned_control_id", current.planned_control_id),
    )
    return _sheet_out(
        selectors.lesson_sheet(actor=request.auth, lesson_id=lesson_id, today=clock.local_date())
    )


@router.put(
    "/final-marks",
    response=with_problems({200: FinalMarkOut}, 400, 401, 403, 404, 422),
    summary="Set the teacher's period or year mark (null removes it)",
)
def set_final_mark(request, payload: FinalMarkIn):
    """Give `period_id` for a period's mark or `year_id` for the year's. After the
    period's cut-off only the head teacher may: 403 `period_closed`."""
    final = services.final_mark_set(
        actor=request.auth,
        student_id=payload.student_id,
        subject_id=payload.subject_id,
        period_id=payload.period_id,
        year_id=payload.year_id,
        value=payload.value,
    )
    return {
        "student_id": payload.student_id,
        "subject_id": payload.subject_id,
        "period_id": payload.period_id,
        "value": final.value if final is not None else None,
    }


def _homework_file_out(attachment: HomeworkFile) -> dict:
    return {
        "id": attachment.pk,
        "lesson_id": attachment.lesson_id,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "uploaded_at": attachment.uploaded_at,
    }


@router.post(
    "/lessons/{lesson_id}/files",
    response=with_problems({201: JournalHomeworkFileOut}, 400, 401, 403, 404, 415, 422),
    summary="Attach a file to a lesson's homework",
)
def homework_file_add(request, file: File[UploadedFile], lesson_id: int = LESSON_ID):
    """multipart/form-data with one part `file`. The type is read from the bytes: PDF,
    JPEG, PNG, DOCX, XLSX, PPTX or ODT, up to 10 MB, at most 10 files a lesson. 422
    `file_type` (an .exe renamed .pdf), `file_too_large`, `file_empty`, `too_many_files`;
    a class teacher on another teacher's subject: 403 `not_your_subject`; a body that is
    not multipart/form-data: 415."""
    added = homework.homework_file_add(actor=request.auth, lesson_id=lesson_id, upload=file)
    return Status(201, _homework_file_out(added))


@router.delete(
    "/lessons/{lesson_id}/files/{file_id}",
    response=with_problems({204: None}, 400, 401, 403, 404, 422),
    summary="Remove a file from a lesson's homework",
)
def homework_file_remove(request, lesson_id: int = LESSON_ID, file_id: int = FILE_ID):
    """404 `homework_file_not_found` for a file that is not this lesson's."""
    homework.homework_file_remove(actor=request.auth, lesson_id=lesson_id, file_id=file_id)
    return Status(204, None)
