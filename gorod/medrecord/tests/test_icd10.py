"""ICD-10: the common codes of migration 0005 and `gorod import icd10`, all or nothing.

The real reference book (../shared/data, НСИ 1.2.643.5.1.13.13.11.1005) is used when it is
there; small files written here check each rule on their own.
"""

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from gorod.core.models import AuditEvent
from gorod.medrecord.importers import icd10 as importers_icd10
from gorod.medrecord.models.record import Icd10
from gorod.medrecord.tests.factories import ensure_icd10_common

pytestmark = pytest.mark.django_db

SHARED_BOOK = (
    Path(settings.PROJECT_DIR).parent
    / "shared"
    / "data"
    / "icd10_ru_nsi_1.2.643.5.1.13.13.11.1005_v2.27.csv"
)
COMMON = Path(settings.PROJECT_DIR) / "gorod" / "health" / "data" / "icd10_common.csv"
HEADER = "id,rec_code,mkb_code,mkb_name,parent_id,addl_code,actual,date"
GOOD = [
    "1,10,X,БОЛЕЗНИ ОРГАНОВ ДЫХАНИЯ,,,1,",
    "2,1001,J00-J06,ОСТРЫЕ РЕСПИРАТОРНЫЕ ИНФЕКЦИИ ВЕРХНИХ ДЫХАТЕЛЬНЫХ ПУТЕЙ,1,,1,",
    "3,1001J06,J06,Острые инфекции верхних дыхательных путей множественной локализации,2,,1,",
    "4,1001J069,J06.9,Острая инфекция верхних дыхательных путей неуточненная,3,,1,",
    '5,1001J99,J99.9,"Старый код, выведенный из употребления",3,,0,01.01.2015',
]


def write(tmp_path, lines, *, header=HEADER):
    path = tmp_path / "icd10.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def run(path) -> str:
    out = io.StringIO()
    call_command("import", "icd10", str(path), stdout=out)
    return out.getvalue()


def refused(path) -> tuple[str, str]:
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import", "icd10", str(path), stdout=out)
    return out.getvalue(), str(caught.value)


def test_the_migration_loads_the_common_codes():
    with COMMON.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 80
    stored = Icd10.objects.in_bulk([row["mkb_code"] for row in rows])
    assert len(stored) == len(rows)
    assert stored["J06.9"].name == "Острая инфекция верхних дыхательных путей неуточненная"
    assert stored["I10"].actual


def test_the_common_codes_load_again_without_change():
    before = list(Icd10.objects.values_list("code", "name", "actual"))
    ensure_icd10_common()
    assert list(Icd10.objects.values_list("code", "name", "actual")) == before


def test_a_file_is_imported_with_parents_and_withdrawn_codes(tmp_path):
    output = run(write(tmp_path, GOOD))

    assert "Коды МКБ-10: создано 4, изменено 1, без изменений 0." in output
    assert importers_icd10.SOURCE in output
    assert Icd10.objects.get(pk="J06.9").parent_code == "J06"
    assert Icd10.objects.get(pk="J06").parent_code == "J00-J06"
    assert Icd10.objects.get(pk="X").parent_code == ""
    assert not Icd10.objects.get(pk="J99.9").actual
    event = AuditEvent.objects.get(action="health.icd10_imported")
    assert event.data["created"] == 4
    assert event.data["rows"] == 5


def test_a_rerun_changes_nothing_and_a_changed_name_is_updated(tmp_path):
    run(write(tmp_path, GOOD))
    assert "создано 0, изменено 0, без изменений 5." in run(write(tmp_path, GOOD))

    renamed = [*GOOD[:3], "4,1001J069,J06.9,Новое название,3,,1,", GOOD[4]]
    assert "создано 0, изменено 1, без изменений 4." in run(write(tmp_path, renamed))
    assert Icd10.objects.get(pk="J06.9").name == "Новое название"


def test_a_code_missing_from_a_newer_file_is_kept(tmp_path):
    run(write(tmp_path, GOOD))
    run(write(tmp_path, GOOD[:4]))
    assert Icd10.objects.filter(pk="J99.9").exists()
    # Codes of the common list that the file does not name stay too.
    assert Icd10.objects.filter(pk="I10").exists()


def test_every_bad_line_is_named_and_nothing_is_imported(tmp_path):
    lines = [
        *GOOD,
        "x,1,J01.9,Острый синусит неуточненный,,,1,",  # 7: id not a number
        "7,1,J 01,Плохой код,,,1,",  # 8: not an ICD-10 code
        "8,1,J02.9,,,,1,",  # 9: no name
        "9,1,J03.9,Острый тонзиллит неуточненный,99,,1,",  # 10: parent not in the file
        "10,1,J04.0,Острый ларингит,,,да,",  # 11: actual not 0/1
        "4,1,J04.1,Острый трахеит,,,1,",  # 12: id repeated
        "11,1,J06.9,Повтор,,,1,",  # 13: code repeated
        "12,1,J05.0,Лишнее поле,,,1,,лишнее",  # 14: more fields than columns
    ]
    output, error = refused(write(tmp_path, lines))

    for line in range(7, 15):
        assert f"icd10.csv:{line}:" in output
    assert "id: нужен номер строки" in output
    assert "«J 01» — не код МКБ-10" in output
    assert "mkb_name: не заполнено" in output
    assert "строки с id 99 в файле нет" in output
    assert "actual: нужно 1 или 0" in output
    assert "id 4 уже есть в строке 5" in output
    assert "код J06.9 уже есть в строке 5" in output
    assert "Ничего не загружено: строк с ошибками — 8." in output
    assert "8 bad row(s), nothing imported" in error
    assert not Icd10.objects.filter(pk__in=["X", "J06", "J99.9"]).exists()
    assert not AuditEvent.objects.filter(action="health.icd10_imported").exists()


def test_a_file_without_the_columns_is_refused(tmp_path):
    _output, error = refused(write(tmp_path, GOOD, header="code,name"))
    assert "нет столбцов: id, mkb_code, mkb_name, parent_id, actual" in error


@pytest.mark.skipif(not SHARED_BOOK.is_file(), reason="the shared ICD-10 file is not here")
def test_the_real_reference_book_imports_and_reimports():
    output = run(SHARED_BOOK)
    assert "изменено" in output
    total = Icd10.objects.count()
    assert total >= 15000
    j069 = Icd10.objects.get(pk="J06.9")
    assert j069.parent_code == "J06"
    assert Icd10.objects.filter(actual=False).exists()

    assert "создано 0, изменено 0" in run(SHARED_BOOK)
    assert Icd10.objects.count() == total
