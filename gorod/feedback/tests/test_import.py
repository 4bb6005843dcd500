from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gorod.accounts.tests.factories import UserFactory
from gorod.analytics.models import ImportRun, RollupPending
from gorod.feedback import services
from gorod.feedback.models import Rating, RatingSummary, ServiceOwnership

HEADER = "occurred_at,service,user,stars,comment\n"
GOOD = (
    "2025-03-01T10:00:00+03:00,e-prescriptions,u1,5,Отлично\n"
    '2025-03-01T11:00:00+03:00,e-prescriptions,u2,2,"Долго,\nочень долго"\n'
    "2025-03-02T09:00:00+03:00,sick-leave,,4,\n"
    # The same row twice: two ratings, and still not doubled on a re-import.
    "2025-03-02T09:00:00+03:00,sick-leave,,4,\n"
)


def run_import(path) -> str:
    out = StringIO()
    call_command("feedback", "import", str(path), stdout=out)
    return out.getvalue()


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "ratings.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    return path


def test_import_and_reimport_do_not_double_count(catalog, good_file, service):
    output = run_import(good_file)
    assert "4 imported, 0 already present, 0 rejected" in output
    assert Rating.objects.filter(source="import").count() == 4
    assert Rating.objects.filter(user__isnull=False).count() == 0
    summary = RatingSummary.objects.get(pk=service.pk)
    assert (summary.count, summary.c5, summary.c2) == (2, 1, 1)
    assert RollupPending.objects.filter(subject="ratings").count() == 2
    output = run_import(good_file)
    assert "0 imported, 4 already present" in output
    assert Rating.objects.count() == 4
    assert RatingSummary.objects.get(pk=service.pk).count == 2
    runs = list(ImportRun.objects.filter(kind="ratings").order_by("started_at"))
    assert [(run.status, run.imported, run.duplicates) for run in runs] == [
        ("complete", 4, 0),
        ("complete", 0, 4),
    ]
    report = services.rating_rollup(
        days=sorted(RollupPending.objects.filter(subject="ratings").values_list("day", flat=True))
    )
    assert report.ratings == 4


def test_bad_rows_are_reported_by_line_and_the_rest_imported(catalog, tmp_path):
    path = tmp_path / "ratings.csv"
    path.write_text(
        HEADER
        + GOOD  # lines 2–6 (the quoted comment spans two lines)
        + "2025-03-03T10:00:00+03:00,e-prescriptions,u3,6,\n"  # line 7
        + "2025-03-03 10:00,e-prescriptions,u3,5,\n"  # line 8
        + "2025-03-03T10:00:00+03:00,no-such-service,u3,5,\n"  # line 9
        + "2025-03-03T10:00:00+03:00,e-prescriptions,u3,1,"
        + "ж" * 1001
        + "\n",  # line 10
        encoding="utf-8",
    )
    out = StringIO()
    with pytest.raises(CommandError, match="4 bad row"):
        call_command("feedback", "import", str(path), stdout=out)
    output = out.getvalue()
    assert f"{path}:7: оценка — целое число от 1 до 5" in output
    assert f"{path}:8: время не в формате ISO 8601" in output
    assert f"{path}:9: услуги с таким кодом нет в каталоге" in output
    assert f"{path}:10: комментарий длиннее 1000 символов" in output
    assert "4 imported, 0 already present, 4 rejected" in output
    assert Rating.objects.count() == 4
    assert ImportRun.objects.get().rejected == 4


@pytest.mark.parametrize(
    "content",
    [
        "when,service,user,stars,comment\n",
        "occurred_at,service,user,stars\n",
        "",
    ],
)
def test_a_wrong_header_imports_nothing(catalog, tmp_path, content):
    path = tmp_path / "ratings.csv"
    path.write_text(content + "2025-03-01T10:00:00+03:00,e-prescriptions,u1,5,\n")
    with pytest.raises(CommandError, match="occurred_at,service,user,stars,comment"):
        run_import(path)
    assert not Rating.objects.exists()
    assert not ImportRun.objects.exists()


def test_a_file_that_is_not_utf8_imports_nothing(catalog, tmp_path):
    path = tmp_path / "ratings.csv"
    path.write_bytes((HEADER + GOOD).encode("cp1251"))
    with pytest.raises(CommandError, match="UTF-8"):
        run_import(path)
    assert not Rating.objects.exists()


def test_an_interrupted_import_says_so_and_a_rerun_completes_it(
    catalog, good_file, service, monkeypatch
):
    monkeypatch.setattr(services, "IMPORT_BATCH", 2)
    real_batch = services._import_batch
    calls = []

    def interrupted_after_first_batch(report, batch, zone):
        calls.append(len(batch))
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_batch(report, batch, zone)

    monkeypatch.setattr(services, "_import_batch", interrupted_after_first_batch)
    out = StringIO()
    with pytest.raises(KeyboardInterrupt):
        call_command("feedback", "import", str(good_file), stdout=out)
    assert "interrupted" in out.getvalue()
    first = ImportRun.objects.get()
    assert (first.status, first.imported) == ("running", 2)
    assert Rating.objects.count() == 2

    monkeypatch.setattr(services, "_import_batch", real_batch)
    output = run_import(good_file)
    assert "did not finish; this run completes it" in output
    assert "2 imported, 2 already present" in output
    assert Rating.objects.count() == 4
    assert RatingSummary.objects.get(pk=service.pk).count == 2


def test_owner_command_grants_ownership_of_a_service(catalog):
    staff = UserFactory(email="owner@example.ru", is_staff=True)
    call_command("feedback", "owner", "owner@example.ru", "--service", "emr")
    ownership = ServiceOwnership.objects.get(user=staff)
    assert ownership.service.slug == "emr"
    assert staff.groups.filter(name="service_owner").exists()
    with pytest.raises(CommandError, match="No staff member"):
        call_command("feedback", "owner", "nobody@example.ru", "--service", "emr")
    with pytest.raises(CommandError, match="No such service"):
        call_command("feedback", "owner", "owner@example.ru", "--service", "no-such")
