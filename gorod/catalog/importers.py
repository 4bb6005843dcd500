"""The catalog file importer behind `gorod import services FILE`."""

from pathlib import Path

from gorod.catalog.services import ImportReport, catalog_import, catalog_read_file

SHOW_PROBLEMS = 50


def import_services_file(path: Path, *, stdout, style, actor=None) -> ImportReport:
    """Parse, then import all valid rows at once; print what happened line by line.

    A file with bad rows imports nothing: a half-applied catalog would be worse than the old
    one, and the editor gets every problem with its line number to fix in one pass.
    """
    rows, problems = catalog_read_file(path)
    if problems:
        for problem in problems[:SHOW_PROBLEMS]:
            stdout.write(style.ERROR(f"{path}:{problem.line}: {problem.message}"))
        if len(problems) > SHOW_PROBLEMS:
            stdout.write(style.ERROR(f"… and {len(problems) - SHOW_PROBLEMS} more problems"))
        stdout.write(style.ERROR(f"Nothing imported: {len(problems)} bad row(s)."))
        return ImportReport(problems=problems)
    report = catalog_import(actor=actor, rows=rows)
    stdout.write(
        style.SUCCESS(
            f"services: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged"
        )
    )
    return report
