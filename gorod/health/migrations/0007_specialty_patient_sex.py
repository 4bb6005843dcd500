"""Whom a specialty sees by sex, for the specialties the city books (migration 0002).

An obstetrician-gynaecologist sees women and girls (a children's clinic's gynaecologist
sees girls); every other specialty sees either sex. The urologist stays open to both:
urology treats women too (incontinence, stones, infections), so the portal does not
refuse them.
"""

from django.db import migrations, models

ONLY_ONE_SEX = {"gynecologist": "female"}


def set_patient_sex(apps, schema_editor):
    Specialty = apps.get_model("health", "Specialty")
    for code, sex in ONLY_ONE_SEX.items():
        Specialty.objects.filter(code=code).update(patient_sex=sex)


class Migration(migrations.Migration):
    dependencies = [("health", "0006_record_oversight")]

    operations = [
        migrations.AddField(
            model_name="specialty",
            name="patient_sex",
            field=models.CharField(
                blank=True,
                choices=[("female", "женский"), ("male", "мужской")],
                help_text="Пусто — принимает пациентов любого пола.",
                max_length=6,
                verbose_name="пол пациентов",
            ),
        ),
        migrations.RunPython(set_patient_sex, migrations.RunPython.noop),
    ]
