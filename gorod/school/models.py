"""The school diary: schools and their years, classes, teachers, the timetable, lessons,
marks, attendance and the period marks.

What the database can hold, it holds: a mark is 2..5, one period mark per student ×
subject × period, one attendance note per student × lesson, a class's letter unique in
its grade and year. That a student was in the lesson's class on the lesson's date spans
three tables; a trigger refuses a mark or an absence otherwise (migration 0002), so no
second code path and no race can put a mark where no student sat.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gorod.accounts.models import Person

MARK_VALUES = (2, 3, 4, 5)


class School(models.Model):
    """A general education school, as the city's register names it."""

    name = models.CharField(_("полное наименование"), max_length=300, unique=True)
    short_name = models.CharField(_("краткое наименование"), max_length=160)
    kind = models.CharField(_("вид учреждения"), max_length=120, blank=True)
    address = models.CharField(_("адрес"), max_length=300, blank=True)
    phone = models.CharField(_("телефон"), max_length=200, blank=True)
    website = models.CharField(_("сайт"), max_length=200, blank=True)
    lat = models.DecimalField(_("широта"), max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(_("долгота"), max_digits=9, decimal_places=6, null=True, blank=True)
    # The suggested period mark: an average at or above the threshold suggests the mark.
    # Set by the school; the defaults are the city's (GOROD_SCHOOL_MARK_THRESHOLDS).
    threshold_5 = models.DecimalField(_("порог «5»"), max_digits=3, decimal_places=2)
    threshold_4 = models.DecimalField(_("порог «4»"), max_digits=3, decimal_places=2)
    threshold_3 = models.DecimalField(_("порог «3»"), max_digits=3, decimal_places=2)

    class Meta:
        verbose_name = _("школа")
        verbose_name_plural = _("школы")
        ordering = ["short_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold_3__gte=2)
                & Q(threshold_4__gt=F("threshold_3"))
                & Q(threshold_5__gt=F("threshold_4"))
                & Q(threshold_5__lte=5),
                name="school_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name


class Teacher(models.Model):
    """A teacher of one school; the login opens the journal. A head teacher (завуч) may
    change the marks of a period past its cut-off."""

    school = models.ForeignKey(
        School, verbose_name=_("школа"), on_delete=models.PROTECT, related_name="teachers"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("учётная запись"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teacher",
    )
    last_name = models.CharField(_("фамилия"), max_length=100)
    first_name = models.CharField(_("имя"), max_length=100)
    middle_name = models.CharField(_("отчество"), max_length=100, blank=True)
    is_head_teacher = models.BooleanField(_("завуч"), default=False)
    active = models.BooleanField(_("работает"), default=True)

    class Meta:
        verbose_name = _("учитель")
        verbose_name_plural = _("учителя")
        ordering = ["last_name", "first_name", "middle_name", "id"]

    def __str__(self) -> str:
        return self.initials_name

    @property
    def initials_name(self) -> str:
        initials = "".join(f"{part[0]}." for part in (self.first_name, self.middle_name) if part)
        return f"{self.last_name} {initials}".strip()


class SchoolYear(models.Model):
    school = models.ForeignKey(
        School, verbose_name=_("школа"), on_delete=models.PROTECT, related_name="years"
    )
    starts_on = models.DateField(_("начало"))
    ends_on = models.DateField(_("окончание"))

    class Meta:
        verbose_name = _("учебный год")
        verbose_name_plural = _("учебные годы")
        ordering = ["school_id", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "starts_on"], name="school_year_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="school_year_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_on.year}/{self.ends_on.year}"


class Period(models.Model):
    """A quarter, trimester or semester: the school chooses how its year is divided."""

    class Kind(models.TextChoices):
        QUARTER = "quarter", _("четверть")
        TRIMESTER = "trimester", _("триместр")
        SEMESTER = "semester", _("полугодие")

    year = models.ForeignKey(
        SchoolYear, verbose_name=_("учебный год"), on_delete=models.CASCADE, related_name="periods"
    )
    kind = models.CharField(_("вид"), max_length=10, choices=Kind.choices)
    number = models.PositiveSmallIntegerField(_("номер"))
    starts_on = models.DateField(_("начало"))
    ends_on = models.DateField(_("окончание"))

    class Meta:
        verbose_name = _("учебный период")
        verbose_name_plural = _("учебные периоды")
        ordering = ["year_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="period_number_unique"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="period_dates"),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=4), name="period_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"


class Subject(models.Model):
    """A subject of the federal programmes (ФОП НОО/ООО/СОО), imported with the schools."""

    name = models.CharField(_("предмет"), max_length=120, unique=True)
    name_en = models.CharField(_("предмет (англ.)"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("предмет")
        verbose_name_plural = _("предметы")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchoolClass(models.Model):
    """A class of one year: 5А is grade 5, letter А."""

    year = models.ForeignKey(
        SchoolYear, verbose_name=_("учебный год"), on_delete=models.PROTECT, related_name="classes"
    )
    grade = models.PositiveSmallIntegerField(_("параллель"))
    letter = models.CharField(_("литера"), max_length=2)
    class_teacher = models.ForeignKey(
        Teacher,
        verbose_name=_("классный руководитель"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_classes",
    )

    class Meta:
        verbose_name = _("класс")
        verbose_name_plural = _("классы")
        ordering = ["year_id", "grade", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "grade", "letter"], name="class_unique"),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=11), name="class_grade"),
        ]

    def __str__(self) -> str:
        return f"{self.grade}{self.letter}"


class Enrollment(models.Model):
    """A student in a class from one date to another (a move to another class ends it)."""

    student = models.ForeignKey(
        Person, verbose_name=_("ученик"), on_delete=models.PROTECT, related_name="enrollments"
    )
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("класс"), on_delete=models.PROTECT, related_name="enrollments"
    )
    starts_on = models.DateField(_("с"))
    ends_on = models.DateField(_("по"), null=True, blank=True)

    class Meta:
        verbose_name = _("зачисление в класс")
        verbose_name_plural = _("зачисления в классы")
        ordering = ["school_class_id", "student_id", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_class", "starts_on"], name="enrollment_unique"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="enrollment_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} → {self.school_class_id} ({self.starts_on:%d.%m.%Y})"


class Assignment(models.Model):
    """Who teaches what to whom: a teacher, a subject, a class or one of its subgroups (a
    language group, a boys' or girls' labour group)."""

    teacher = models.ForeignKey(
        Teacher, verbose_name=_("учитель"), on_delete=models.PROTECT, related_name="assignments"
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("предмет"), on_delete=models.PROTECT, related_name="assignments"
    )
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("класс"), on_delete=models.PROTECT, related_name="assignments"
    )
    # Empty for the whole class; "1", "2" or a name for a subgroup.
    subgroup = models.CharField(_("подгруппа"), max_length=40, blank=True)
    # The subgroup's students; empty for the whole class.
    students = models.ManyToManyField(
        Person, verbose_name=_("ученики подгруппы"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("нагрузка учителя")
        verbose_name_plural = _("нагрузка учителей")
        ordering = ["school_class_id", "subject_id", "subgroup"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "subject", "subgroup"], name="assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        group = f" ({self.subgroup})" if self.subgroup else ""
        return f"{self.school_class} · {self.subject}{group}"


class Bell(models.Model):
    """The school's bell schedule: lesson 1 from 08:30 to 09:15, …"""

    school = models.ForeignKey(
        School, verbose_name=_("школа"), on_delete=models.CASCADE, related_name="bells"
    )
    number = models.PositiveSmallIntegerField(_("урок"))
    starts_at = models.TimeField(_("начало"))
    ends_at = models.TimeField(_("окончание"))

    class Meta:
        verbose_name = _("звонок")
        verbose_name_plural = _("расписание звонков")
        ordering = ["school_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="bell_unique"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="bell_times"),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class TimetableSlot(models.Model):
    """A weekly lesson: this assignment on this weekday at this bell, from a date until
    another (a new timetable ends the old slots rather than rewriting them)."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("нагрузка"), on_delete=models.CASCADE, related_name="slots"
    )
    weekday = models.PositiveSmallIntegerField(_("день недели"))  # 1 = Monday … 6 = Saturday
    bell = models.PositiveSmallIntegerField(_("урок"))
    valid_from = models.DateField(_("действует с"))
    valid_until = models.DateField(_("действует по"), null=True, blank=True)
    room = models.CharField(_("кабинет"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("урок в расписании")
        verbose_name_plural = _("расписание уроков")
        ordering = ["weekday", "bell"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "weekday", "bell", "valid_from"], name="timetable_slot_unique"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=1, weekday__lte=6), name="slot_weekday"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="slot_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} · {self.bell}"


class Lesson(models.Model):
    """A lesson on a date: from the timetable, or a change (a moved or an extra lesson);
    a cancelled one stays, marked so, for the diary to say it."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("нагрузка"), on_delete=models.PROTECT, related_name="lessons"
    )
    date = models.DateField(_("дата"))
    bell = models.PositiveSmallIntegerField(_("урок"))
    room = models.CharField(_("кабинет"), max_length=16, blank=True)
    # A substitute who gives this lesson instead of the assigned teacher.
    substitute = models.ForeignKey(
        Teacher,
        verbose_name=_("замена"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="substitutions",
    )
    cancelled = models.BooleanField(_("отменён"), default=False)
    topic = models.CharField(_("тема"), max_length=300, blank=True)
    homework = models.TextField(_("домашнее задание"), blank=True)
    # The control form announced for this lesson ("контрольная работа"): the diary lists it
    # among the upcoming tests.
    planned_control = models.ForeignKey(
        "ControlForm",
        verbose_name=_("запланирована проверочная"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    class Meta:
        verbose_name = _("урок")
        verbose_name_plural = _("уроки")
        ordering = ["date", "bell"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "date", "bell"], name="lesson_unique"),
        ]
        indexes = [models.Index(fields=["assignment", "date"], name="lesson_assignment_date")]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} · {self.bell}"


def _private_storage():
    # Homework reaches only the class's families, through an authorised view: the files
    # live in the private storage (never under a public URL), as applications' files do.
    return storages["private"]


class HomeworkFile(models.Model):
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("урок"), on_delete=models.CASCADE, related_name="files"
    )
    name = models.CharField(_("имя файла"), max_length=200)
    content_type = models.CharField(_("тип"), max_length=100)
    size = models.PositiveIntegerField(_("размер"))
    file = models.FileField(_("файл"), storage=_private_storage, upload_to="school/homework/%Y/%m/")
    uploaded_at = models.DateTimeField(_("загружен"), auto_now_add=True)

    class Meta:
        verbose_name = _("файл к заданию")
        verbose_name_plural = _("файлы к заданиям")
        ordering = ["lesson_id", "id"]

    def __str__(self) -> str:
        return self.name


class ControlForm(models.Model):
    """A form of control with its weight, set by the school: «ответ на уроке» 1,
    «контрольная работа» 4, …"""

    school = models.ForeignKey(
        School, verbose_name=_("школа"), on_delete=models.CASCADE, related_name="control_forms"
    )
    name = models.CharField(_("форма контроля"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("вес"))
    is_test = models.BooleanField(_("проверочная работа"), default=False)

    class Meta:
        verbose_name = _("форма контроля")
        verbose_name_plural = _("формы контроля")
        ordering = ["school_id", "weight", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="control_form_unique"),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=10), name="control_weight"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Mark(models.Model):
    """A mark for a lesson in one form of control; a lesson may carry several forms."""

    lesson = models.ForeignKey(
        Lesson, verbose_name=_("урок"), on_delete=models.PROTECT, related_name="marks"
    )
    student = models.ForeignKey(
        Person, verbose_name=_("ученик"), on_delete=models.PROTECT, related_name="marks"
    )
    control_form = models.ForeignKey(
        ControlForm, verbose_name=_("форма контроля"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.PositiveSmallIntegerField(pgettext_lazy("school mark", "оценка"))
    # The form's weight when the mark was given: a later change of the school's weights
    # does not rewrite the averages parents have already seen.
    weight = models.PositiveSmallIntegerField(_("вес"))
    comment = models.CharField(_("комментарий"), max_length=300, blank=True)
    given_by = models.ForeignKey(
        Teacher, verbose_name=_("поставил"), on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField(pgettext_lazy("school mark", "поставлена"))
    changed_at = models.DateTimeField(_("изменена"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("school mark", "оценка")
        verbose_name_plural = _("оценки")
        ordering = ["lesson_id", "student_id", "control_form_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "student", "control_form"], name="mark_unique"
            ),
            models.CheckConstraint(condition=Q(value__gte=2, value__lte=5), name="mark_value"),
            models.CheckConstraint(condition=Q(weight__gte=1, weight__lte=10), name="mark_weight"),
        ]
        indexes = [models.Index(fields=["student", "lesson"], name="mark_student_lesson")]

    def __str__(self) -> str:
        return str(self.value)


class MarkChange(models.Model):
    """A mark's history: who changed or removed it, when, and what it was. Append-only."""

    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    control_form = models.ForeignKey(ControlForm, on_delete=models.PROTECT, related_name="+")
    old_value = models.PositiveSmallIntegerField(_("было"), null=True)  # null: a new mark
    new_value = models.PositiveSmallIntegerField(_("стало"), null=True)  # null: removed
    changed_by = models.ForeignKey(Teacher, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("когда"))

    class Meta:
        verbose_name = _("изменение оценки")
        verbose_name_plural = _("история оценок")
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["lesson", "student"], name="mark_change_lesson_student")]

    def __str__(self) -> str:
        return f"{self.old_value} → {self.new_value}"


class Attendance(models.Model):
    """«н» in the journal: the student missed the lesson, with or without a good reason."""

    lesson = models.ForeignKey(
        Lesson, verbose_name=_("урок"), on_delete=models.PROTECT, related_name="absences"
    )
    student = models.ForeignKey(
        Person, verbose_name=_("ученик"), on_delete=models.PROTECT, related_name="absences"
    )
    excused = models.BooleanField(_("по уважительной причине"), default=False)
    noted_by = models.ForeignKey(Teacher, on_delete=models.PROTECT, related_name="+")
    noted_at = models.DateTimeField(_("отмечено"))

    class Meta:
        verbose_name = _("пропуск")
        verbose_name_plural = _("пропуски")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "student"], name="absence_unique"),
        ]
        indexes = [models.Index(fields=["student", "lesson"], name="absence_student_lesson")]

    def __str__(self) -> str:
        return "н"


class Exemption(models.Model):
    """«осв.»: a student exempt from a subject (physical education on a doctor's note) for
    a time; not a mark, and the lessons in it count in no average."""

    student = models.ForeignKey(
        Person, verbose_name=_("ученик"), on_delete=models.PROTECT, related_name="exemptions"
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("предмет"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("с"))
    ends_on = models.DateField(_("по"))
    reason = models.CharField(_("основание"), max_length=200)

    class Meta:
        verbose_name = _("освобождение")
        verbose_name_plural = _("освобождения")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="exemption_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"осв. {self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"


class FinalMark(models.Model):
    """The teacher's mark for a period (period set) or for the year (period empty); the
    system only suggests it."""

    student = models.ForeignKey(
        Person, verbose_name=_("ученик"), on_delete=models.PROTECT, related_name="final_marks"
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("предмет"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.ForeignKey(
        SchoolYear, verbose_name=_("учебный год"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.ForeignKey(
        Period,
        verbose_name=_("период"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    value = models.PositiveSmallIntegerField(pgettext_lazy("school mark", "оценка"))
    given_by = models.ForeignKey(Teacher, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(pgettext_lazy("school mark", "поставлена"))

    class Meta:
        verbose_name = _("итоговая оценка")
        verbose_name_plural = _("итоговые оценки")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "subject", "period"],
                condition=Q(period__isnull=False),
                name="period_mark_unique",
            ),
            models.UniqueConstraint(
                fields=["student", "subject", "year"],
                condition=Q(period__isnull=True),
                name="year_mark_unique",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=2, value__lte=5), name="final_mark_value"
            ),
        ]

    def __str__(self) -> str:
        return str(self.value)
