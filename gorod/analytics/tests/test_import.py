from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gorod.analytics import importers
from gorod.analytics.models import ImportRun, RollupPending, UsageEvent

pytestmark = pytest.mark.django_db

GOOD = """occurred_at,service,user,channel
2025-01-01T10:00:00+03:00,emr,u1,web
2025-01-01T10:00:00+03:00,emr,u1,web
2025-01-01T23:59:59+03:00,emr,u2,mobile
2025-01-01T21:30:00Z,meter-readings,,kiosk
2025-01-02T08:00:00+03:00,school-diary,u1,api
"""


def write(tmp_path: Path, text: str, name: str = "usage.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_counts_identical_rows_separately_and_marks_days(catalog, tmp_path):
    report = importers.usage_import(write(tmp_path, GOOD))
    assert (report.imported, report.duplicates, report.problems) == (5, 0, [])
    assert UsageEvent.objects.filter(action="import").count() == 5
    # 21:30 UTC on the 1st is 00:30 on the 2nd in Moscow.
    assert set(RollupPending.objects.values_list("day", flat=True)) == {
        date(2025, 1, 1),
        date(2025, 1, 2),
    }
    run = ImportRun.objects.get()
    assert (run.status, run.imported, run.lines_read) == ("complete", 5, 6)


def test_bad_rows_are_reported_by_line_and_the_rest_imported(catalog, tmp_path, capsys):
    text = GOOD + "yesterday,emr,u1,web\n2025-01-01T10:00:00+03:00,nope,u1,web\n"
    call_command("analytics", "import", str(write(tmp_path, text)))
    out = capsys.readouterr().out
    assert "usage.csv:7:" in out
    assert "ISO 8601" in out
    assert "usage.csv:8:" in out
    assert "каталоге" in out
    assert "Загружено событий: 5" in out
    assert "2 строк с ошибками" in out
    assert UsageEvent.objects.count() == 5
    assert ImportRun.objects.get().rejected == 2


def test_reimporting_a_file_or_an_overlapping_extract_does_not_double_count(catalog, tmp_path):
    importers.usage_import(write(tmp_path, GOOD))
    again = importers.usage_import(write(tmp_path, GOOD))
    assert again.already_imported
    assert UsageEvent.objects.count() == 5
    # Another extract: two rows of the first file (spelled in UTC) and one new row.
    overlap = (
        "occurred_at,service,user,channel\n"
        "2025-01-01T07:00:00Z,emr,u1,web\n"
        "2025-01-01T20:59:59+00:00,emr,u2,mobile\n"
        "2025-01-03T09:00:00+03:00,emr,u3,web\n"
    )
    report = importers.usage_import(write(tmp_path, overlap, "overlap.csv"))
    assert (report.imported, report.duplicates) == (1, 2)
    assert UsageEvent.objects.count() == 6


def test_an_interrupted_import_is_finished_by_running_it_again(catalog, tmp_path, monkeypatch):
    path = write(tmp_path, GOOD)
    monkeypatch.setattr(importers, "BATCH_ROWS", 2)
    real_write_batch = importers._write_batch
    calls = []

    def crash_after_first_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_write_batch(*args, **kwargs)

    monkeypatch.setattr(importers, "_write_batch", crash_after_first_batch)
    with pytest.raises(KeyboardInterrupt):
        importers.usage_import(path)
    assert ImportRun.objects.get().status == "running"
    assert UsageEvent.objects.count() == 2
    monkeypatch.setattr(importers, "_write_batch", real_write_batch)
    report = importers.usage_import(path)
    assert report.resumed
    assert (report.imported, report.duplicates) == (3, 2)
    assert UsageEvent.objects.count() == 5
    assert ImportRun.objects.get().status == "complete"


def test_a_wrong_header_imports_nothing(catalog, tmp_path):
    path = write(tmp_path, "when,what,who,how\n2025-01-01T10:00:00+03:00,emr,u1,web\n")
    with pytest.raises(CommandError, match="occurred_at,service,user,channel"):
        call_command("analytics", "import", str(path))
    assert not UsageEvent.objects.exists()
    assert not ImportRun.objects.exists()


def test_imported_users_are_pseudonymous_and_anonymous_rows_have_none(catalog, tmp_path):
    importers.usage_import(write(tmp_path, GOOD))
    people = set(UsageEvent.objects.values_list("person", flat=True))
    assert None in people
    assert all(b"u1" not in bytes(person) for person in people if person is not None)


def test_a_file_that_is_not_utf8_is_refused_before_anything_is_imported(catalog, tmp_path):
    path = tmp_path / "usage.csv"
    path.write_bytes(GOOD.encode() + "2025-01-03T10:00:00+03:00,emr,Пётр,web\n".encode("cp1251"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("analytics", "import", str(path))
    assert not UsageEvent.objects.exists()
    assert not ImportRun.objects.exists()
