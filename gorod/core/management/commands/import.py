"""`gorod import KIND FILE`: load reference data through each domain's importer.

A kind that reads several files together takes each as an option instead
(`gorod import clubs --directions FILE --sports FILE`).
"""

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
    # Reads its files together (NAMED_FILES): the function takes them as keywords.
    "clubs": "gorod.clubs.importers:import_clubs_files",
}
# kind -> "module:attribute", the file read when the command names none (../shared/data's).
DEFAULT_FILES = {
    "schools": "gorod.school.importers:SCHOOLS_FILE",
    "subjects": "gorod.school.importers:SUBJECTS_FILE",
}
# kind -> its files, option -> "module:attribute" of the file read when the option is not
# given: an import that checks several files before it writes any of them.
NAMED_FILES = {
    "clubs": {
        "directions": "gorod.clubs.importers:DIRECTIONS_FILE",
        "sports": "gorod.clubs.importers:SPORTS_FILE",
    },
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
        for kind, files in NAMED_FILES.items():
            for option in files:
                parser.add_argument(
                    f"--{option}",
                    type=Path,
                    help=f"for {kind}: the {option} file (../shared/data's if not given)",
                )

    def handle(self, *args, kind: str, file: Path | None, **options):
        misplaced = [
            f"--{option}"
            for other, files in NAMED_FILES.items()
            if other != kind
            for option in files
            if options[option] is not None
        ]
        if misplaced:
            raise CommandError(f"{', '.join(misplaced)} is not an option of {kind}.")
        if kind in NAMED_FILES:
            self._import_named_files(kind, file, options)
            return
        if file is None:
            if kind not in DEFAULT_FILES:
                raise CommandError(f"Name the file to import as {kind}.")
            file = _resolve(DEFAULT_FILES[kind])
        if not (file.is_dir() if kind == "definitions" else file.is_file()):
            raise CommandError(
                f"No such {'directory' if kind == 'definitions' else 'file'}: {file}"
            )
        report = self._run(kind, file)
        if report.problems:
            raise CommandError(f"{file}: {len(report.problems)} bad row(s), nothing imported")

    def _import_named_files(self, kind: str, file: Path | None, options) -> None:
        if file is not None:
            names = ", ".join(f"--{option}" for option in NAMED_FILES[kind])
            raise CommandError(f"{kind} takes its files as options: {names}.")
        files = {
            option: options[option] or _resolve(reference)
            for option, reference in NAMED_FILES[kind].items()
        }
        for path in files.values():
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        report = self._run(kind, **files)
        if report.problems:
            bad = sum(len(problems) for problems in report.problems.values())
            raise CommandError(f"{kind}: {bad} bad row(s), nothing imported")

    def _run(self, kind: str, *files, **named_files):
        importer = _resolve(IMPORTERS[kind])
        try:
            return importer(*files, **named_files, stdout=self.stdout, style=self.style)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
