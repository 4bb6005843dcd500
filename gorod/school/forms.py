"""The journal's web forms: a lesson's marks and "н" as one form, its topic and homework.

The marks form has one text input per student × control form (`m-<student>-<form>`), the
value the teacher saw beside it in a hidden input (`e-…`, for the stale-edit check), and
a checkbox per student for "н" (`a-<student>`). The form only reads what was typed; the
journal's rules are the service's, whose refusals land next to their cell.
"""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gorod.core.errors import DomainError
from gorod.school import homework
from gorod.school.journal_selectors import LessonSheet
from gorod.school.models import ControlForm, Lesson
from gorod.school.services import AbsenceCell, MarkCell


def _as_int(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) <= 3 else None


class LessonMarksForm(forms.Form):
    def __init__(self, sheet: LessonSheet, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        # (student, [(control form, mark field name, expected field name)], absence name)
        self.rows = []
        for student in sheet.students:
            cells = []
            for form in sheet.control_forms:
                mark = sheet.marks.get((student.pk, form.pk))
                seen = "" if mark is None else str(mark.value)
                name, expected = f"m-{student.pk}-{form.pk}", f"e-{student.pk}-{form.pk}"
                self.fields[name] = forms.CharField(
                    label=f"{student.full_name}, {form.name}",
                    required=False,
                    max_length=10,
                    initial=seen,
                    strip=True,
                )
                self.fields[expected] = forms.CharField(
                    required=False, initial=seen, widget=forms.HiddenInput
                )
                cells.append((form, name, expected))
            absence = f"a-{student.pk}"
            self.fields[absence] = forms.BooleanField(
                label=_("%(student)s отсутствовал(а)") % {"student": student.full_name},
                required=False,
                initial=student.pk in sheet.absent,
            )
            self.rows.append((student, cells, absence))
        # Where each cell of the service's save comes from, to put its refusal back there.
        self.cell_fields: list[str] = []
        self.absence_fields: list[str] = []

    def grid_rows(self):
        """Per student: the bound inputs of each control form, the "н" box, and whether
        the student is exempt ("осв.") on the lesson's date."""
        return [
            {
                "student": student,
                "cells": [(form, self[name], self[expected]) for form, name, expected in cells],
                "absence": self[absence],
                "exempt": student.pk in self.sheet.exempt,
            }
            for student, cells, absence in self.rows
        ]

    def clean(self):
        cleaned = super().clean()
        for field_name, value in list(cleaned.items()):
            if field_name.startswith("m-") and value and _as_int(value) is None:
                self.add_error(field_name, _("Оценка — число от 2 до 5."))
        return cleaned

    def cells(self) -> tuple[list[MarkCell], list[AbsenceCell]]:
        """The save's cells, every one of the grid (an unchanged cell is no change)."""
        marks, absences = [], []
        self.cell_fields, self.absence_fields = [], []
        for student, cells, absence in self.rows:
            for form, name, expected in cells:
                marks.append(
                    MarkCell(
                        student_id=student.pk,
                        control_form_id=form.pk,
                        value=_as_int(self.cleaned_data.get(name)),
                        expected=_as_int(self.data.get(self.add_prefix(expected))),
                    )
                )
                self.cell_fields.append(name)
            absences.append(
                AbsenceCell(student_id=student.pk, absent=bool(self.cleaned_data.get(absence)))
            )
            self.absence_fields.append(absence)
        return marks, absences

    def show_refusal(self, error: DomainError) -> None:
        """Each refused cell's message next to its input; the rest above the form."""
        issues = error.details.get("errors") or [
            {"location": error.field or "", "message": str(error.message)}
        ]
        for issue in issues:
            field = self._field_of(issue["location"])
            self.add_error(field, issue["message"])

    def _field_of(self, location: str) -> str | None:
        for prefix, names in (("cells[", self.cell_fields), ("absences[", self.absence_fields)):
            if location.startswith(prefix) and location.endswith("]"):
                index = location[len(prefix) : -1]
                if index.isdigit() and int(index) < len(names):
                    return names[int(index)]
        return None


class LessonTopicForm(forms.Form):
    topic = forms.CharField(
        label=_("Тема урока"), required=False, max_length=Lesson._meta.get_field("topic").max_length
    )
    homework = forms.CharField(
        label=_("Домашнее задание"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    planned_control = forms.ModelChoiceField(
        label=_("Проверочная работа на этом уроке"),
        required=False,
        queryset=ControlForm.objects.none(),
        empty_label=_("не запланирована"),
    )

    def __init__(self, lesson: Lesson, *args, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "topic": lesson.topic,
                "homework": lesson.homework,
                "planned_control": lesson.planned_control_id,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["planned_control"].queryset = ControlForm.objects.filter(
            school_id=lesson.assignment.school_class.year.school_id
        )


class HomeworkFileForm(forms.Form):
    """One file for the lesson's homework; its type and size are the service's to judge
    (from the bytes), so an empty file reaches it too and is refused there."""

    file = forms.FileField(
        label=_("Файл к домашнему заданию"),
        allow_empty_file=True,
        error_messages={"required": _("Выберите файл."), "invalid": _("Выберите файл.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "%(kinds)s, до %(mb)d МБ, не больше %(count)d файлов к уроку."
        ) % {
            "kinds": homework.HOMEWORK_FILE_KINDS,
            "mb": homework.HOMEWORK_FILE_MAX_MB,
            "count": homework.HOMEWORK_FILES_PER_LESSON,
        }


class FinalMarkForm(forms.Form):
    student = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    value = forms.TypedChoiceField(
        label=_("Оценка за период"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), ("5", "5"), ("4", "4"), ("3", "3"), ("2", "2")],
    )
