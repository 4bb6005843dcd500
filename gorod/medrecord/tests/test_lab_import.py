"""`gorod import labs FILE.csv`: one row per result, all or nothing, every bad line named."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gorod.accounts.tests.factories import PersonFactory
from gorod.core.models import AuditEvent
from gorod.medrecord.models.record import LabReport, Observation

pytestmark = pytest.mark.django_db

POLICY = "7700000000000042"
HEADER = (
    "lab_system,lab_identifier,oms_policy,issued_at,laboratory,category,specimen,code,name,"
    "value,unit,reference_low,reference_high,reference_text\n"
)
GOOD = (
    f"lab-1,B-7,{POLICY},2026-11-20T14:00+03:00,Гемотест,haematology,кровь,718-7,Гемоглобин,"
    "142,г/л,120,160,\n"
    f"lab-1,B-7,{POLICY},2026-11-20T14:00+03:00,Гемотест,haematology,кровь,6690-2,Лейкоциты,"
    '"11,8",10^9/л,4,9,\n'
    f"lab-1,B-8,{POLICY},2026-11-21 09:00,Гемотест,urinalysis,моча,5811-5,Белок в моче,"
    "отрицательно,,,,отрицательно\n"
)


@pytest.fixture
def patient():
    return PersonFactory(oms_policy=POLICY)


def run(tmp_path, text: str) -> str:
    path = tmp_path / "labs.csv"
    path.write_text(HEADER + text, encoding="utf-8")
    out = StringIO()
    call_command("import", "labs", str(path), stdout=out)
    return out.getvalue()


def test_a_file_is_imported_grouped_by_report_and_again_changes_nothing(tmp_path, patient):
    output = run(tmp_path, GOOD)
    assert "загружено отчётов 2 (показателей 3)" in output
    blood = LabReport.objects.select_related("entry").get(lab_identifier="B-7")
    assert blood.entry.patient == patient
    assert blood.category == "haematology"
    assert blood.specimen == "кровь"
    values = {row.code: row for row in Observation.objects.filter(entry=blood.entry)}
    assert values["6690-2"].value == Decimal("11.8")
    assert values["6690-2"].flag == "H"
    assert blood.entry.flagged
    urine = Observation.objects.get(code="5811-5")
    assert (urine.value, urine.value_text) == (None, "отрицательно")
    assert urine.entry.occurred_at.isoformat().startswith("2026-11-21T06:00")  # 09:00 MSK

    again = run(tmp_path, GOOD)
    assert "загружено отчётов 0 (показателей 0), уже были загружены раньше 2" in again
    assert LabReport.objects.count() == 2
    assert AuditEvent.objects.filter(action="health.labs_imported").count() == 2


def test_every_bad_line_is_named_and_nothing_is_imported(tmp_path, patient):
    bad = GOOD + (
        # 5: a number without its unit; 6: the report of line 2 with another patient;
        # 7: an unknown patient; 8: a date that is no date; 9: an unknown category.
        f"lab-1,B-9,{POLICY},2026-11-20T14:00,Гемотест,biochemistry,,1558-6,Глюкоза,5.1,,3.3,5.5,\n"
        "lab-1,B-7,7700000000000043,2026-11-20T14:00+03:00,Гемотест,haematology,кровь,"
        "777-3,Тромбоциты,250,10^9/л,150,400,\n"
        "lab-1,B-10,7700000000009999,2026-11-20T14:00,Гемотест,other,,X,Икс,1,ед,,,\n"
        f"lab-1,B-11,{POLICY},вчера,Гемотест,other,,X,Икс,1,ед,,,\n"
        f"lab-1,B-12,{POLICY},2026-11-20T14:00,Гемотест,astrology,,X,Икс,1,ед,,,\n"
    )
    path = tmp_path / "labs.csv"
    path.write_text(HEADER + bad, encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import", "labs", str(path), stdout=out)
    lines = out.getvalue()
    assert f"{path}:5: " in lines
    assert "единицы измерения" in lines
    assert f"{path}:6: oms_policy: не совпадает со строкой 2" in lines
    assert f"{path}:7: oms_policy: пациента с таким полисом нет" in lines
    assert f"{path}:8: issued_at" in lines
    assert f"{path}:9: category: неизвестный вид «astrology»" in lines
    assert "Ничего не загружено: строк с ошибками — 5." in lines
    assert not LabReport.objects.exists()


def test_a_file_without_the_columns_is_refused(tmp_path):
    path = tmp_path / "labs.csv"
    path.write_text("code,value\nX,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="lab_system"):
        call_command("import", "labs", str(path), stdout=StringIO())
