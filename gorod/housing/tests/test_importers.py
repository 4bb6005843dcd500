import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from gorod.core.models import AuditEvent
from gorod.housing import importers
from gorod.housing.models import Meter, Premises, Reading
from gorod.housing.tests.factories import MeterFactory, PremisesFactory

pytestmark = pytest.mark.django_db

HEADER = ",".join(importers.COLUMNS)
GOOD = [
    '7712345678,12А,"Москва, ул. Лесная, д. 5",3,cold,X-100,ванная,2024-01-10,2024-01-15,'
    "10.5,2030-01-10,5,3",
    '7712345678,12А,"Москва, ул. Лесная, д. 5",3,hot,X-100,ванная,2024-01-10,2024-01-15,'
    "7,2030-01-10,,",
    '7712345679,13,"Москва, ул. Лесная, д. 5",1,heat,H-7,коридор,2025-02-01,,0,2031-02-01,4,3',
]


def write(tmp_path, lines, *, header=HEADER, name="meters.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def run(path) -> str:
    out = io.StringIO()
    call_command("import", "meters", str(path), stdout=out)
    return out.getvalue()


def refused(path) -> tuple[str, str]:
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import", "meters", str(path), stdout=out)
    return out.getvalue(), str(caught.value)


def test_a_registry_creates_premises_and_meters(tmp_path):
    output = run(write(tmp_path, GOOD))
    assert "Помещения: создано 2, изменено 0. Счётчики: создано 3" in output
    premises = Premises.objects.get(payer_code="7712345678")
    assert (premises.apartment, premises.address, premises.residents) == (
        "12А",
        "Москва, ул. Лесная, д. 5",
        3,
    )
    cold = Meter.objects.get(kind="cold", serial="X-100")
    hot = Meter.objects.get(kind="hot", serial="X-100")
    heat = Meter.objects.get(kind="heat")
    assert (cold.unit, cold.initial_value, cold.premises) == ("m3", Decimal("10.5"), premises)
    assert (hot.integer_digits, hot.fraction_digits) == (5, 3)  # the defaults
    assert (heat.unit, heat.commissioned_on, heat.integer_digits) == ("gcal", None, 4)
    audit = AuditEvent.objects.get(action="housing.meters_imported")
    assert audit.data["meters_created"] == 3
    assert audit.data["rows"] == 3
    assert len(audit.data["sha256"]) == 64


def test_a_re_import_updates_dates_and_residents_and_leaves_readings_alone(tmp_path):
    run(write(tmp_path, GOOD))
    cold = Meter.objects.get(kind="cold", serial="X-100")
    reading = Reading.objects.create(
        meter=cold,
        period=date(2026, 10, 1),
        value=Decimal("12"),
        previous_value=Decimal("10.5"),
        submitted_at="2026-10-20T12:00:00+03:00",
        channel="web",
    )
    output = run(write(tmp_path, GOOD, name="same.csv"))
    assert "создано 0, изменено 0. Счётчики: создано 0, изменено 0, без изменений 3" in output
    changed = [
        GOOD[0].replace(",3,cold", ",4,cold").replace("2030-01-10", "2031-06-01"),
        GOOD[1].replace(",3,hot", ",4,hot"),
        GOOD[2].replace("2025-02-01,,0", "2025-02-01,2025-03-01,0"),
    ]
    output = run(write(tmp_path, changed, name="changed.csv"))
    assert "создано 0, изменено 1. Счётчики: создано 0, изменено 2, без изменений 1" in output
    assert Premises.objects.get(payer_code="7712345678").residents == 4
    cold.refresh_from_db()
    assert cold.next_verification_on == date(2031, 6, 1)
    assert Meter.objects.get(kind="heat").commissioned_on == date(2025, 3, 1)
    assert Meter.objects.count() == 3
    assert list(Reading.objects.values_list("pk", "value")) == [(reading.pk, Decimal("12"))]
    assert AuditEvent.objects.filter(action="housing.meters_imported").count() == 3


def test_bad_rows_are_all_listed_and_nothing_is_imported(tmp_path):
    lines = [
        GOOD[0],  # line 2
        "77123,1,Адрес,2,cold,A-1,,2024-01-10,,1,2030-01-10,,",  # 3: payer code
        "7700000001,1,Адрес,2,gas,A-2,,2024-01-10,,1,2030-01-10,,",  # 4: kind
        "7700000002,1,Адрес,2,cold,A-3,,10.01.2024,,1,2030-01-10,,",  # 5: date
        "7700000003,1,Адрес,2,cold,A-4,,2024-01-10,,-1,2030-01-10,,",  # 6: negative
        "7700000004,1,Адрес,2,cold,A-5,,2024-01-10,,1234567,2030-01-10,,",  # 7: digits
        "7700000005,1,Адрес,2,cold,A-6,,2024-01-10,2024-01-01,1,2030-01-10,,",  # 8: order
        GOOD[0],  # 9: the same meter again
        GOOD[1].replace(",3,hot", ",5,hot"),  # 10: the premises described otherwise
        "7700000006,1,Адрес,2,cold,A-7,,2024-01-10,,1,2030-01-10,,,extra",  # 11: fields
        "7700000007,,,x,cold,,,,,١٢,,9,",  # 12: many problems at once
    ]
    output, error = refused(write(tmp_path, lines))
    assert "10 bad row(s), nothing imported" in error
    for line, says in [
        (3, "Код плательщика — 10 цифр"),
        (4, "kind: нужно cold, hot или heat, а не «gas»"),
        (5, "installed_on: дата должна быть в виде ГГГГ-ММ-ДД, а не «10.01.2024»"),
        (6, "initial_value: Показание не может быть отрицательным."),
        (7, "initial_value: Цифр до запятой у этого счётчика: не больше 5."),
        (8, "commissioned_on: счётчик введён в эксплуатацию раньше, чем установлен"),
        (9, "счётчик cold № X-100 уже есть в строке 2"),
        (10, "помещение с кодом плательщика 7712345678 в строке 2 описано иначе"),
        (11, "полей больше, чем столбцов в заголовке"),
        (12, "apartment: не заполнено; address: не заполнено; residents: нужно целое"),
        (12, "integer_digits: нужно целое число от 1 до 7, а не «9»"),
    ]:
        assert f"meters.csv:{line}: " in output
        assert says in output.split(f"meters.csv:{line}: ")[1].splitlines()[0]
    assert "meters.csv:2:" not in output
    assert "Ничего не загружено: строк с ошибками — 10." in output
    assert not Premises.objects.exists()
    assert not Meter.objects.exists()
    assert not AuditEvent.objects.filter(action="housing.meters_imported").exists()


def test_a_file_disagreeing_with_the_registry_imports_nothing(tmp_path):
    elsewhere = MeterFactory(kind="cold", serial="X-100")
    PremisesFactory(payer_code="7712345679", apartment="99")
    retired = MeterFactory(
        kind="hot", serial="OLD-1", status=Meter.Status.REPLACED, retired_on=date(2026, 1, 1)
    )
    lines = [
        GOOD[0],  # 2: the meter is in another premises
        GOOD[2],  # 3: the payer code belongs to another apartment
        f"{retired.premises.payer_code},{retired.premises.apartment},"
        f'"{retired.premises.address}",2,hot,OLD-1,,2024-01-10,2024-01-15,10,2030-01-10,,',
        "7712345670,1,Адрес,2,cold,NEW-1,,2024-01-10,,1,2030-01-10,,",  # 5: fine alone
    ]
    output, _error = refused(write(tmp_path, lines))
    assert (
        f"meters.csv:2: Холодная вода, № X-100 уже установлен в помещении с кодом плательщика "
        f"{elsewhere.premises.payer_code}" in output
    )
    assert "meters.csv:3: код плательщика 7712345679 уже принадлежит квартире 99, а не 13" in output
    assert "meters.csv:4: Горячая вода, № OLD-1 снят 01.01.2026" in output
    assert "meters.csv:5:" not in output
    assert not Meter.objects.filter(serial="NEW-1").exists()
    assert not Premises.objects.filter(payer_code="7712345670").exists()


def test_a_meters_identity_is_not_rewritten_by_a_file(tmp_path):
    run(write(tmp_path, GOOD))
    moved = [GOOD[0].replace(",10.5,", ",11,"), GOOD[1], GOOD[2].replace("2025-02-01,,", ",,")]
    output, _error = refused(write(tmp_path, moved, name="moved.csv"))
    assert (
        "moved.csv:2: Холодная вода, ванная, № X-100 уже в реестре с другими данными "
        "(initial_value)" in output
    )
    assert "moved.csv:4: installed_on: не заполнено" in output
    uncommission = [GOOD[0].replace("2024-01-10,2024-01-15", "2024-01-10,"), GOOD[1], GOOD[2]]
    output, _error = refused(write(tmp_path, uncommission, name="blank.csv"))
    assert (
        "blank.csv:2: Холодная вода, ванная, № X-100 уже введён в эксплуатацию 15.01.2024" in output
    )
    assert Meter.objects.get(kind="cold").commissioned_on == date(2024, 1, 15)


def test_a_wrong_header_is_refused_before_any_row(tmp_path):
    path = write(tmp_path, GOOD, header=HEADER.replace("residents", "жильцы"))
    with pytest.raises(CommandError, match="В первой строке файла нет столбцов: residents"):
        run(path)
    assert not Premises.objects.exists()


def test_a_file_not_in_utf8_is_refused(tmp_path):
    path = tmp_path / "cp1251.csv"
    path.write_bytes(("\n".join([HEADER, *GOOD]) + "\n").encode("cp1251"))
    with pytest.raises(CommandError, match="UTF-8"):
        run(path)
    assert not Premises.objects.exists()


def test_a_bom_and_a_quoted_line_break_keep_line_numbers_right(tmp_path):
    path = tmp_path / "bom.csv"
    broken = '7700000009,1,"Москва,\nул. Новая",2,cold,Q-1,,2024-01-10,,abc,2030-01-10,,'
    path.write_text("\ufeff" + "\n".join([HEADER, GOOD[0], broken]) + "\n", encoding="utf-8")
    output, _error = refused(path)
    assert "bom.csv:4: initial_value: Показание — это число" in output
