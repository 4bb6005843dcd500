"""The catalog file importer behind `gorod import services FILE`."""

from pathlib import Path

from gorod.catalog.services import ImportReport, catalog_import, catalog_read_file
from gorod.core.importing import problems_print


def import_services_file(path: Path, *, stdout, style, actor=None) -> ImportReport:
    """Parse, then import all valid rows at once; print what happened line by line.

    A file with bad rows imports nothing: a half-applied catalog would be worse than the old
    one, and the editor gets every problem with its line number to fix in one pass.
    """
    rows, problems = catalog_read_file(path)
    if problems:
        problems_print(path, problems, stdout=stdout, style=style)
        return ImportReport(problems=problems)
    report = catalog_import(actor=actor, rows=rows)
    stdout.write(
        style.SUCCESS(
            f"services: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged"
        )
    )
    return report
