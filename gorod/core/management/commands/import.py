"""`gorod import KIND FILE`: load reference data through each domain's importer."""

from importlib import import_module
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gorod.core.errors import DomainError

# kind -> "module:function"; the function takes (path, *, stdout, style), prints its
# progress and summary, and returns a report whose `problems` list is empty on success.
# Each domain adds its own kinds here (meters, icd10, …).
IMPORTERS = {
    "services": "gorod.catalog.importers:import_services_file",
    "meters": "gorod.housing.importers:import_meters_file",
    "clinics": "gorod.clinics.importers:import_clinics_file",
    "icd10": "gorod.medrecord.importers.icd10:import_icd10_file",
    "labs": "gorod.medrecord.importers.labs:import_labs_file",
    # A directory of YAML service definitions (the repository's: gorod/applications/definitions).
    "definitions": "gorod.applications.importers:import_definitions_dir",
    "mfc": "gorod.applications.importers:import_offices_file",
    "schools": "gorod.school.importers:import_schools_file",
    "subjects": "gorod.school.importers:import_subjects_file",
}
# kind -> "module:attribute", the file read when the command names none (../shared/data's).
DEFAULT_FILES = {
    "schools": "gorod.school.importers:SCHOOLS_FILE",
    "subjects": "gorod.school.importers:SUBJECTS_FILE",
}


def _resolve(reference: str):
    module_name, attribute = reference.split(":")
    return getattr(import_module(module_name), attribute)


class Command(BaseCommand):
    help = "Import reference data from a file: " + ", ".join(IMPORTERS)

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument(
            "file",
            type=Path,
            nargs="?",
            help="a file; for definitions, a directory; "
            f"optional for {', '.join(DEFAULT_FILES)} (../shared/data's)",
        )

    def handle(self, *args, kind: str, file: Path | None, **options):
        if file is None:
            if kind not in DEFAULT_FILES:
                raise CommandError(f"Name the file to import as {kind}.")
            file = _resolve(DEFAULT_FILES[kind])
        if not (file.is_dir() if kind == "definitions" else file.is_file()):
            raise CommandError(
                f"No such {'directory' if kind == 'definitions' else 'file'}: {file}"
            )
        importer = _resolve(IMPORTERS[kind])
        try:
            report = importer(file, stdout=self.stdout, style=self.style)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        if report.problems:
            raise CommandError(f"{file}: {len(report.problems)} bad row(s), nothing imported")
