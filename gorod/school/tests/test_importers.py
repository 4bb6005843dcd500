"""`gorod import schools` and `gorod import subjects`: checked first, all or nothing,
re-runnable.

The real files (../shared/data) are used when they are there; the small files written here
check each rule on their own.
"""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from gorod.core.models import AuditEvent
from gorod.school import importers
from gorod.school.models import School, Subject
from gorod.school.tests.factories import SchoolFactory, SubjectFactory

pytestmark = pytest.mark.django_db

SCHOOLS_HEADER = (
    "source_dataset_id,category,name,short_name,address,institution_type,institution_kind,"
    "phone,website,lat,lon"
)
KIND = "Средняя общеобразовательная школа"
SCHOOLS = [
    f"565,{KIND},ГБОУ города Москвы средняя общеобразовательная школа № 1174,ГБОУ СОШ № 1174,"
    f'"117216, г. Москва, улица Феодосийская, дом 11А",Общеобразовательное учреждение,{KIND},'
    "712-40-36,http://school1174.ru,55.56336,37.576022",
    "538,Гимназия,ГБОУ города Москвы гимназия № 1520 им. Капцовых,ГБОУ Гимназия № 1520,"
    '"129090, г. Москва, Садовая-Сухаревская ул., д. 5",Общеобразовательное учреждение,Гимназия,'
    ",,,",
]
SUBJECTS_HEADER = "level,level_name,subject_area,subject,grades"
SUBJECTS = [
    "НОО,Начальное общее образование,Математика и информатика,Математика,1-4",
    "ООО,Основное общее образование,Математика и информатика,Математика,5-6",
    "ООО,Основное общее образование,Математика и информатика,Алгебра,7-9",
    "СОО,Среднее общее образование,—,Индивидуальный проект,10-11",
]


def write(tmp_path, header, lines, name="file.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def run(kind, path=None) -> str:
    out = io.StringIO()
    call_command("import", kind, *([str(path)] if path else []), stdout=out)
    return out.getvalue()


@override_settings(GOROD_SCHOOL_MARK_THRESHOLDS="4.50,3.50,2.50")
def test_schools_are_created_with_the_city_thresholds(tmp_path):
    output = run("schools", write(tmp_path, SCHOOLS_HEADER, SCHOOLS))

    school = School.objects.get(short_name="ГБОУ СОШ № 1174")
    assert school.kind == KIND
    assert school.address == "117216, г. Москва, улица Феодосийская, дом 11А"
    assert school.website == "http://school1174.ru"
    assert (school.lat, school.lon) == (Decimal("55.563360"), Decimal("37.576022"))
    assert (school.threshold_5, school.threshold_4, school.threshold_3) == (
        Decimal("4.50"),
        Decimal("3.50"),
        Decimal("2.50"),
    )
    gymnasium = School.objects.get(short_name="ГБОУ Гимназия № 1520")
    assert gymnasium.lat is None
    assert gymnasium.phone == ""
    assert "создано 2" in output
    assert importers.ATTRIBUTION in output
    audit = AuditEvent.objects.get(action="school.schools_imported")
    assert audit.data["created"] == 2


def test_a_second_run_changes_nothing_and_says_so(tmp_path):
    path = write(tmp_path, SCHOOLS_HEADER, SCHOOLS)
    run("schools", path)
    before = list(School.objects.order_by("id").values())

    output = run("schools", path)

    assert list(School.objects.order_by("id").values()) == before
    assert "ничего не изменилось" in output
    assert AuditEvent.objects.filter(action="school.schools_imported").count() == 1


def test_a_rerun_updates_the_register_and_keeps_the_schools_thresholds(tmp_path):
    run("schools", write(tmp_path, SCHOOLS_HEADER, SCHOOLS))
    school = School.objects.get(short_name="ГБОУ СОШ № 1174")
    school.threshold_5 = Decimal("4.75")
    school.save()
    moved = [SCHOOLS[0].replace("дом 11А", "дом 13"), SCHOOLS[1]]

    output = run("schools", write(tmp_path, SCHOOLS_HEADER, moved, "new.csv"))

    school.refresh_from_db()
    assert school.address.endswith("дом 13")
    assert school.threshold_5 == Decimal("4.75")
    assert "изменено 1, без изменений 1" in output


def test_one_bad_row_imports_nothing_and_every_bad_line_and_column_is_named(tmp_path):
    bad = [
        *SCHOOLS,
        f",{KIND},,Школа без имени,,,{KIND},,,55.7,37.6",
        f'565,{KIND},Школа с плохими координатами,Школа,"Москва",,{KIND},,,юг,37.6',
        f'565,{KIND},Школа с одной координатой,Школа 2,"Москва",,{KIND},,,55.7,',
        SCHOOLS[0],
    ]
    path = write(tmp_path, SCHOOLS_HEADER, bad)

    with pytest.raises(CommandError, match="4 bad row"):
        run("schools", path)
    report = importers.import_schools(path)

    assert School.objects.count() == 0
    assert not AuditEvent.objects.filter(action="school.schools_imported").exists()
    problems = {problem.line: problem.message for problem in report.problems}
    assert sorted(problems) == [4, 5, 6, 7]
    assert "name: не заполнено" in problems[4]
    assert "address: не заполнено" in problems[4]
    assert problems[5].startswith("lat:")
    assert problems[6].startswith("lat, lon:")
    assert "строке 2" in problems[7]


def test_a_missing_column_is_refused_before_any_row(tmp_path):
    path = write(tmp_path, "name,short_name,address", ["Школа,Школа,Москва"])

    with pytest.raises(CommandError, match="institution_kind"):
        run("schools", path)
    assert School.objects.count() == 0


def test_too_many_phones_and_a_long_short_name_are_fitted_and_reported(tmp_path):
    phone_width = School._meta.get_field("phone").max_length
    name_width = School._meta.get_field("short_name").max_length
    # Whole numbers of fifteen characters, "; " between them: more than the column holds.
    phones = "; ".join(f"(495) 941-57-{number:02d}" for number in range(phone_width // 17 + 3))
    long_name = "Негосударственное образовательное частное учреждение " + "«Школа» " * 20
    rows = [
        f'565,{KIND},Школа с телефонами,Школа с телефонами,"Москва",,{KIND},"{phones}",,,',
        f'565,{KIND},Частная школа,"{long_name.strip()}","Москва",,{KIND},,,,',
    ]

    output = run("schools", write(tmp_path, SCHOOLS_HEADER, rows))

    phoned = School.objects.get(name="Школа с телефонами")
    assert len(phoned.phone) <= phone_width
    assert phones.startswith(phoned.phone)
    # As many whole numbers as fit, never a number cut in half.
    assert phoned.phone.endswith(phones[: len(phoned.phone)].rsplit("; ", 1)[-1])
    assert len(phoned.phone.split("; ")[-1]) == len("(495) 941-57-00")
    private = School.objects.get(name="Частная школа")
    assert len(private.short_name) <= name_width
    assert private.short_name.endswith("…")
    assert ":2: не помещается" in output
    assert ":3: не помещается" in output


def test_subjects_are_unique_by_name_and_reruns_keep_the_english_names(tmp_path):
    path = write(tmp_path, SUBJECTS_HEADER, SUBJECTS)

    output = run("subjects", path)

    assert sorted(Subject.objects.values_list("name", flat=True)) == [
        "Алгебра",
        "Индивидуальный проект",
        "Математика",
    ]
    assert "создано 3" in output
    Subject.objects.filter(name="Алгебра").update(name_en="Algebra")

    again = run("subjects", path)

    assert "ничего не изменилось" in again
    assert Subject.objects.get(name="Алгебра").name_en == "Algebra"
    assert AuditEvent.objects.filter(action="school.subjects_imported").count() == 1


def test_a_bad_subject_row_imports_no_subject(tmp_path):
    SubjectFactory(name="Физика")
    rows = [*SUBJECTS, "ВО,Высшее,—,Сопромат,12", "ООО,Основное,—,,5-9"]
    path = write(tmp_path, SUBJECTS_HEADER, rows)

    with pytest.raises(CommandError, match="2 bad row"):
        run("subjects", path)
    report = importers.import_subjects(path)

    assert list(Subject.objects.values_list("name", flat=True)) == ["Физика"]
    problems = {problem.line: problem.message for problem in report.problems}
    assert "level:" in problems[6]
    assert "grades:" in problems[6]
    assert problems[7] == "subject: не заполнено"


def test_a_kind_without_a_default_file_needs_one():
    with pytest.raises(CommandError, match="Name the file"):
        run("clinics")


needs_shared_data = pytest.mark.skipif(
    not (importers.SCHOOLS_FILE.exists() and importers.SUBJECTS_FILE.exists()),
    reason="../shared/data is not here",
)


@needs_shared_data
def test_the_city_register_and_the_programmes_import_from_the_default_files():
    SchoolFactory(name="Школа, которой нет в реестре")

    output = run("schools")
    run("subjects")

    assert School.objects.count() == 1 + 1259
    assert Subject.objects.count() == 25
    assert School.objects.filter(short_name="ГБОУ СОШ № 1174").exists()
    # The register's longest short names and lists of phones fit the columns whole.
    assert "не помещается" not in output
    assert "ничего не изменилось" in run("schools")
