"""`gorod oneroster_export SCHOOL_ID FILE.zip [--demographics]`: one school as a IMS
OneRoster 1.2 CSV bulk zip (see gorod.school.oneroster.csv_export).

demographics.csv (the students' birth dates and sex) is written only with --demographics;
without it the manifest declares the file absent. Each export is recorded in the audit log.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gorod.core.audit import audit_record
from gorod.school.models import School
from gorod.school.oneroster.csv_export import write_export


class Command(BaseCommand):
    help = "Export one school as a OneRoster 1.2 CSV bulk zip."

    def add_arguments(self, parser):
        parser.add_argument("school", type=int, help="the school's id")
        parser.add_argument("file", type=Path, help="the zip to write")
        parser.add_argument(
            "--demographics",
            action="store_true",
            help="also write demographics.csv (birth date and sex: personal data)",
        )

    def handle(self, *args, school: int, file: Path, demographics: bool, **options):
        found = School.objects.filter(pk=school).first()
        if found is None:
            raise CommandError(f"No school with id {school}.")
        if file.suffix != ".zip":
            raise CommandError("The file must end in .zip (OneRoster CSV binding, 2.2).")
        with file.open("wb") as target:
            counts = write_export(found, target, with_demographics=demographics)
        audit_record(
            actor=None,
            action="school.oneroster.exported",
            target=found,
            demographics=demographics,
            files={name: count for name, count in counts.items() if count},
        )
        for name, count in counts.items():
            if count:
                self.stdout.write(f"{name}.csv: {count}")
        self.stdout.write(self.style.SUCCESS(f"{file}: {found.short_name}"))
