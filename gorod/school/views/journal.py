"""The teacher's journal pages: my classes, a class × subject × period grid, and one
lesson's sheet where the whole class's marks and "н" are entered in one save.

Every page works without JavaScript: the lesson's sheet is a plain POST form; with htmx it
posts in place and swaps the form only. A class, subject or lesson outside the teacher's
scope is the 404 page (gorod.core.middleware.NotFoundPageMiddleware).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gorod.core import clock
from gorod.core.errors import DomainError, NotFound, show_on_form
from gorod.core.ids import valid_id
from gorod.core.problems import status_of
from gorod.school import homework, services
from gorod.school import journal_selectors as selectors
from gorod.school.forms import FinalMarkForm, HomeworkFileForm, LessonMarksForm, LessonTopicForm


@login_required
@require_safe
def journal(request):
    teacher, lines = selectors.teacher_classes(actor=request.user)
    return render(request, "school/journal/classes.html", {"teacher": teacher, "lines": lines})


def _period_param(request) -> int | None:
    text = request.GET.get("period", "")
    if not text:
        return None
    if not text.isdigit() or not valid_id(int(text)):
        raise NotFound("period_not_found", _("Учебный период не найден."))
    return int(text)


@login_required
@require_safe
def journal_grid(request, class_id: int, subject_id: int):
    grid = selectors.journal_grid(
        actor=request.user,
        class_id=class_id,
        subject_id=subject_id,
        period_id=_period_param(request),
        today=clock.local_date(),
    )
    # Per student, per lesson: its marks, its "н" (or None), whether exempt.
    table = [
        (
            row,
            [
                (row.marks.get(lesson.pk, []), row.absent.get(lesson.pk), lesson.pk in row.exempt)
                for lesson in grid.lessons
            ],
        )
        for row in grid.rows
    ]
    return render(request, "school/journal/grid.html", {"grid": grid, "table": table})


def _sheet_page(request, sheet, marks_form, topic_form, *, status=200, notice="", file_form=None):
    template = (
        "school/journal/_lesson_form.html"
        if request.htmx and request.method == "POST"
        else "school/journal/lesson.html"
    )
    lesson = sheet.lesson
    return render(
        request,
        template,
        {
            "sheet": sheet,
            "lesson": lesson,
            "form": marks_form,
            "topic_form": topic_form,
            "file_form": file_form or HomeworkFileForm(),
            "homework_files": lesson.files.all(),
            "notice": notice,
            "grid_url": reverse(
                "school:journal_grid",
                args=[lesson.assignment.school_class_id, lesson.assignment.subject_id],
            ),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def journal_lesson(request, lesson_id: int):
    """GET: the lesson's sheet. POST: the whole class's marks and "н" at once; a refusal
    re-shows the sheet with what was typed and the message next to each bad cell."""
    today = clock.local_date()
    sheet = selectors.lesson_sheet(actor=request.user, lesson_id=lesson_id, today=today)
    topic_form = LessonTopicForm(sheet.lesson)
    if request.method != "POST":
        return _sheet_page(request, sheet, LessonMarksForm(sheet), topic_form)
    form = LessonMarksForm(sheet, request.POST)
    if form.is_valid():
        cells, absences = form.cells()
        try:
            saved = services.lesson_marks_save(
                actor=request.user, lesson_id=lesson_id, cells=cells, absences=absences
            )
        except NotFound:
            raise
        except DomainError as error:
            form.show_refusal(error)
            return _sheet_page(request, sheet, form, topic_form, status=status_of(error))
        notice = _(
            "Сохранено: новых оценок %(created)s, изменено %(changed)s, убрано %(removed)s."
        ) % {
            "created": saved.created,
            "changed": saved.changed,
            "removed": saved.removed,
        }
        if request.htmx:
            # In place: the fresh sheet (new expected values) with the notice in it.
            fresh = selectors.lesson_sheet(actor=request.user, lesson_id=lesson_id, today=today)
            return _sheet_page(request, fresh, LessonMarksForm(fresh), topic_form, notice=notice)
        messages.success(request, notice)
        return redirect("school:journal_lesson", lesson_id=lesson_id)
    return _sheet_page(request, sheet, form, topic_form, status=422)


@login_required
@require_POST
def journal_lesson_topic(request, lesson_id: int):
    today = clock.local_date()
    sheet = selectors.lesson_sheet(actor=request.user, lesson_id=lesson_id, today=today)
    topic_form = LessonTopicForm(sheet.lesson, request.POST)
    if topic_form.is_valid():
        planned = topic_form.cleaned_data["planned_control"]
        try:
            services.lesson_update(
                actor=request.user,
                lesson_id=lesson_id,
                topic=topic_form.cleaned_data["topic"],
                homework=topic_form.cleaned_data["homework"],
                planned_control_id=planned.pk if planned is not None else None,
            )
        except NotFound:
            raise
        except DomainError as error:
            show_on_form(topic_form, error)
        else:
            messages.success(request, _("Тема и домашнее задание сохранены."))
            return redirect("school:journal_lesson", lesson_id=lesson_id)
    return _sheet_page(request, sheet, LessonMarksForm(sheet), topic_form, status=422)


@login_required
@require_POST
def journal_homework_file_add(request, lesson_id: int):
    """Attach a file to the lesson's homework; a refusal re-shows the sheet with the
    message next to the file input."""
    sheet = selectors.lesson_sheet(
        actor=request.user, lesson_id=lesson_id, today=clock.local_date()
    )
    file_form = HomeworkFileForm(request.POST, request.FILES)
    status = 422
    if file_form.is_valid():
        try:
            added = homework.homework_file_add(
                actor=request.user, lesson_id=lesson_id, upload=file_form.cleaned_data["file"]
            )
        except NotFound:
            raise
        except DomainError as error:
            show_on_form(file_form, error)
            status = status_of(error)
        else:
            messages.success(
                request, _("Файл «%(name)s» прикреплён к заданию.") % {"name": added.name}
            )
            return redirect("school:journal_lesson", lesson_id=lesson_id)
    topic_form = LessonTopicForm(sheet.lesson)
    return _sheet_page(
        request, sheet, LessonMarksForm(sheet), topic_form, status=status, file_form=file_form
    )


@login_required
@require_POST
def journal_homework_file_remove(request, lesson_id: int, file_id: int):
    try:
        homework.homework_file_remove(actor=request.user, lesson_id=lesson_id, file_id=file_id)
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Файл убран из задания."))
    return redirect("school:journal_lesson", lesson_id=lesson_id)


@login_required
@require_POST
def journal_final_mark(request, class_id: int, subject_id: int, period_id: int):
    selectors.teacher_of(request.user)  # nobody else learns anything here
    form = FinalMarkForm(request.POST)
    grid_url = reverse("school:journal_grid", args=[class_id, subject_id]) + f"?period={period_id}"
    if not form.is_valid():
        messages.error(request, _("Выберите оценку от 2 до 5 или прочерк."))
        return redirect(grid_url)
    # The service finds the student among the teacher's own (404 otherwise).
    try:
        services.final_mark_set(
            actor=request.user,
            student_id=form.cleaned_data["student"],
            subject_id=subject_id,
            period_id=period_id,
            value=form.cleaned_data["value"],
        )
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Оценка за период сохранена."))
    return redirect(grid_url)


urlpatterns = [
    path("journal/", journal, name="journal"),
    path("journal/<int:class_id>/<int:subject_id>/", journal_grid, name="journal_grid"),
    path(
        "journal/<int:class_id>/<int:subject_id>/periods/<int:period_id>/final/",
        journal_final_mark,
        name="journal_final_mark",
    ),
    path("journal/lessons/<int:lesson_id>/", journal_lesson, name="journal_lesson"),
    path(
        "journal/lessons/<int:lesson_id>/topic/", journal_lesson_topic, name="journal_lesson_topic"
    ),
    path(
        "journal/lessons/<int:lesson_id>/files/",
        journal_homework_file_add,
        name="journal_homework_file_add",
    ),
    path(
        "journal/lessons/<int:lesson_id>/files/<int:file_id>/remove/",
        journal_homework_file_remove,
        name="journal_homework_file_remove",
    ),
]
