"""The specialties the city books, with the federal time norms of one visit (minutes).

Norms from the Ministry of Health's order № 290н as DOMAIN.md lists them; the urologist,
dentist and paediatric ones it does not list are the city's own figures. Whether booking
needs a referral is the setting GOROD_HEALTH_DIRECT_SPECIALTIES, not data.
"""

from django.db import migrations

SPECIALTIES = [
    # code, name, English name, minutes, patients
    ("therapist", "Участковый терапевт", "District therapist", 15, "adults"),
    ("gp", "Врач общей практики", "General practitioner", 18, "adults"),
    ("pediatrician", "Участковый педиатр", "District paediatrician", 15, "children"),
    ("gynecologist", "Акушер-гинеколог", "Obstetrician-gynaecologist", 22, "all"),
    ("ophthalmologist", "Офтальмолог", "Ophthalmologist", 14, "all"),
    ("surgeon", "Хирург", "Surgeon", 26, "all"),
    ("urologist", "Уролог", "Urologist", 20, "all"),
    ("dentist", "Стоматолог", "Dentist", 30, "all"),
    ("ent", "Оториноларинголог (ЛОР)", "Otorhinolaryngologist (ENT)", 16, "all"),
    ("cardiologist", "Кардиолог", "Cardiologist", 24, "all"),
    ("neurologist", "Невролог", "Neurologist", 22, "all"),
    ("endocrinologist", "Эндокринолог", "Endocrinologist", 19, "all"),
]


def add_specialties(apps, schema_editor):
    Specialty = apps.get_model("health", "Specialty")
    for code, name, name_en, minutes, patients in SPECIALTIES:
        Specialty.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "slot_minutes": minutes,
                "patients": patients,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("health", "0001_initial")]

    operations = [migrations.RunPython(add_specialties, migrations.RunPython.noop)]
