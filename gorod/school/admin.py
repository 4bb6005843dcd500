"""The school's back office in the staff admin (/staff/).

What the school's office keeps in order is edited here, each save audited: schools and
their thresholds, years with their quarters, classes with their pupils' enrollments,
teachers, subjects, who teaches what (assignments), bells and the weekly timetable, forms
of control with their weights, exemptions, and the timetable's changes on a date (a
cancelled lesson, a substitute, an extra lesson). Nothing is deleted: marks, absences and
the history refer to these rows.

What only the journal's services write — marks and their history, absences, period marks,
a lesson's topic and homework (they notify the families) — is shown, not changed; each look
at a child's marks is logged like any staff read of personal data.
"""

from django.contrib import admin

from gorod.core.admin import AuditedAdmin, ReadOnlyAdmin
from gorod.core.audit import audit_read
from gorod.core.services import reference_row_save
from gorod.school.models import (
    Assignment,
    Attendance,
    Bell,
    ControlForm,
    Enrollment,
    Exemption,
    FinalMark,
    HomeworkFile,
    Lesson,
    Mark,
    MarkChange,
    Period,
    School,
    SchoolClass,
    SchoolYear,
    Subject,
    Teacher,
    TimetableSlot,
)


class AuditedInlinesAdmin(AuditedAdmin):
    """An audited page whose inline rows are audited too, one row each, and never deleted."""

    def save_formset(self, request, form, formset, change) -> None:
        rows = formset.save(commit=False)
        new = {id(row) for row in formset.new_objects}
        changed = {id(row): fields for row, fields in formset.changed_objects}
        for row in rows:
            reference_row_save(
                actor=request.user,
                row=row,
                audit_action=f"school.{row._meta.model_name}",
                created=id(row) in new,
                changed_fields=changed.get(id(row), [f.name for f in row._meta.concrete_fields]),
            )
        formset.save_m2m()


class EditableInline(admin.TabularInline):
    extra = 0
    can_delete = False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReadsLogged(ReadOnlyAdmin):
    """A list or a page of pupils' school data: every look is an audited staff read."""

    read_action = ""

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and getattr(response, "status_code", 200) == 200:
            audit_read(
                actor=request.user,
                action=f"{self.read_action}_listed",
                query=request.GET.urlencode(),
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if getattr(response, "status_code", 200) == 200:
            audit_read(
                actor=request.user,
                action=f"{self.read_action}_viewed",
                target=self.get_object(request, object_id),
            )
        return response


class BellInline(EditableInline):
    model = Bell
    fields = ["number", "starts_at", "ends_at"]


class ControlFormInline(EditableInline):
    """A form's weight is copied into each mark when it is given: a new weight counts from
    then on and changes no average the families have already seen."""

    model = ControlForm
    fields = ["name", "weight", "is_test"]


@admin.register(School)
class SchoolAdmin(AuditedInlinesAdmin):
    audit_action = "school.school"
    list_display = ["short_name", "kind", "address", "threshold_5", "threshold_4", "threshold_3"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "address"]
    fields = [
        "name",
        "short_name",
        "kind",
        "address",
        "phone",
        "website",
        ("lat", "lon"),
        ("threshold_5", "threshold_4", "threshold_3"),
    ]
    inlines = [BellInline, ControlFormInline]


class PeriodInline(EditableInline):
    model = Period
    fields = ["number", "kind", "starts_on", "ends_on"]


@admin.register(SchoolYear)
class SchoolYearAdmin(AuditedInlinesAdmin):
    audit_action = "school.schoolyear"
    list_display = ["__str__", "school", "starts_on", "ends_on"]
    list_select_related = ["school"]
    list_filter = ["starts_on"]
    search_fields = ["school__short_name", "school__name"]
    raw_id_fields = ["school"]
    fields = ["school", "starts_on", "ends_on"]
    inlines = [PeriodInline]


@admin.register(Subject)
class SubjectAdmin(AuditedAdmin):
    audit_action = "school.subject"
    list_display = ["name", "name_en"]
    search_fields = ["name", "name_en"]
    fields = ["name", "name_en"]


@admin.register(Teacher)
class TeacherAdmin(AuditedAdmin):
    audit_action = "school.teacher"
    list_display = ["__str__", "school", "user", "is_head_teacher", "active"]
    list_select_related = ["school", "user"]
    list_filter = ["is_head_teacher", "active"]
    search_fields = ["last_name", "first_name", "school__short_name", "user__email"]
    raw_id_fields = ["school", "user"]
    fields = [
        "school",
        ("last_name", "first_name", "middle_name"),
        "user",
        "is_head_teacher",
        "active",
    ]


class EnrollmentInline(EditableInline):
    """A pupil leaves a class by the end date of the enrollment, never by a deletion: their
    marks in the class stay where they were given."""

    model = Enrollment
    fields = ["student", "starts_on", "ends_on"]
    raw_id_fields = ["student"]


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ["subject", "subgroup", "teacher"]


@admin.register(SchoolClass)
class SchoolClassAdmin(AuditedInlinesAdmin):
    audit_action = "school.schoolclass"
    list_display = ["__str__", "year", "class_teacher"]
    list_select_related = ["year__school", "class_teacher"]
    list_filter = ["grade", "year__starts_on"]
    search_fields = ["year__school__short_name"]
    raw_id_fields = ["year", "class_teacher"]
    fields = ["year", ("grade", "letter"), "class_teacher"]
    inlines = [EnrollmentInline, AssignmentInline]


class TimetableSlotInline(EditableInline):
    """A new timetable ends the old slots (valid until) rather than rewriting them."""

    model = TimetableSlot
    fields = ["weekday", "bell", "room", "valid_from", "valid_until"]


@admin.register(Assignment)
class AssignmentAdmin(AuditedInlinesAdmin):
    audit_action = "school.assignment"
    list_display = ["__str__", "teacher", "subgroup"]
    list_select_related = ["school_class", "subject", "teacher"]
    list_filter = ["subject", "school_class__grade"]
    search_fields = [
        "teacher__last_name",
        "subject__name",
        "school_class__year__school__short_name",
    ]
    raw_id_fields = ["teacher", "school_class", "students"]
    fields = ["school_class", "subject", "subgroup", "teacher", "students"]
    inlines = [TimetableSlotInline]

    def get_readonly_fields(self, request, obj=None):
        # The lessons and marks of an assignment belong to its class and subject; another
        # class or subject is another assignment.
        if obj is not None:
            return ["school_class", "subject"]
        return []


@admin.register(TimetableSlot)
class TimetableSlotAdmin(AuditedAdmin):
    audit_action = "school.timetableslot"
    list_display = ["assignment", "weekday", "bell", "room", "valid_from", "valid_until"]
    list_select_related = [
        "assignment__school_class",
        "assignment__subject",
    ]
    list_filter = ["weekday", "bell", "assignment__school_class__grade"]
    search_fields = ["assignment__subject__name", "assignment__teacher__last_name"]
    raw_id_fields = ["assignment"]
    fields = ["assignment", "weekday", "bell", "room", "valid_from", "valid_until"]


@admin.register(Exemption)
class ExemptionAdmin(AuditedAdmin):
    audit_action = "school.exemption"
    list_display = ["student", "subject", "starts_on", "ends_on", "reason"]
    list_select_related = ["student", "subject"]
    list_filter = ["subject"]
    search_fields = ["student__last_name"]
    raw_id_fields = ["student"]
    fields = ["student", "subject", ("starts_on", "ends_on"), "reason"]


class HomeworkFileInline(ReadOnlyInline):
    model = HomeworkFile
    fields = ["name", "content_type", "size", "uploaded_at"]
    show_change_link = False


@admin.register(Lesson)
class LessonAdmin(AuditedInlinesAdmin):
    """The timetable's changes on a date: an extra lesson, a substitute, a room, a
    cancellation. The topic and homework are the teacher's, written in the journal (which
    tells the families); a lesson that has marks is not cancelled from here."""

    audit_action = "school.lesson"
    list_display = ["date", "bell", "assignment", "room", "substitute", "cancelled"]
    list_select_related = ["assignment__school_class", "assignment__subject", "substitute"]
    list_filter = ["cancelled", "assignment__school_class__grade", "assignment__subject"]
    search_fields = ["assignment__teacher__last_name", "assignment__subject__name"]
    date_hierarchy = "date"
    raw_id_fields = ["assignment", "substitute"]
    fields = [
        "assignment",
        ("date", "bell"),
        "room",
        "substitute",
        "cancelled",
        "topic",
        "homework",
        "planned_control",
        "updated_at",
    ]
    inlines = [HomeworkFileInline]

    def get_readonly_fields(self, request, obj=None):
        teachers = ["topic", "homework", "planned_control", "updated_at"]
        if obj is None:
            return teachers
        # A lesson is what it was given as: a move is a cancellation and another lesson.
        fixed = ["assignment", "date", "bell", *teachers]
        if not obj.cancelled and (obj.marks.exists() or obj.absences.exists()):
            fixed.append("cancelled")
        return fixed


@admin.register(Mark)
class MarkAdmin(ReadsLogged):
    read_action = "school.marks"
    list_display = ["lesson", "student", "value", "control_form", "weight", "given_by"]
    list_select_related = ["lesson", "student", "control_form", "given_by"]
    list_filter = ["value", "weight"]
    search_fields = ["student__last_name"]
    ordering = ["-given_at", "-id"]
    fields = [
        "lesson",
        "student",
        "control_form",
        "value",
        "weight",
        "comment",
        "given_by",
        "given_at",
        "changed_at",
    ]
    readonly_fields = fields


@admin.register(MarkChange)
class MarkChangeAdmin(ReadsLogged):
    read_action = "school.mark_changes"
    list_display = ["changed_at", "lesson", "student", "control_form", "old_value", "new_value"]
    list_select_related = ["lesson", "student", "control_form", "changed_by"]
    search_fields = ["student__last_name"]
    date_hierarchy = "changed_at"
    ordering = ["-changed_at", "-id"]


@admin.register(Attendance)
class AttendanceAdmin(ReadsLogged):
    read_action = "school.absences"
    list_display = ["lesson", "student", "excused", "noted_by", "noted_at"]
    list_select_related = ["lesson", "student", "noted_by"]
    list_filter = ["excused"]
    search_fields = ["student__last_name"]
    ordering = ["-noted_at", "-id"]


@admin.register(FinalMark)
class FinalMarkAdmin(ReadsLogged):
    read_action = "school.final_marks"
    list_display = ["student", "subject", "year", "period", "value", "given_by", "given_at"]
    list_select_related = ["student", "subject", "year", "period", "given_by"]
    list_filter = ["value", "subject"]
    search_fields = ["student__last_name"]
    ordering = ["-given_at", "-id"]
