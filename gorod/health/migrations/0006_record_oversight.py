"""Emergency grants and supervisors; the access log's two audiences and reason codes.

The access log is append-only below the application (migration 0004's triggers). Its new
columns are added with the guards lifted and put back in the same migration; existing rows
get their new columns filled from the old ones (no old value changes):
- `legacy_reason` is the old `reason` column renamed: the text as it was stored, in the
  language of the request that looked;
- `reason_code` is set where that text is one the code wrote (in Russian or English), and
  an emergency look's own words move to `emergency_reason`;
- `shown_to_patient` is false for denied looks by strangers and anonymous callers;
- `reader_label` is the stored name of a doctor's looks only (the registry's name then):
  a citizen's stored name was self-typed and is not shown to the patient.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import Q
from django.db.models.functions import Substr

# The reasons the log wrote as text before codes, as Russian and English readers saw them
# (the guardian's and the teen's age is 15, GUARDIAN_REPRESENTS_UNDER).
LEGACY_REASONS = {
    "not_signed_in": ["вход не выполнен", "not signed in"],
    "no_such_record": ["карты с таким номером нет", "no record with this number"],
    "own_record": ["своя карта", "own record"],
    "guardian_of_child": [
        "законный представитель ребёнка младше 15 лет",
        "legal representative of a child under 15",
    ],
    "access_log_patient_only": [
        "журнал просмотров видят только пациент и законный представитель",
        "only the patient and their legal representative can see the access log",
    ],
    "delegation": ["доверенность на просмотр карты", "power of attorney to view the record"],
    "in_care": ["пациент на приёме у врача", "patient at an appointment with the doctor"],
    "clinic_registrar": [
        "регистратура поликлиники прикрепления",
        "registry desk of the patient's registered clinic",
    ],
    "teen_sees_own_record": [
        "с 15 лет карту видит сам пациент или по его доверенности",
        "from the age of 15, the record is visible only to the patient or under their power "
        "of attorney",
    ],
    "delegation_without_record": [
        "в доверенности нет права на просмотр карты",
        "the power of attorney does not include viewing the record",
    ],
    "not_in_care": [
        "пациент не был на приёме у этого врача",
        "the patient has not had an appointment with this doctor",
    ],
    "registrar_certificates_only": [
        "регистратуре доступны только справки",
        "the registry desk can access certificates only",
    ],
    "no_relation": ["нет отношения к пациенту", "no relation to the patient"],
}
EMERGENCY_PREFIXES = ["экстренный доступ: ", "emergency access: "]


def drop_guards(apps, schema_editor):
    from gorod.medrecord import guards

    guards.drop(schema_editor.connection)


def install_guards(apps, schema_editor):
    from gorod.medrecord import guards

    guards.install(schema_editor.connection)


def fill_from_legacy(apps, schema_editor):
    """One UPDATE per known text: the log may hold millions of rows."""
    looks = apps.get_model("health", "AccessLogEntry").objects.filter(reason_code="")
    for code, texts in LEGACY_REASONS.items():
        looks.filter(legacy_reason__in=texts).update(reason_code=code)
    for prefix in EMERGENCY_PREFIXES:
        looks.filter(legacy_reason__startswith=prefix).update(
            reason_code="emergency",
            emergency_reason=Substr("legacy_reason", len(prefix) + 1),
        )
    looks.model.objects.filter(
        Q(allowed=False) & Q(role__in=["anonymous", "none"])
    ).update(shown_to_patient=False)
    looks.model.objects.filter(role__in=["clinician", "emergency"]).update(
        reader_label=models.F("actor_name")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_delegation'),
        ('health', '0005_icd10_common'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='EmergencyAccess',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(max_length=500, verbose_name='причина')),
                ('channel', models.CharField(choices=[('web', 'портал'), ('api', 'API')], max_length=8, verbose_name='откуда открыт')),
                ('opened_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='открыт')),
                ('expires_at', models.DateTimeField(verbose_name='действует до')),
                ('reviewed_at', models.DateTimeField(blank=True, null=True, verbose_name='разобран')),
                ('review_note', models.CharField(blank=True, max_length=500, verbose_name='заключение разбора')),
            ],
            options={
                'verbose_name': 'экстренный доступ к карте',
                'verbose_name_plural': 'экстренные доступы к картам',
                'ordering': ['-opened_at', '-id'],
                'permissions': [('review_emergencyaccess', 'Разбирать экстренные доступы к картам')],
            },
        ),
        migrations.CreateModel(
            name='SupervisorPost',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ],
            options={
                'verbose_name': 'руководитель поликлиники',
                'verbose_name_plural': 'руководители поликлиник',
            },
        ),
        migrations.CreateModel(
            name='SecurityLook',
            fields=[
            ],
            options={
                'verbose_name': 'попытка открыть чужую карту',
                'verbose_name_plural': 'журнал безопасности медицинской карты',
                'ordering': ['-at', '-id'],
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('health.accesslogentry',),
        ),
        migrations.RunPython(drop_guards, install_guards),
        migrations.RenameField(
            model_name='accesslogentry',
            old_name='reason',
            new_name='legacy_reason',
        ),
        migrations.AlterField(
            model_name='accesslogentry',
            name='legacy_reason',
            field=models.CharField(blank=True, max_length=500, verbose_name='основание (текстом)'),
        ),
        migrations.AddField(
            model_name='accesslogentry',
            name='emergency_access_id',
            field=models.BigIntegerField(blank=True, null=True, verbose_name='экстренный доступ'),
        ),
        migrations.AddField(
            model_name='accesslogentry',
            name='emergency_reason',
            field=models.CharField(blank=True, max_length=500, verbose_name='причина экстренного доступа'),
        ),
        migrations.AddField(
            model_name='accesslogentry',
            name='reader_label',
            field=models.CharField(blank=True, max_length=255, verbose_name='кто (проверенные данные)'),
        ),
        migrations.AddField(
            model_name='accesslogentry',
            name='reason_code',
            field=models.CharField(blank=True, max_length=32, verbose_name='основание (код)'),
        ),
        migrations.AddField(
            model_name='accesslogentry',
            name='shown_to_patient',
            field=models.BooleanField(default=True, verbose_name='видит пациент'),
        ),
        migrations.AddIndex(
            model_name='accesslogentry',
            index=models.Index(models.OrderBy(models.F('at'), descending=True), condition=models.Q(('shown_to_patient', False)), name='access_log_security'),
        ),
        migrations.AddIndex(
            model_name='accesslogentry',
            index=models.Index(models.F('emergency_access_id'), condition=models.Q(('emergency_access_id__isnull', False)), name='access_log_by_emergency'),
        ),
        migrations.RunPython(fill_from_legacy, migrations.RunPython.noop),
        migrations.RunPython(install_guards, drop_guards),
        migrations.AddField(
            model_name='emergencyaccess',
            name='clinics',
            field=models.ManyToManyField(related_name='emergency_accesses', to='health.organisation', verbose_name='поликлиники врача'),
        ),
        migrations.AddField(
            model_name='emergencyaccess',
            name='patient',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='emergency_accesses', to='accounts.person', verbose_name='пациент'),
        ),
        migrations.AddField(
            model_name='emergencyaccess',
            name='practitioner',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='emergency_accesses', to='health.practitioner', verbose_name='врач'),
        ),
        migrations.AddField(
            model_name='emergencyaccess',
            name='reviewed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='разобрал'),
        ),
        migrations.AddField(
            model_name='supervisorpost',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='supervisor_posts', to='health.organisation', verbose_name='организация'),
        ),
        migrations.AddField(
            model_name='supervisorpost',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='supervisor_posts', to=settings.AUTH_USER_MODEL, verbose_name='сотрудник'),
        ),
        migrations.AddIndex(
            model_name='emergencyaccess',
            index=models.Index(models.OrderBy(models.F('opened_at'), descending=True), condition=models.Q(('reviewed_at__isnull', True)), name='emergency_access_to_review'),
        ),
        migrations.AddConstraint(
            model_name='emergencyaccess',
            constraint=models.CheckConstraint(condition=models.Q(('expires_at__gt', models.F('opened_at'))), name='emergency_access_expires_later'),
        ),
        migrations.AddConstraint(
            model_name='emergencyaccess',
            constraint=models.CheckConstraint(condition=models.Q(('reviewed_at__isnull', True), ('reviewed_at__gte', models.F('opened_at')), _connector='OR'), name='emergency_access_reviewed_after_opened'),
        ),
        migrations.AddConstraint(
            model_name='supervisorpost',
            constraint=models.UniqueConstraint(fields=('user', 'organisation'), name='supervisor_post_unique'),
        ),
    ]
