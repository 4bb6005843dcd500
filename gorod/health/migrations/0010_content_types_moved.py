"""The moved models' content types follow them: app_label "health" becomes the new app's.

Permissions hang on content types, so the groups' grants (accounts/roles.py, e.g. the
supervisors' review_emergencyaccess) and the admin's log entries keep pointing at the same
models, now as "clinics.…", "appointments.…" and "medrecord.…". On a new database there is
nothing to relabel yet: the content types are created after migrate, under the new labels.
"""

from django.db import migrations

MOVED = {
    "clinics": (
        "attachment",
        "attachmentapplication",
        "location",
        "organisation",
        "practitioner",
        "practitionerrole",
        "registrarpost",
        "specialty",
    ),
    "appointments": (
        "absence",
        "appointment",
        "referral",
        "schedule",
        "slot",
    ),
    "medrecord": (
        "accesslogentry",
        "certificate",
        "condition",
        "diagnosis",
        "diaryreading",
        "dischargesummary",
        "emergencyaccess",
        "encounternote",
        "entry",
        "icd10",
        "immunization",
        "labreport",
        "observation",
        "prescription",
        "securitylook",
        "sickleave",
        "studyreport",
        "supervisorpost",
    ),
}


def _relabel(apps, *, back: bool) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, model_names in MOVED.items():
        old, new = (app_label, "health") if back else ("health", app_label)
        for model_name in model_names:
            # A type already created under the new label (a half-run migrate) keeps its rows.
            if ContentType.objects.filter(app_label=new, model=model_name).exists():
                continue
            ContentType.objects.filter(app_label=old, model=model_name).update(app_label=new)


def forwards(apps, schema_editor):
    _relabel(apps, back=False)


def backwards(apps, schema_editor):
    _relabel(apps, back=True)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("health", "0009_models_moved_to_their_apps"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
