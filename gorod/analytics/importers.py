"""`gorod analytics import FILE.csv`: historical usage events, in bulk.

The file is read once, in batches; each batch is parsed, inserted and committed on its
own, so a 10-million-row file never holds one huge transaction, and an interrupted run is
finished by running the same command again (event ids come from row content, so rows
already in are skipped, not doubled). The ImportRun row says how far every run got.
"""

import csv
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from gorod.analytics import rules
from gorod.analytics.bulk import event_writer
from gorod.analytics.models import ImportRun
from gorod.analytics.services import analytics_zone, rollup_mark_pending
from gorod.catalog.models import Service
from gorod.core.audit import audit_record
from gorod.core.importing import SHOW_PROBLEMS, file_facts

BATCH_ROWS = 50_000

REASONS = {
    "wrong_field_count": gettext_lazy("не четыре поля"),
    "bad_timestamp": gettext_lazy(
        "время не в формате ISO 8601 со смещением (2025-03-01T10:15:00+03:00)"
    ),
    "unknown_service": gettext_lazy("услуги с таким кодом нет в каталоге"),
    "unknown_channel": gettext_lazy("канал не web, mobile, api или kiosk"),
}


@dataclass
class UsageImportReport:
    run: ImportRun | None = None
    imported: int = 0
    duplicates: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    rejected_by_reason: Counter = field(default_factory=Counter)
    days: set[date] = field(default_factory=set)
    header_problem: str = ""
    already_imported: bool = False
    resumed: bool = False


def usage_import(path: Path, *, progress: Progress | None = None) -> UsageImportReport:
    """Import a usage CSV; bad rows are skipped and reported with their line numbers."""
    report = UsageImportReport()
    service_ids = dict(Service.objects.values_list("slug", "id"))
    secret = settings.GOROD_ANALYTICS_KEY
    zone = analytics_zone()

    @lru_cache(maxsize=1 << 20)
    def pseudonym(user: str) -> bytes | None:
        return rules.person_key(secret, "import", user) if user else None

    sha256, _lines = file_facts(path)
    earlier = ImportRun.objects.filter(kind="usage", file_sha256=sha256).first()
    if earlier is not None and earlier.status == ImportRun.Status.COMPLETE:
        report.run, report.already_imported = earlier, True
        return report
    # An interrupted run of the same file is continued under its own record.
    run = earlier or ImportRun.objects.create(
        kind="usage",
        file_name=str(path),
        file_sha256=sha256,
        status=ImportRun.Status.RUNNING,
        started_at=timezone.now(),
    )
    report.run, report.resumed = run, earlier is not None
    writer = event_writer(bulk=True)
    event_ids = rules.ContentIds()
    opener = progress.open if progress is not None else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or tuple(name.strip() for name in header) != rules.USAGE_IMPORT_HEADER:
            report.header_problem = _("Первая строка должна быть: %(header)s") % {
                "header": ",".join(rules.USAGE_IMPORT_HEADER)
            }
            if not report.resumed:
                run.delete()
            return report
        batch: list[tuple] = []
        line = 1
        for line, row in enumerate(reader, start=2):
            parsed = rules.parse_usage_row(row, service_ids)
            if isinstance(parsed, str):
                report.rejected_by_reason[parsed] += 1
                if len(report.problems) < SHOW_PROBLEMS:
                    report.problems.append((line, str(REASONS[parsed])))
                continue
            batch.append(
                (
                    event_ids.next(parsed.occurred_at, row[1].strip(), parsed.user, parsed.channel),
                    parsed.occurred_at,
                    parsed.service_id,
                    parsed.channel,
                    "import",
                    pseudonym(parsed.user),
                    run.pk,
                )
            )
            report.days.add(rules.local_day(parsed.occurred_at, zone))
            if len(batch) >= BATCH_ROWS:
                _write_batch(writer, batch, run, line, report)
                batch = []
        _write_batch(writer, batch, run, line, report)
    with transaction.atomic():
        rollup_mark_pending(report.days)
        run.rejected = sum(report.rejected_by_reason.values())
        run.status = ImportRun.Status.COMPLETE
        run.finished_at = timezone.now()
        run.save(update_fields=["rejected", "status", "finished_at"])
        audit_record(
            actor=None,
            action="analytics.usage_imported",
            target=run,
            file=run.file_name,
            sha256=run.file_sha256,
            imported=report.imported,
            duplicates=report.duplicates,
            rejected=run.rejected,
        )
    return report


def _write_batch(writer, batch: list[tuple], run: ImportRun, line: int, report) -> None:
    with transaction.atomic():
        inserted = writer.write(batch) if batch else 0
        report.imported += inserted
        report.duplicates += len(batch) - inserted
        run.lines_read = line
        run.imported = report.imported
        run.duplicates = report.duplicates
        run.rejected = sum(report.rejected_by_reason.values())
        run.save(update_fields=["lines_read", "imported", "duplicates", "rejected"])


def import_usage_file(path: Path, *, stdout, style) -> UsageImportReport:
    """The command's face of usage_import: a progress bar, then the summary."""
    console = Console(file=stdout, highlight=False)
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    try:
        with Progress(*columns, console=console, transient=True) as progress:
            report = usage_import(path, progress=progress)
    except KeyboardInterrupt:
        stdout.write(
            style.ERROR(
                _(
                    "Загрузка прервана. Уже загруженные строки сохранены; запустите ту же "
                    "команду ещё раз — она догрузит остальное, не считая строки дважды."
                )
            )
        )
        raise
    if report.header_problem:
        stdout.write(style.ERROR(report.header_problem))
        return report
    if report.already_imported:
        stdout.write(
            style.WARNING(
                _("Этот файл уже загружен %(when)s; повторная загрузка ничего не добавит.")
                % {"when": f"{timezone.localtime(report.run.finished_at):%Y-%m-%d %H:%M}"}
            )
        )
        return report
    if report.resumed:
        stdout.write(_("Продолжаю прерванную загрузку этого файла."))
    for line, reason in report.problems:
        stdout.write(style.WARNING(f"{path}:{line}: {reason}"))
    rejected = sum(report.rejected_by_reason.values())
    if rejected > len(report.problems):
        stdout.write(
            style.WARNING(
                _("… и ещё %(count)d строк с ошибками") % {"count": rejected - len(report.problems)}
            )
        )
    stdout.write(
        style.SUCCESS(
            _(
                "Загружено событий: %(imported)d; пропущено: %(duplicates)d уже загруженных "
                "ранее и %(rejected)d строк с ошибками."
            )
            % {"imported": report.imported, "duplicates": report.duplicates, "rejected": rejected}
        )
    )
    for reason, count in report.rejected_by_reason.most_common():
        stdout.write(f"  {REASONS[reason]}: {count}")
    if report.days:
        stdout.write(
            _("Дни %(first)s — %(last)s отмечены к пересчёту: gorod analytics rollup.")
            % {"first": min(report.days), "last": max(report.days)}
        )
    return report
