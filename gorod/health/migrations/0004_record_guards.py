"""The record's triggers: finalised entries are immutable, the access log append-only."""

from django.db import migrations


def install(apps, schema_editor):
    from gorod.medrecord import guards

    guards.install(schema_editor.connection)


def drop(apps, schema_editor):
    from gorod.medrecord import guards

    guards.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("health", "0003_record")]

    operations = [migrations.RunPython(install, drop)]
