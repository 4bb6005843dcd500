"""One school as OneRoster 1.2 rows: the single mapping both doors use.

Each method returns rows as dicts keyed by the CSV binding's column names (spec.HEADERS),
every value a string, "" for "no value". The CSV export writes them as they are (blanking
status and dateLastModified, which bulk mode forbids); the REST binding (rest.py) turns
the same rows into JSON objects. Nothing is mapped twice.

The mapping (also in the docs):
- the school → an org of type "school";
- a school year → an academicSession "schoolYear" (schoolYear = the year it ends in); a
  quarter or trimester → "gradingPeriod", a semester (полугодие) → "semester", each with
  the year as its parent. endDate is exclusive in OneRoster, so it is the day after the
  period's last day;
- a subject taught in a grade → a course; each grade also has a course for its homeroom;
- a class (5А) → a class of type "homeroom" taught by the class teacher; each teaching
  assignment (5А × математика, or one subgroup of it) → a class of type "scheduled", its
  periods the bell numbers of its weekly lessons;
- teachers, students and their parents or guardians → users, with one role each in
  roles.csv (parent/guardian as accounts.Guardianship records it; verified links only)
  and agentSourcedIds linking children and parents both ways;
- a form of control → a category, its weight the school's weight of every mark in that
  form (gorod's average is Σ mark·weight / Σ weight; OneRoster calls the column a percent,
  gorod's numbers are the relative weights a consumer needs to recompute the average);
- each lesson × form of control that has marks → a lineItem (results 2..5), each mark → a
  result "fully graded" on the date it was last given or changed.

Names and logins are minimised: username is the user's sourcedId, no e-mail or phone
leaves gorod. Birth date and sex go only into demographics, which is written only when
the caller asks for it.
"""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

from django.utils.translation import gettext as _

from gorod.accounts.models import Guardianship, Sex
from gorod.core import clock
from gorod.school.models import (
    Assignment,
    ControlForm,
    Enrollment,
    Lesson,
    Mark,
    Period,
    School,
    SchoolClass,
    SchoolYear,
    Teacher,
    TimetableSlot,
)
from gorod.school.oneroster.ids import sourced_id

SCORE_MIN = "2.0"
SCORE_MAX = "5.0"


def timestamp(moment: datetime) -> str:
    """The binding's DateTime: YYYY-MM-DDTHH:MM:SS.sssZ, in UTC."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _exclusive_end(last_day: date | None) -> str:
    """OneRoster's end dates are exclusive: the day after gorod's last day."""
    return (last_day + timedelta(days=1)).isoformat() if last_day else ""


def _grade(number: int) -> str:
    return f"{number:02d}"


def _list_item(text: str) -> str:
    """An element of a "List of Strings" may not contain a comma (section 3)."""
    return text.replace(",", ";")


def person_id(person_pk: int) -> str:
    return sourced_id("person", person_pk)


class Roster:
    """The OneRoster view of one school, read with a bounded number of statements."""

    def __init__(self, school: School, *, now: datetime | None = None) -> None:
        self.school = school
        self.stamp = timestamp(now or clock.now())
        self.org_id = sourced_id("school", school.pk)

    def _base(self, sourced: str, modified: str | None = None) -> dict[str, str]:
        return {
            "sourcedId": sourced,
            "status": "active",
            # gorod keeps no change time for most rows; "now" makes a delta sync re-read
            # them rather than miss a change.
            "dateLastModified": modified or self.stamp,
        }

    # --- what the school holds ---------------------------------------------------------

    @cached_property
    def years(self) -> list[SchoolYear]:
        return list(SchoolYear.objects.filter(school=self.school).order_by("starts_on"))

    @cached_property
    def periods(self) -> list[Period]:
        return list(
            Period.objects.filter(year__school=self.school).order_by("year__starts_on", "number")
        )

    @cached_property
    def classes(self) -> list[SchoolClass]:
        return list(
            SchoolClass.objects.filter(year__school=self.school)
            .select_related("year")
            .order_by("year__starts_on", "grade", "letter")
        )

    @cached_property
    def assignments(self) -> list[Assignment]:
        return list(
            Assignment.objects.filter(school_class__year__school=self.school)
            .select_related("subject", "school_class")
            .order_by("school_class__year__starts_on", "school_class_id", "subject_id", "subgroup")
        )

    @cached_property
    def subgroup_students(self) -> dict[int, set[int]]:
        through = Assignment.students.through
        members: dict[int, set[int]] = defaultdict(set)
        for assignment_id, person_pk in through.objects.filter(
            assignment__school_class__year__school=self.school
        ).values_list("assignment_id", "person_id"):
            members[assignment_id].add(person_pk)
        return members

    @cached_property
    def slots(self) -> dict[int, list[tuple[int, str]]]:
        by_assignment: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for assignment_id, bell, room in TimetableSlot.objects.filter(
            assignment__school_class__year__school=self.school
        ).values_list("assignment_id", "bell", "room"):
            by_assignment[assignment_id].append((bell, room))
        return by_assignment

    @cached_property
    def enrollments(self) -> list[Enrollment]:
        return list(
            Enrollment.objects.filter(school_class__year__school=self.school)
            .select_related("student")
            .order_by("school_class_id", "student_id", "starts_on")
        )

    @cached_property
    def guardianships(self) -> list[Guardianship]:
        # Only links an operator has verified against documents, as the medical record
        # and the journal's notices require: an export hands the parent a key to the
        # child's data in another system.
        return list(
            Guardianship.objects.filter(
                child__enrollments__school_class__year__school=self.school,
                verified_at__isnull=False,
            )
            .select_related("guardian")
            .distinct()
            .order_by("guardian_id", "child_id")
        )

    @cached_property
    def teachers(self) -> list[Teacher]:
        return list(Teacher.objects.filter(school=self.school).order_by("pk"))

    @cached_property
    def control_forms(self) -> list[ControlForm]:
        return list(ControlForm.objects.filter(school=self.school).order_by("pk"))

    def _class_by_id(self) -> dict[int, SchoolClass]:
        return {school_class.pk: school_class for school_class in self.classes}

    # --- rostering ---------------------------------------------------------------------

    def orgs(self) -> list[dict[str, str]]:
        return [
            {
                **self._base(self.org_id),
                "name": self.school.name,
                "type": "school",
                "identifier": "",
                "parentSourcedId": "",
            }
        ]

    def academic_sessions(self) -> list[dict[str, str]]:
        rows = []
        for year in self.years:
            rows.append(
                {
                    **self._base(sourced_id("year", year.pk)),
                    "title": _("%(start)s/%(end)s учебный год")
                    % {"start": year.starts_on.year, "end": year.ends_on.year},
                    "type": "schoolYear",
                    "startDate": _day(year.starts_on),
                    "endDate": _exclusive_end(year.ends_on),
                    "parentSourcedId": "",
                    "schoolYear": str(year.ends_on.year),
                }
            )
        years = {year.pk: year for year in self.years}
        for period in self.periods:
            year = years[period.year_id]
            rows.append(
                {
                    **self._base(sourced_id("period", period.pk)),
                    "title": f"{period.number} {period.get_kind_display()} "
                    f"{year.starts_on.year}/{year.ends_on.year}",
                    "type": "semester" if period.kind == Period.Kind.SEMESTER else "gradingPeriod",
                    "startDate": _day(period.starts_on),
                    "endDate": _exclusive_end(period.ends_on),
                    "parentSourcedId": sourced_id("year", year.pk),
                    "schoolYear": str(year.ends_on.year),
                }
            )
        return rows

    def courses(self) -> list[dict[str, str]]:
        rows = []
        for grade in sorted({school_class.grade for school_class in self.classes}):
            rows.append(
                {
                    **self._base(sourced_id("homeroom-course", self.school.pk, grade)),
                    "schoolYearSourcedId": "",
                    "title": _("%(grade)s класс: классное руководство") % {"grade": grade},
                    "courseCode": "",
                    "grades": _grade(grade),
                    "orgSourcedId": self.org_id,
                    "subjects": "",
                    "subjectCodes": "",
                }
            )
        classes = self._class_by_id()
        taught = {
            (assignment.subject, classes[assignment.school_class_id].grade)
            for assignment in self.assignments
        }
        for subject, grade in sorted(taught, key=lambda pair: (pair[1], pair[0].name)):
            rows.append(
                {
                    **self._base(sourced_id("course", self.school.pk, subject.pk, grade)),
                    "schoolYearSourcedId": "",
                    "title": _("%(subject)s, %(grade)s класс")
                    % {"subject": subject.name, "grade": grade},
                    "courseCode": "",
                    "grades": _grade(grade),
                    "orgSourcedId": self.org_id,
                    "subjects": _list_item(subject.name),
                    "subjectCodes": "",
                }
            )
        return rows

    def homeroom_id(self, school_class: SchoolClass) -> str:
        return sourced_id("class", school_class.pk)

    def classes_rows(self) -> list[dict[str, str]]:
        rows = []
        for school_class in self.classes:
            rows.append(
                {
                    **self._base(self.homeroom_id(school_class)),
                    "title": str(school_class),
                    "grades": _grade(school_class.grade),
                    "courseSourcedId": sourced_id(
                        "homeroom-course", self.school.pk, school_class.grade
                    ),
                    "classCode": str(school_class),
                    "classType": "homeroom",
                    "location": "",
                    "schoolSourcedId": self.org_id,
                    "termSourcedIds": sourced_id("year", school_class.year_id),
                    "subjects": "",
                    "subjectCodes": "",
                    "periods": "",
                }
            )
        for assignment in self.assignments:
            school_class = assignment.school_class
            slots = self.slots.get(assignment.pk, [])
            rooms = {room for _bell, room in slots if room}
            group = f" ({assignment.subgroup})" if assignment.subgroup else ""
            rows.append(
                {
                    **self._base(sourced_id("assignment", assignment.pk)),
                    "title": f"{school_class} · {assignment.subject.name}{group}",
                    "grades": _grade(school_class.grade),
                    "courseSourcedId": sourced_id(
                        "course", self.school.pk, assignment.subject_id, school_class.grade
                    ),
                    "classCode": f"{school_class}{group}",
                    "classType": "scheduled",
                    "location": rooms.pop() if len(rooms) == 1 else "",
                    "schoolSourcedId": self.org_id,
                    "termSourcedIds": sourced_id("year", school_class.year_id),
                    "subjects": _list_item(assignment.subject.name),
                    "subjectCodes": "",
                    "periods": ",".join(str(bell) for bell in sorted({b for b, _r in slots})),
                }
            )
        return rows

    def _people(self) -> dict[int, dict]:
        """Every person the export names: students, and the parents of those students."""
        classes = self._class_by_id()
        people: dict[int, dict] = {}

        def entry(person):
            return people.setdefault(
                person.pk, {"person": person, "roles": [], "agents": set(), "grades": set()}
            )

        for enrollment in self.enrollments:
            student = entry(enrollment.student)
            if "student" not in student["roles"]:
                student["roles"].append("student")
            student["grades"].add(_grade(classes[enrollment.school_class_id].grade))
        for link in self.guardianships:
            guardian = entry(link.guardian)
            if link.kind not in guardian["roles"]:
                guardian["roles"].append(link.kind)
            guardian["agents"].add(person_id(link.child_id))
            people[link.child_id]["agents"].add(person_id(link.guardian_id))
        return people

    def users(self) -> list[dict[str, str]]:
        rows = []
        for teacher in self.teachers:
            sourced = sourced_id("teacher", teacher.pk)
            rows.append(
                self._user_row(
                    sourced,
                    enabled=teacher.active,
                    given=teacher.first_name,
                    family=teacher.last_name,
                    middle=teacher.middle_name,
                )
            )
        for person_pk, person in sorted(self._people().items()):
            record = person["person"]
            rows.append(
                self._user_row(
                    person_id(person_pk),
                    enabled=True,
                    given=record.first_name,
                    family=record.last_name,
                    middle=record.middle_name,
                    agents=sorted(person["agents"]),
                    grades=sorted(person["grades"]),
                    modified=timestamp(record.updated_at),
                )
            )
        return rows

    def _user_row(self, sourced, *, enabled, given, family, middle, **extra) -> dict[str, str]:
        return {
            **self._base(sourced, extra.get("modified")),
            "enabledUser": "true" if enabled else "false",
            "username": sourced,
            "userIds": "",
            "givenName": given,
            "familyName": family,
            "middleName": middle,
            "identifier": "",
            "email": "",
            "sms": "",
            "phone": "",
            "agentSourcedIds": ",".join(extra.get("agents", ())),
            "grades": ",".join(extra.get("grades", ())),
            "password": "",
            "userMasterIdentifier": "",
            "preferredGivenName": "",
            "preferredMiddleName": "",
            "preferredFamilyName": "",
            "primaryOrgSourcedId": self.org_id,
            "pronouns": "",
        }

    def roles(self) -> list[dict[str, str]]:
        holders = [(sourced_id("teacher", teacher.pk), ["teacher"]) for teacher in self.teachers]
        holders += [
            (person_id(person_pk), person["roles"])
            for person_pk, person in sorted(self._people().items())
        ]
        rows = []
        for user_sourced, roles in holders:
            for position, role in enumerate(roles):
                rows.append(
                    {
                        **self._base(sourced_id("role", user_sourced, role)),
                        "userSourcedId": user_sourced,
                        # "Only one role per organization can be 'primary'."
                        "roleType": "primary" if position == 0 else "secondary",
                        "role": role,
                        "beginDate": "",
                        "endDate": "",
                        "orgSourcedId": self.org_id,
                        "userProfileSourcedId": "",
                    }
                )
        return rows

    @cached_property
    def user_roles(self) -> dict[str, list[dict[str, str]]]:
        """roles() by userSourcedId."""
        by_user: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in self.roles():
            by_user[row["userSourcedId"]].append(row)
        return by_user

    def _enrollment_row(self, sourced, class_id, user_id, role, primary, begin="", end=""):
        return {
            **self._base(sourced),
            "classSourcedId": class_id,
            "schoolSourcedId": self.org_id,
            "userSourcedId": user_id,
            "role": role,
            "primary": "true" if primary else "false",
            "beginDate": begin,
            "endDate": end,
        }

    def enrollments_rows(self) -> list[dict[str, str]]:
        rows = []
        by_class: dict[int, list[Enrollment]] = defaultdict(list)
        for school_class in self.classes:
            if school_class.class_teacher_id:
                rows.append(
                    self._enrollment_row(
                        sourced_id("class-teacher", school_class.pk),
                        self.homeroom_id(school_class),
                        sourced_id("teacher", school_class.class_teacher_id),
                        "teacher",
                        primary=True,
                    )
                )
        for enrollment in self.enrollments:
            by_class[enrollment.school_class_id].append(enrollment)
            rows.append(
                self._enrollment_row(
                    sourced_id("enrollment", enrollment.pk),
                    sourced_id("class", enrollment.school_class_id),
                    person_id(enrollment.student_id),
                    "student",
                    primary=False,
                    begin=_day(enrollment.starts_on),
                    end=_exclusive_end(enrollment.ends_on),
                )
            )
        for assignment in self.assignments:
            class_id = sourced_id("assignment", assignment.pk)
            rows.append(
                self._enrollment_row(
                    sourced_id("teaching", assignment.pk),
                    class_id,
                    sourced_id("teacher", assignment.teacher_id),
                    "teacher",
                    primary=True,
                )
            )
            # A subgroup's lessons are for its members only; the whole class otherwise.
            members = self.subgroup_students.get(assignment.pk)
            for enrollment in by_class[assignment.school_class_id]:
                if members is not None and enrollment.student_id not in members:
                    continue
                rows.append(
                    self._enrollment_row(
                        sourced_id("enrollment", enrollment.pk, "assignment", assignment.pk),
                        class_id,
                        person_id(enrollment.student_id),
                        "student",
                        primary=False,
                        begin=_day(enrollment.starts_on),
                        end=_exclusive_end(enrollment.ends_on),
                    )
                )
        return rows

    def demographics(self) -> list[dict[str, str]]:
        """Birth date and sex of the students: personal data, exported only on request."""
        rows = []
        students = {enrollment.student_id: enrollment.student for enrollment in self.enrollments}
        sexes = {Sex.MALE: "male", Sex.FEMALE: "female"}
        for person_pk, person in sorted(students.items()):
            row = dict.fromkeys(
                (
                    "americanIndianOrAlaskaNative",
                    "asian",
                    "blackOrAfricanAmerican",
                    "nativeHawaiianOrOtherPacificIslander",
                    "white",
                    "demographicRaceTwoOrMoreRaces",
                    "hispanicOrLatinoEthnicity",
                    "countryOfBirthCode",
                    "stateOfBirthAbbreviation",
                    "cityOfBirth",
                    "publicSchoolResidenceStatus",
                ),
                "",
            )
            rows.append(
                {
                    **self._base(person_id(person_pk), timestamp(person.updated_at)),
                    "birthDate": _day(person.birth_date),
                    "sex": sexes.get(person.sex, ""),
                    **row,
                }
            )
        return rows

    # --- gradebook ---------------------------------------------------------------------

    def categories(self) -> list[dict[str, str]]:
        return [
            {
                **self._base(sourced_id("control-form", form.pk)),
                "title": form.name,
                "weight": str(form.weight),
            }
            for form in self.control_forms
        ]

    def marks(self):
        """The school's marks, in a stable order (for paging)."""
        return Mark.objects.filter(
            lesson__assignment__school_class__year__school=self.school
        ).order_by("lesson_id", "control_form_id", "student_id")

    def line_item_keys(self):
        """(lesson, form of control) pairs that carry marks: one lineItem each."""
        return (
            self.marks()
            .values_list("lesson_id", "control_form_id")
            .distinct()
            .order_by("lesson_id", "control_form_id")
        )

    def _session_of(self, year_id: int, day: date) -> str:
        for period in self.periods:
            if period.year_id == year_id and period.starts_on <= day <= period.ends_on:
                return sourced_id("period", period.pk)
        return sourced_id("year", year_id)

    def line_items(self, keys: list[tuple[int, int]] | None = None) -> list[dict[str, str]]:
        """The lineItems for these keys (all of the school's when None)."""
        if keys is None:
            keys = list(self.line_item_keys())
        lessons = Lesson.objects.select_related("assignment__subject", "assignment__school_class")
        if len(keys) > 500:  # the whole school: one filter rather than a long IN list
            lessons = lessons.filter(assignment__school_class__year__school=self.school)
        else:
            lessons = lessons.filter(pk__in={lesson_id for lesson_id, _form in keys})
        by_id = {lesson.pk: lesson for lesson in lessons}
        forms = {form.pk: form for form in self.control_forms}
        rows = []
        for lesson_id, form_id in keys:
            lesson = by_id[lesson_id]
            assignment = lesson.assignment
            rows.append(
                {
                    **self._base(
                        sourced_id("lesson-form", lesson_id, form_id),
                        timestamp(lesson.updated_at),
                    ),
                    "title": f"{assignment.subject.name} · {lesson.date:%d.%m.%Y} · "
                    f"{forms[form_id].name}",
                    "description": lesson.topic,
                    "assignDate": _day(lesson.date),
                    "dueDate": _day(lesson.date),
                    "classSourcedId": sourced_id("assignment", assignment.pk),
                    "categorySourcedId": sourced_id("control-form", form_id),
                    "academicSessionSourcedId": self._session_of(
                        assignment.school_class.year_id, lesson.date
                    ),
                    "resultValueMin": SCORE_MIN,
                    "resultValueMax": SCORE_MAX,
                    "schoolSourcedId": self.org_id,
                }
            )
        return rows

    def results(self, marks=None) -> list[dict[str, str]]:
        """The results for these marks (a queryset or slice of marks(); all when None)."""
        marks = self.marks() if marks is None else marks
        rows = []
        for mark in marks.values(
            "pk",
            "lesson_id",
            "lesson__assignment_id",
            "control_form_id",
            "student_id",
            "value",
            "comment",
            "given_at",
            "changed_at",
        ):
            moment = mark["changed_at"] or mark["given_at"]
            rows.append(
                {
                    **self._base(sourced_id("mark", mark["pk"]), timestamp(moment)),
                    "lineItemSourcedId": sourced_id(
                        "lesson-form", mark["lesson_id"], mark["control_form_id"]
                    ),
                    "studentSourcedId": person_id(mark["student_id"]),
                    "scoreStatus": "fully graded",
                    "score": f"{mark['value']:.1f}",
                    "scoreDate": _day(clock.local_date(moment)),
                    "comment": mark["comment"],
                    "textScore": "",
                    "classSourcedId": sourced_id("assignment", mark["lesson__assignment_id"]),
                    "inProgress": "",
                    "incomplete": "",
                    "late": "",
                    "missing": "",
                }
            )
        return rows
