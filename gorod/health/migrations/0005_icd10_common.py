"""The common ICD-10 codes a polyclinic uses daily, so a fresh install can code a visit.

The full reference book (about 15 000 codes) is loaded by `gorod import icd10 FILE.csv`;
this list (gorod/health/data/icd10_common.csv, the same format) is the part a demo and the
tests need. Upserted by code, so a later run or a full import before it changes nothing
wrong; the reverse leaves the codes (diagnoses may point at them).
"""

import csv
from pathlib import Path

from django.db import migrations

COMMON = Path(__file__).resolve().parent.parent / "data" / "icd10_common.csv"


def load_common(apps, schema_editor):
    Icd10 = apps.get_model("health", "Icd10")
    with COMMON.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            Icd10.objects.update_or_create(
                code=row["mkb_code"],
                defaults={"name": row["mkb_name"], "actual": row["actual"] == "1"},
            )


class Migration(migrations.Migration):
    dependencies = [("health", "0004_record_guards")]

    operations = [migrations.RunPython(load_common, migrations.RunPython.noop)]
