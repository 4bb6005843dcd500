"""The command-line face of the imports: `gorod import definitions DIR`, `gorod import mfc FILE`."""

from pathlib import Path

from rich.progress import Progress

from gorod.applications.services.imports import (
    DefinitionsReport,
    OfficesReport,
    definitions_import,
    offices_import,
)
from gorod.core.importing import SHOW_PROBLEMS, problems_print


def import_definitions_dir(path: Path, *, stdout, style, actor=None) -> DefinitionsReport:
    """Check every definition under `path`, then import them all, or none while any is wrong."""
    if not path.is_dir():
        path = path.parent if path.suffix in (".yaml", ".yml") else path
    with Progress(transient=True) as progress:
        report = definitions_import(path, actor=actor, progress=progress)
    for problem in report.problems[:SHOW_PROBLEMS]:
        stdout.write(style.ERROR(str(problem)))
    if report.problems:
        stdout.write(
            style.ERROR(f"{len(report.problems)} problem(s) in the definitions: nothing imported")
        )
        return report
    stdout.write(
        style.SUCCESS(
            f"definitions: {len(report.created)} new version(s), {len(report.unchanged)} unchanged"
        )
    )
    return report


def import_offices_file(path: Path, *, stdout, style, actor=None) -> OfficesReport:
    with Progress(transient=True) as progress:
        report = offices_import(path, actor=actor, progress=progress)
    if report.problems:
        problems_print(path, report.problems, stdout=stdout, style=style)
        return report
    stdout.write(style.SUCCESS(f"mfc: {report.created} created, {report.updated} updated"))
    return report
