"""IMS OneRoster 1.2: the CSV bulk export checked against the standard's field lists and
value sets (gorod.school.oneroster.spec, from the 1EdTech CSV binding 1.2.1), and the
read-only REST binding — envelope, paging, errors, and who may read it.

The REST door is mounted by this module's own urlconf (below), as gorod/urls.py will.
"""

import csv
import io
import re
import uuid
import zipfile
from datetime import date, datetime

import pytest
from django.core.management import call_command
from django.urls import path

from gorod.accounts.models import Guardianship
from gorod.accounts.services import api_token_create
from gorod.accounts.tests.factories import ChildFactory, PersonFactory, UserFactory
from gorod.core.models import AuditEvent
from gorod.school.models import Mark
from gorod.school.oneroster import spec
from gorod.school.oneroster.csv_export import export_school
from gorod.school.oneroster.ids import namespace, sourced_id
from gorod.school.oneroster.roster import Roster
from gorod.school.oneroster_views import oneroster_api
from gorod.school.tests.factories import (
    MOSCOW,
    AssignmentFactory,
    ControlFormFactory,
    EnrollmentFactory,
    LessonFactory,
    MarkFactory,
    PeriodFactory,
    SchoolClassFactory,
    SchoolFactory,
    SchoolYearFactory,
    SubjectFactory,
    TeacherFactory,
    TimetableSlotFactory,
)

urlpatterns = [path("ims/oneroster/", oneroster_api.urls)]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

TRICKY_COMMENT = 'Молодец, «почти» "отлично"\nперепиши пример №3, пожалуйста'
TRICKY_TOPIC = 'Дроби: сложение, вычитание; "задачи"'
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ROSTERING = "/ims/oneroster/rostering/v1p2/"
GRADEBOOK = "/ims/oneroster/gradebook/v1p2/"


def small_school(name_suffix=""):
    """A school year with two quarters, 5А with a class teacher and three students (one in
    the English subgroup), mathematics twice a week, one marked lesson, two parents."""
    school = SchoolFactory()
    year = SchoolYearFactory(school=school)
    first = PeriodFactory(year=year)
    second = PeriodFactory(
        year=year, number=2, starts_on=date(2026, 11, 5), ends_on=date(2026, 12, 28)
    )
    class_teacher = TeacherFactory(school=school)
    school_class = SchoolClassFactory(year=year, grade=5, letter="А", class_teacher=class_teacher)
    students = [ChildFactory(), ChildFactory(last_name="Петрова-Водкина"), ChildFactory()]
    for student in students:
        EnrollmentFactory(student=student, school_class=school_class)
    maths = AssignmentFactory(school_class=school_class, subject=SubjectFactory(name="Математика"))
    english = AssignmentFactory(
        school_class=school_class,
        subject=SubjectFactory(name="Иностранный (английский) язык"),
        subgroup="1",
        teacher=class_teacher,
    )
    english.students.set([students[0]])
    TimetableSlotFactory(assignment=maths, weekday=1, bell=2, room="204")
    TimetableSlotFactory(assignment=maths, weekday=3, bell=4, room="204")
    answer = ControlFormFactory(school=school, name="ответ на уроке", weight=1)
    test = ControlFormFactory(school=school, name="контрольная работа", weight=4)
    lesson = LessonFactory(assignment=maths, date=date(2026, 9, 14), bell=2, topic=TRICKY_TOPIC)
    given = datetime(2026, 9, 14, 10, 0, tzinfo=MOSCOW)
    MarkFactory(lesson=lesson, student=students[0], control_form=answer, value=5)
    MarkFactory(
        lesson=lesson,
        student=students[0],
        control_form=test,
        value=4,
        comment=TRICKY_COMMENT,
        given_at=given,
    )
    MarkFactory(lesson=lesson, student=students[1], control_form=answer, value=3)
    verified = datetime(2026, 8, 20, 12, 0, tzinfo=MOSCOW)
    mother = PersonFactory()
    Guardianship.objects.create(
        guardian=mother, child=students[0], kind="parent", verified_at=verified
    )
    guardian = PersonFactory()
    Guardianship.objects.create(
        guardian=guardian, child=students[1], kind="guardian", verified_at=verified
    )
    # A claim nobody has checked yet: not a parent to export.
    Guardianship.objects.create(guardian=PersonFactory(), child=students[2], kind="parent")
    head = TeacherFactory(school=school, is_head_teacher=True)
    return {
        "school": school,
        "quarters": (first, second),
        "students": students,
        "mother": mother,
        "guardian": guardian,
        "maths": maths,
        "english": english,
        "head": head,
        "class_teacher": class_teacher,
        "lesson": lesson,
    }


@pytest.fixture
def world():
    return small_school()


def unzip(content: bytes) -> dict[str, list[dict[str, str]]]:
    """Every CSV in the zip, read back with the csv module, plus the raw headers."""
    files = {}
    with zipfile.ZipFile(io.BytesIO(content)) as bundle:
        for info in bundle.infolist():
            assert "/" not in info.filename  # at the zip's root (section 2.2)
            assert info.compress_type == zipfile.ZIP_DEFLATED
            text = bundle.read(info.filename).decode("utf-8")
            assert "\r" not in text.replace("\r\n", "")  # no bare CR inside a field
            rows = list(csv.reader(io.StringIO(text, newline="")))
            files[info.filename.removesuffix(".csv")] = rows
    return files


def as_dicts(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# --- the CSV bulk export ---------------------------------------------------------------


def test_every_header_is_the_standards_list_exactly(world):
    files = unzip(export_school(world["school"])[0])
    written = set(files) - {"manifest"}
    assert written == {
        "academicSessions",
        "categories",
        "classes",
        "courses",
        "enrollments",
        "lineItems",
        "orgs",
        "results",
        "roles",
        "users",
    }
    for name in written:
        assert tuple(files[name][0]) == spec.HEADERS[name], name
        assert len(files[name]) > 1, f"{name}.csv has no data rows"
    manifest = files["manifest"]
    assert tuple(manifest[0]) == spec.MANIFEST_HEADER
    properties = dict(manifest[1:])
    assert [row[0] for row in manifest[1:]] == [
        "manifest.version",
        "oneroster.version",
        *(f"file.{name}" for name in spec.DATA_FILES),
        "source.systemName",
        "source.systemCode",
    ]
    assert properties["manifest.version"] == "1.0"
    assert properties["oneroster.version"] == "1.2"
    for name in spec.DATA_FILES:
        assert properties[f"file.{name}"] == ("bulk" if name in written else "absent")
    assert properties["source.systemName"]


def test_every_enumerated_value_is_in_the_standards_vocabulary(world):
    files = unzip(export_school(world["school"], with_demographics=True)[0])
    checked = 0
    for name, columns in spec.ENUMERATED_COLUMNS.items():
        for row in as_dicts(files[name]):
            for column, vocabulary in columns.items():
                assert row[column] == "" or row[column] in vocabulary, (name, column)
                checked += 1
    assert checked > 20
    for row in as_dicts(files["manifest"]):
        if row["propertyName"].startswith("file."):
            assert row["value"] in spec.PROCESSING_MODES


REFERENCES = {
    # column -> the file whose sourcedIds it must name
    "classSourcedId": "classes",
    "schoolSourcedId": "orgs",
    "userSourcedId": "users",
    "courseSourcedId": "courses",
    "termSourcedIds": "academicSessions",
    "orgSourcedId": "orgs",
    "agentSourcedIds": "users",
    "primaryOrgSourcedId": "orgs",
    "categorySourcedId": "categories",
    "academicSessionSourcedId": "academicSessions",
    "lineItemSourcedId": "lineItems",
    "studentSourcedId": "users",
    "schoolYearSourcedId": "academicSessions",
}


def test_every_reference_points_to_an_exported_row(world):
    files = {
        name: as_dicts(rows)
        for name, rows in unzip(export_school(world["school"])[0]).items()
        if name != "manifest"
    }
    ids = {name: {row["sourcedId"] for row in rows} for name, rows in files.items()}
    for rows in ids.values():
        assert all(rows)
    references = 0
    for name, rows in files.items():
        for row in rows:
            for column, value in row.items():
                target = REFERENCES.get(column)
                if column == "parentSourcedId":
                    target = name  # an org's parent is an org, a session's a session
                if target is None or not value:
                    continue
                for sourced in value.split(","):
                    assert sourced in ids[target], (name, column, sourced)
                    references += 1
    assert references > 50
    # Results name students (role student in roles.csv), lineItems name scheduled classes.
    students = {row["userSourcedId"] for row in files["roles"] if row["role"] == "student"}
    assert {row["studentSourcedId"] for row in files["results"]} <= students
    classes = {row["sourcedId"]: row for row in files["classes"]}
    assert {classes[row["classSourcedId"]]["classType"] for row in files["lineItems"]} == {
        "scheduled"
    }


def test_dates_are_in_the_standards_formats_and_bulk_leaves_status_empty(world):
    files = {
        name: as_dicts(rows)
        for name, rows in unzip(export_school(world["school"])[0]).items()
        if name != "manifest"
    }
    for name, rows in files.items():
        for row in rows:
            # Bulk mode: "MUST NOT contain values in the dateLastModified and status fields".
            assert (row["status"], row["dateLastModified"]) == ("", ""), name
            for column in ("startDate", "endDate", "beginDate", "assignDate", "dueDate"):
                if row.get(column):
                    assert DAY.match(row[column]), (name, column, row[column])
            if "scoreDate" in row:
                assert DAY.match(row["scoreDate"])
    sessions = {row["type"]: row for row in files["academicSessions"]}
    year = sessions["schoolYear"]
    # schoolYear is the year the school year ends in; endDate is exclusive.
    assert (year["startDate"], year["endDate"], year["schoolYear"]) == (
        "2026-09-01",
        "2027-06-01",
        "2027",
    )
    quarters = [row for row in files["academicSessions"] if row["type"] == "gradingPeriod"]
    assert {row["parentSourcedId"] for row in quarters} == {year["sourcedId"]}
    assert sorted((row["startDate"], row["endDate"]) for row in quarters)[0] == (
        "2026-09-01",
        "2026-10-27",
    )
    # The REST binding carries dateLastModified as YYYY-MM-DDTHH:MM:SS.sssZ.
    roster = Roster(world["school"])
    for row in [*roster.users(), *roster.results(), *roster.line_items(), *roster.orgs()]:
        assert DATETIME.match(row["dateLastModified"]), row["dateLastModified"]


def test_russian_text_with_commas_quotes_and_line_breaks_round_trips(world):
    content = export_school(world["school"])[0]
    files = {name: as_dicts(rows) for name, rows in unzip(content).items()}
    assert TRICKY_COMMENT in {row["comment"] for row in files["results"]}
    assert {row["description"] for row in files["lineItems"]} == {TRICKY_TOPIC}
    with zipfile.ZipFile(io.BytesIO(content)) as bundle:
        raw = bundle.read("results.csv").decode("utf-8")
    # RFC 4180: quoted, the inner quote doubled.
    assert '"Молодец, «почти» ""отлично""\nперепиши пример №3, пожалуйста"' in raw
    # A subject name is an element of a List of Strings: no comma inside.
    assert all("," not in row["subjects"] for row in files["courses"])


def test_the_mapping_of_the_school(world):
    files = {
        name: as_dicts(rows)
        for name, rows in unzip(export_school(world["school"])[0]).items()
        if name != "manifest"
    }
    classes = {row["title"]: row for row in files["classes"]}
    assert classes["5А"]["classType"] == "homeroom"
    maths = classes["5А · Математика"]
    assert (maths["classType"], maths["periods"], maths["location"], maths["grades"]) == (
        "scheduled",
        "2,4",
        "204",
        "05",
    )
    english = classes["5А · Иностранный (английский) язык (1)"]
    users = {row["sourcedId"]: row for row in files["users"]}
    roles = {(row["userSourcedId"], row["role"]): row for row in files["roles"]}
    by_class = {}
    for row in files["enrollments"]:
        by_class.setdefault(row["classSourcedId"], []).append(row)
    # The subgroup's class enrols its one member and its teacher, as primary.
    assert sorted(row["role"] for row in by_class[english["sourcedId"]]) == [
        "student",
        "teacher",
    ]
    teachers = [row for row in by_class[maths["sourcedId"]] if row["role"] == "teacher"]
    assert [row["primary"] for row in teachers] == ["true"]
    assert len(by_class[maths["sourcedId"]]) == 4
    # Parents and guardians: their own role, linked to their child both ways.
    parents = {role: user for (user, role) in roles if role in ("parent", "guardian")}
    assert set(parents) == {"parent", "guardian"}
    assert len(users) == 3 + 3 + 2  # teachers, students, the two verified representatives
    mother = users[parents["parent"]]
    child = users[mother["agentSourcedIds"]]
    assert child["agentSourcedIds"] == mother["sourcedId"]
    assert (child["grades"], child["email"], child["username"]) == ("05", "", child["sourcedId"])
    assert all(row["roleType"] == "primary" for row in files["roles"])
    # One lineItem per lesson × form of control with marks; results 2..5 as floats.
    assert len(files["lineItems"]) == 2
    assert {(row["resultValueMin"], row["resultValueMax"]) for row in files["lineItems"]} == {
        ("2.0", "5.0")
    }
    assert sorted(row["score"] for row in files["results"]) == ["3.0", "4.0", "5.0"]
    assert {row["scoreStatus"] for row in files["results"]} == {"fully graded"}
    assert {row["scoreDate"] for row in files["results"]} == {"2026-09-14"}
    categories = {row["title"]: row["weight"] for row in files["categories"]}
    assert categories == {"ответ на уроке": "1", "контрольная работа": "4"}


def test_sourced_ids_are_stable_and_say_nothing_of_the_keys(world):
    first = unzip(export_school(world["school"])[0])
    second = unzip(export_school(world["school"])[0])
    assert first == second
    mark = Mark.objects.order_by("pk").first()
    ids = {row[0] for row in first["results"][1:]}
    assert str(mark.pk) not in ids
    assert all(len(sourced) == 36 for sourced in ids)


def test_sourced_ids_are_uuid5_in_gorods_own_namespace(settings):
    for kind, key in (("mark", (1,)), ("lesson-form", (12, 3)), ("school", (7,))):
        expected = uuid.uuid5(namespace(), ":".join([kind, *map(str, key)]))
        assert sourced_id(kind, *key) == str(expected)
        # Not the well-known URL namespace: the ids cannot be recomputed from the keys.
        assert sourced_id(kind, *key) != str(uuid.uuid5(uuid.NAMESPACE_URL, f"{kind}:{key}"))
    before = sourced_id("mark", 1)
    settings.GOROD_ONEROSTER_NAMESPACE = "6f1c8e52-5d0a-4b8e-9a57-0c1f3c1d2e3f"
    pinned = sourced_id("mark", 1)
    assert pinned != before
    assert pinned == str(uuid.uuid5(uuid.UUID("6f1c8e52-5d0a-4b8e-9a57-0c1f3c1d2e3f"), "mark:1"))


def test_demographics_only_when_asked(world):
    without = unzip(export_school(world["school"])[0])
    assert "demographics" not in without
    assert ["file.demographics", "absent"] in without["manifest"]
    with_them = unzip(export_school(world["school"], with_demographics=True)[0])
    assert ["file.demographics", "bulk"] in with_them["manifest"]
    assert tuple(with_them["demographics"][0]) == spec.HEADERS["demographics"]
    rows = as_dicts(with_them["demographics"])
    assert {row["birthDate"] for row in rows} == {"2016-03-01"}
    students = {row["userSourcedId"] for row in as_dicts(with_them["roles"])}
    assert {row["sourcedId"] for row in rows} <= students


@pytest.mark.django_db(transaction=True)
def test_the_command_writes_the_zip_and_records_the_export(world, tmp_path):
    # transaction=True: the export opens its own (on PostgreSQL REPEATABLE READ) snapshot.
    target = tmp_path / "school.zip"
    call_command("oneroster_export", str(world["school"].pk), str(target), stdout=io.StringIO())
    assert "results" in unzip(target.read_bytes())
    event = AuditEvent.objects.get(action="school.oneroster.exported")
    assert event.data["demographics"] is False
    assert event.data["files"]["results"] == 3
    call_command(
        "oneroster_export",
        str(world["school"].pk),
        str(target),
        "--demographics",
        stdout=io.StringIO(),
    )
    assert "demographics" in unzip(target.read_bytes())


# --- the REST binding ------------------------------------------------------------------


def bearer(teacher_or_user) -> dict[str, str]:
    user = getattr(teacher_or_user, "user", teacher_or_user)
    _token, raw = api_token_create(actor=user, name="OneRoster")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_lists_answer_in_the_envelope_with_paging(client, world):
    auth = bearer(world["head"])
    envelopes = {
        "orgs": "orgs",
        "schools": "orgs",
        "academicSessions": "academicSessions",
        "gradingPeriods": "academicSessions",
        "terms": "academicSessions",
        "courses": "courses",
        "classes": "classes",
        "users": "users",
        "students": "users",
        "teachers": "users",
        "enrollments": "enrollments",
    }
    for name, envelope in envelopes.items():
        response = client.get(ROSTERING + name, **auth)
        assert response.status_code == 200, name
        assert list(response.json()) == [envelope]
        assert int(response["X-Total-Count"]) == len(response.json()[envelope])
    for name in ("categories", "lineItems", "results"):
        response = client.get(GRADEBOOK + name, **auth)
        assert response.status_code == 200
        assert list(response.json()) == [name]
    students = client.get(ROSTERING + "students", **auth).json()["users"]
    assert len(students) == 3
    # UserDType and EnrollmentDType declare these as the strings "true"/"false".
    assert {user["enabledUser"] for user in students} == {"true"}
    enrollments = client.get(ROSTERING + "enrollments", **auth).json()["enrollments"]
    assert {enrollment["primary"] for enrollment in enrollments} == {"true", "false"}
    assert all(role["role"] == "student" for user in students for role in user["roles"])
    page = client.get(GRADEBOOK + "results?limit=1&offset=1", **auth)
    assert page["X-Total-Count"] == "3"
    assert len(page.json()["results"]) == 1
    assert 'rel="next"' in page["Link"]
    assert 'rel="prev"' in page["Link"]
    assert "offset=2" in page["Link"]
    result = page.json()["results"][0]
    assert result["lineItem"]["type"] == "lineItem"
    assert isinstance(result["score"], float)
    assert DATETIME.match(result["dateLastModified"])
    assert result["status"] == "active"
    picked = client.get(ROSTERING + "users?fields=sourcedId,familyName", **auth)
    assert {frozenset(user) for user in picked.json()["users"]} <= {
        frozenset({"sourcedId", "familyName"})
    }
    ordered = client.get(ROSTERING + "users?sort=familyName&orderBy=desc", **auth).json()
    names = [user["familyName"] for user in ordered["users"]]
    assert names == sorted(names, reverse=True)


def test_one_object_by_sourced_id_and_the_unknown_one(client, world):
    auth = bearer(world["head"])
    classes = client.get(ROSTERING + "classes", **auth).json()["classes"]
    wanted = classes[-1]
    one = client.get(ROSTERING + "classes/" + wanted["sourcedId"], **auth)
    assert one.status_code == 200
    # Rows without a change time are stamped with the time of the answer.
    assert {**one.json()["class"], "dateLastModified": ""} == {**wanted, "dateLastModified": ""}
    assert wanted["school"]["href"].endswith(
        "/rostering/v1p2/orgs/" + wanted["school"]["sourcedId"]
    )
    result = client.get(GRADEBOOK + "results", **auth).json()["results"][0]
    found = client.get(GRADEBOOK + "results/" + result["sourcedId"], **auth)
    assert found.json() == {"result": result}
    line_item = client.get(GRADEBOOK + "lineItems/" + result["lineItem"]["sourcedId"], **auth)
    assert line_item.json()["lineItem"]["resultValueMax"] == 5.0
    missing = client.get(ROSTERING + "users/no-such-user", **auth)
    assert missing.status_code == 404
    assert missing.json() == {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": missing.json()["imsx_description"],
        "imsx_CodeMinor": {
            "imsx_codeMinorField": [
                {
                    "imsx_codeMinorFieldName": "TargetEndSystem",
                    "imsx_codeMinorFieldValue": "unknownobject",
                }
            ]
        },
    }
    assert client.get(ROSTERING + "nonsense", **auth).status_code == 404
    elsewhere = client.get("/ims/oneroster/rostering/v1p1/users", **auth)
    assert (elsewhere.status_code, _minor(elsewhere)) == (404, "unknownobject")
    bad = client.get(ROSTERING + "users?limit=0", **auth)
    assert bad.status_code == 400
    assert bad.json()["imsx_codeMajor"] == "failure"
    assert client.get(GRADEBOOK + "results?sort=score", **auth).status_code == 400
    assert client.get(ROSTERING + "users?filter=role%3D%27student%27", **auth).status_code == 400


def test_every_answered_read_is_audited(client, world):
    auth = bearer(world["head"])
    client.get(ROSTERING + "students", **auth)
    event = AuditEvent.objects.get(action="school.oneroster.read")
    assert event.actor == world["head"].user
    assert (event.target_id, event.data["collection"]) == (str(world["school"].pk), "students")


def _minor(response) -> str:
    return response.json()["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]


def test_nobody_but_the_schools_head_teacher_reads_anything(client, world):
    other = small_school()
    head_elsewhere = bearer(other["head"])
    callers = {
        "anonymous": ({}, 401, "unauthorisedrequest"),
        "bad token": ({"HTTP_AUTHORIZATION": "Bearer gorod_x_y"}, 401, "unauthorisedrequest"),
        "citizen": (bearer(UserFactory()), 403, "forbidden"),
        "teacher": (bearer(world["class_teacher"]), 403, "forbidden"),
        "parent": (bearer(world["mother"].user), 403, "forbidden"),
    }
    ours = client.get(ROSTERING + "users", **bearer(world["head"])).json()["users"]
    our_result = client.get(GRADEBOOK + "results", **bearer(world["head"])).json()["results"][0]
    events, marks = AuditEvent.objects.count(), Mark.objects.count()
    for who, (auth, status, minor) in callers.items():
        for url in (
            ROSTERING + "users",
            GRADEBOOK + "results",
            ROSTERING + "users/" + ours[0]["sourcedId"],
        ):
            response = client.get(url, **auth)
            assert (response.status_code, _minor(response)) == (status, minor), (who, url)
            assert ours[0]["familyName"] not in response.content.decode()
    # Another school's head teacher sees that school only; ours are unknown to them.
    theirs = client.get(ROSTERING + "users", **head_elsewhere).json()["users"]
    assert not {user["sourcedId"] for user in theirs} & {user["sourcedId"] for user in ours}
    events_after_their_list = AuditEvent.objects.count()
    for url in (
        ROSTERING + "users/" + ours[0]["sourcedId"],
        GRADEBOOK + "results/" + our_result["sourcedId"],
    ):
        response = client.get(url, **head_elsewhere)
        assert (response.status_code, _minor(response)) == (404, "unknownobject")
    assert AuditEvent.objects.count() == events_after_their_list
    for write in (client.post, client.put, client.delete):
        refused = write(ROSTERING + "users/" + ours[0]["sourcedId"], **bearer(world["head"]))
        assert refused.status_code == 405
        assert refused.json()["imsx_codeMajor"] == "unsupported"
    assert events_after_their_list == events + 1  # their own list, nothing of ours
    assert Mark.objects.count() == marks


def test_a_list_reads_in_a_bounded_number_of_statements(
    client, world, django_assert_max_num_queries
):
    auth = bearer(world["head"])
    for extra in range(5):  # more students, parents and marks must not mean more statements
        student = ChildFactory()
        EnrollmentFactory(student=student, school_class=world["lesson"].assignment.school_class)
        Guardianship.objects.create(
            guardian=PersonFactory(), child=student, kind="parent", verified_at=student.created_at
        )
        MarkFactory(lesson=world["lesson"], student=student, value=2 + extra % 4)
    client.get(ROSTERING + "users", **auth)  # the token is remembered after the first use
    with django_assert_max_num_queries(10):
        assert client.get(ROSTERING + "users", **auth).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(ROSTERING + "enrollments", **auth).status_code == 200
    with django_assert_max_num_queries(10):
        response = client.get(GRADEBOOK + "results?limit=50", **auth)
        assert response["X-Total-Count"] == "8"
