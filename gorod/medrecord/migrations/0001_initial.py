"""The medical record, its access log and the oversight of emergency looks, moved here from the
health app.

The tables exist already: health's migrations created them (their names stay health_*), so
this migration only tells Django's state that the models live here now; health 0009 then
drops them from health's state. A new database gets the tables from health's migrations too.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0003_person_sex"),
        ("appointments", "0001_initial"),
        ("clinics", "0001_initial"),
        ("health", "0008_attachment_application"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Entry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "section",
                            models.CharField(
                                choices=[
                                    ("encounters", "Приёмы врачей"),
                                    ("conditions", "Заболевания"),
                                    ("labs", "Анализы"),
                                    ("studies", "Исследования"),
                                    ("discharges", "Выписки из стационара"),
                                    ("prescriptions", "Рецепты"),
                                    ("sick_leaves", "Больничные листы"),
                                    ("immunizations", "Прививки"),
                                    ("certificates", "Справки"),
                                    ("diary", "Дневник здоровья"),
                                ],
                                max_length=16,
                                verbose_name="раздел",
                            ),
                        ),
                        ("occurred_at", models.DateTimeField(verbose_name="дата")),
                        ("title", models.CharField(max_length=255, verbose_name="заголовок")),
                        (
                            "summary",
                            models.CharField(blank=True, max_length=500, verbose_name="кратко"),
                        ),
                        (
                            "flagged",
                            models.BooleanField(default=False, verbose_name="есть отклонения"),
                        ),
                        (
                            "status",
                            models.CharField(blank=True, max_length=20, verbose_name="статус"),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("clinician", "врач"),
                                    ("laboratory", "лаборатория"),
                                    ("patient", "пациент"),
                                    ("import", "загрузка"),
                                ],
                                max_length=16,
                                verbose_name="источник",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="внесено"
                            ),
                        ),
                        (
                            "finalised_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="подписано"),
                        ),
                        (
                            "amendment_reason",
                            models.CharField(
                                blank=True, max_length=500, verbose_name="причина исправления"
                            ),
                        ),
                        (
                            "superseded_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="заменено исправлением"
                            ),
                        ),
                        (
                            "amends",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="amendment",
                                to="medrecord.entry",
                                verbose_name="исправляет",
                            ),
                        ),
                        (
                            "appointment",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="record_entries",
                                to="appointments.appointment",
                                verbose_name="запись к врачу",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="внёс",
                            ),
                        ),
                        (
                            "finalised_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="подписал",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="clinics.organisation",
                                verbose_name="организация",
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="record_entries",
                                to="accounts.person",
                                verbose_name="пациент",
                            ),
                        ),
                        (
                            "practitioner",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="record_entries",
                                to="clinics.practitioner",
                                verbose_name="врач",
                            ),
                        ),
                        (
                            "specialty",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="clinics.specialty",
                                verbose_name="специальность",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "запись медицинской карты",
                        "verbose_name_plural": "записи медицинской карты",
                        "db_table": "health_entry",
                        "ordering": ["-occurred_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="Icd10",
                    fields=[
                        (
                            "code",
                            models.CharField(
                                max_length=16, primary_key=True, serialize=False, verbose_name="код"
                            ),
                        ),
                        ("name", models.CharField(max_length=512, verbose_name="название")),
                        (
                            "parent_code",
                            models.CharField(blank=True, max_length=16, verbose_name="код раздела"),
                        ),
                        ("actual", models.BooleanField(default=True, verbose_name="действует")),
                    ],
                    options={
                        "verbose_name": "код МКБ-10",
                        "verbose_name_plural": "МКБ-10",
                        "db_table": "health_icd10",
                        "ordering": ["code"],
                    },
                ),
                migrations.CreateModel(
                    name="AccessLogEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="когда"
                            ),
                        ),
                        (
                            "actor_id",
                            models.BigIntegerField(null=True, verbose_name="учётная запись"),
                        ),
                        ("actor_name", models.CharField(max_length=255, verbose_name="кто")),
                        (
                            "reader_label",
                            models.CharField(
                                blank=True, max_length=255, verbose_name="кто (проверенные данные)"
                            ),
                        ),
                        (
                            "role",
                            models.CharField(
                                choices=[
                                    ("self", "сам пациент"),
                                    ("guardian", "законный представитель"),
                                    ("delegate", "доверенное лицо"),
                                    ("clinician", "лечащий врач"),
                                    ("emergency", "врач, экстренный доступ"),
                                    ("operator", "регистратура"),
                                    ("anonymous", "без входа"),
                                    ("none", "нет отношения к пациенту"),
                                ],
                                max_length=16,
                                verbose_name="в качестве",
                            ),
                        ),
                        ("patient_id", models.BigIntegerField(verbose_name="пациент")),
                        ("section", models.CharField(max_length=16, verbose_name="что смотрели")),
                        (
                            "entry_id",
                            models.BigIntegerField(null=True, verbose_name="запись карты"),
                        ),
                        (
                            "channel",
                            models.CharField(
                                choices=[("web", "портал"), ("api", "API"), ("fhir", "FHIR")],
                                max_length=8,
                                verbose_name="откуда",
                            ),
                        ),
                        ("allowed", models.BooleanField(verbose_name="доступ разрешён")),
                        (
                            "shown_to_patient",
                            models.BooleanField(default=True, verbose_name="видит пациент"),
                        ),
                        (
                            "reason_code",
                            models.CharField(
                                blank=True, max_length=32, verbose_name="основание (код)"
                            ),
                        ),
                        (
                            "emergency_reason",
                            models.CharField(
                                blank=True,
                                max_length=500,
                                verbose_name="причина экстренного доступа",
                            ),
                        ),
                        (
                            "emergency_access_id",
                            models.BigIntegerField(
                                blank=True, null=True, verbose_name="экстренный доступ"
                            ),
                        ),
                        (
                            "legacy_reason",
                            models.CharField(
                                blank=True, max_length=500, verbose_name="основание (текстом)"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "просмотр медицинской карты",
                        "verbose_name_plural": "журнал просмотров медицинской карты",
                        "db_table": "health_accesslogentry",
                        "ordering": ["-at", "-id"],
                        "indexes": [
                            models.Index(
                                models.F("patient_id"),
                                models.OrderBy(models.F("at"), descending=True),
                                name="access_log_by_patient",
                            ),
                            models.Index(
                                models.OrderBy(models.F("at"), descending=True),
                                condition=models.Q(("shown_to_patient", False)),
                                name="access_log_security",
                            ),
                            models.Index(
                                models.F("emergency_access_id"),
                                condition=models.Q(("emergency_access_id__isnull", False)),
                                name="access_log_by_emergency",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SecurityLook",
                    fields=[],
                    options={
                        "verbose_name": "попытка открыть чужую карту",
                        "verbose_name_plural": "журнал безопасности медицинской карты",
                        "ordering": ["-at", "-id"],
                        "proxy": True,
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=("medrecord.accesslogentry",),
                ),
                migrations.CreateModel(
                    name="Certificate",
                    fields=[
                        (
                            "entry",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                primary_key=True,
                                related_name="certificate",
                                serialize=False,
                                to="medrecord.entry",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("pool", "в бассейн"),
                                    ("sport", "для занятий спортом"),
                                    ("camp", "в лагерь (079/у)"),
                                    ("school", "для школы (086/у)"),
                                    ("health", "о состоянии здоровья"),
                                ],
                                max_length=16,
                                verbose_name="вид справки",
                            ),
                        ),
                        (
                            "purpose",
                            models.CharField(
                                blank=True, max_length=255, verbose_name="для предъявления"
                            ),
                        ),
                        (
                            "number",
                            models.CharField(max_length=32, unique=True, verbose_name="номер"),
                        ),
                        ("ready_by", models.DateField(verbose_name="будет готова")),
                        (
                            "pdf",
                            models.BinaryField(
                                blank=True, null=True, verbose_name="PDF с подписью"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "справка",
                        "verbose_name_plural": "справки",
                        "db_table": "health_certificate",
                    },
                ),
                migrations.CreateModel(
                    name="EncounterNote",
                    fields=[
                        (
                            "entry",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                primary_key=True,
                                related_name="encounter",
                                serialize=False,
                                to="medrecord.entry",
                            ),
                        ),
                        ("complaints", models.TextField(blank=True, verbose_name="жалобы")),
                        ("anamnesis", models.TextField(blank=True, verbose_name="анамнез")),
                        (
                            "examination",
                            models.TextField(blank=True, verbose_name="объективный осмотр"),
                        ),
                        (
                            "recommendations",
                            models.TextField(blank=True, verbose_name="рекомендации"),
                        ),
                    ],
                    options={
                        "verbose_name": "протокол приёма",
                        "verbose_name_plural": "протоколы приёма",
                        "db_table": "health_encounternote",
                    },
                ),
                migrations.CreateModel(
                    name="Prescription",
                    fields=[
                        (
                            "entry",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                primary_key=True,
                                related_name="prescription",
                                serialize=False,
                                to="medrecord.entry",
                            ),
                        ),
                        ("drug", models.CharField(max_length=255, verbose_name="препарат")),
                        (
                            "dosage_form",
                            models.CharField(
                                blank=True, max_length=255, verbose_name="форма и дозировка"
                            ),
                        ),
                        ("dose", models.CharField(max_length=64, verbose_name="разовая доза")),
                        ("schedule", models.CharField(max_length=255, verbose_name="схема приёма")),
                        (
                            "duration_days",
                            models.PositiveSmallIntegerField(
                                blank=True, null=True, verbose_name="курс, дней"
                            ),
                        ),
                        ("valid_until", models.DateField(verbose_name="действителен до")),
                        (
                            "number",
                            models.CharField(
                                blank=True,
                                max_length=32,
                                null=True,
                                unique=True,
                                verbose_name="номер электронного рецепта",
                            ),
                        ),
                        (
                            "preferential",
                            models.BooleanField(default=False, verbose_name="льготный"),
                        ),
                    ],
                    options={
                        "verbose_name": "рецепт",
                        "verbose_name_plural": "рецепты",
                        "db_table": "health_prescription",
                    },
                ),
                migrations.CreateModel(
                    name="StudyReport",
                    fields=[
                        (
                            "entry",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                primary_key=True,
                                related_name="study",
                                serialize=False,
                                to="medrecord.entry",
                            ),
                        ),
                        (
                            "modality",
                            models.CharField(
                                choices=[
                                    ("DX", "рентгенография"),
                                    ("FLG", "флюорография"),
                                    ("US", "УЗИ"),
                                    ("ECG", "ЭКГ"),
                                    ("CT", "КТ"),
                                    ("MR", "МРТ"),
                                    ("ES", "эндоскопия"),
                                ],
                                max_length=8,
                                verbose_name="вид исследования",
                            ),
                        ),
                        (
                            "body_site",
                            models.CharField(blank=True, max_length=128, verbose_name="область"),
                        ),
                        ("description", models.TextField(blank=True, verbose_name="описание")),
                        ("conclusion", models.TextField(verbose_name="заключение")),
                        (
                            "attachment",
                            models.FileField(
                                blank=True,
                                upload_to="health/studies/%Y/%m/",
                                verbose_name="файл исследования",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "исследование",
                        "verbose_name_plural": "исследования",
                        "db_table": "health_studyreport",
                    },
                ),
                migrations.CreateModel(
                    name="DiaryReading",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("pulse", "пульс"),
                                    ("pressure", "давление"),
                                    ("sugar", "сахар крови"),
                                    ("spo2", "сатурация SpO₂"),
                                    ("temperature", "температура"),
                                    ("weight", "вес"),
                                ],
                                max_length=16,
                                verbose_name="показатель",
                            ),
                        ),
                        (
                            "value",
                            models.DecimalField(
                                decimal_places=2, max_digits=6, verbose_name="значение"
                            ),
                        ),
                        (
                            "value_low",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=6,
                                null=True,
                                verbose_name="нижнее значение",
                            ),
                        ),
                        ("measured_at", models.DateTimeField(verbose_name="измерено")),
                        (
                            "note",
                            models.CharField(blank=True, max_length=255, verbose_name="заметка"),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="внесено"),
                        ),
                        (
                            "entered_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="внёс",
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="diary",
                                to="accounts.person",
                                verbose_name="пациент",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "запись дневника здоровья",
                        "verbose_name_plural": "дневник здоровья",
                        "db_table": "health_diaryreading",
                        "ordering": ["-measured_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="EmergencyAccess",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("reason", models.CharField(max_length=500, verbose_name="причина")),
                        (
                            "channel",
                            models.CharField(
                                choices=[("web", "портал"), ("api", "API")],
                                max_length=8,
                                verbose_name="откуда открыт",
                            ),
                        ),
                        (
                            "opened_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="открыт"
                            ),
                        ),
                        ("expires_at", models.DateTimeField(verbose_name="действует до")),
                        (
                            "reviewed_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="разобран"),
                        ),
                        (
                            "review_note",
                            models.CharField(
                                blank=True, max_length=500, verbose_name="заключение разбора"
                            ),
                        ),
                        (
                            "clinics",
                            models.ManyToManyField(
                                related_name="emergency_accesses",
                                to="clinics.organisation",
                                verbose_name="поликлиники врача",
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="emergency_accesses",
                                to="accounts.person",
                                verbose_name="пациент",
                            ),
                        ),
                        (
                            "practitioner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="emergency_accesses",
                                to="clinics.practitioner",
                                verbose_name="врач",
                            ),
                        ),
                        (
                            "reviewed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="разобрал",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "экстренный доступ к карте",
                        "verbose_name_plural": "экстренные доступы к картам",
                        "db_table": "health_emergencyaccess",
                        "ordering": ["-opened_at", "-id"],
                        "permissions": [
                            ("review_emergencyaccess", "Разбирать экстренные доступы к картам")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Diagnosis",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("main", "основной"),
                                    ("concomitant", "сопутствующий"),
                                    ("complication", "осложнение"),
                                ],
                                default="main",
                                max_length=16,
                                verbose_name="вид",
                            ),
                        ),
                        (
                            "comment",
                            models.CharField(blank=True, max_length=255, verbose_name="уточнение"),
                        ),
                        (
                            "entry",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="diagnoses",
                                to="medrecord.entry",
                            ),
                        ),
                        (
                            "icd10",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="medrecord.icd10",
                                verbose_name="код МКБ-10",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "диагноз",
                        "verbose_name_plural": "диагнозы",
                        "db_table": "health_diagnosis",
                        "ordering": ["entry_id", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Observation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "position",
                            models.PositiveSmallIntegerField(default=0, verbose_name="порядок"),
                        ),
                        ("code", models.CharField(max_length=32, verbose_name="код показателя")),
                        ("name", models.CharField(max_length=255, verbose_name="показатель")),
                        (
                            "value",
                            models.DecimalField(
                                decimal_places=4, max_digits=14, null=True, verbose_name="значение"
                            ),
                        ),
                        (
                            "value_text",
                            models.CharField(
                                blank=True, max_length=255, verbose_name="значение (текст)"
                            ),
                        ),
                        (
                            "unit",
                            models.CharField(blank=True, max_length=32, verbose_name="единица"),
                        ),
                        (
                            "reference_low",
                            models.DecimalField(
                                blank=True,
                                decimal_places=4,
                                max_digits=14,
                                null=True,
                                verbose_name="норма от",
                            ),
                        ),
                        (
                            "reference_high",
                            models.DecimalField(
                                blank=True,
                                decimal_places=4,
                                max_digits=14,
                                null=True,
                                verbose_name="норма до",
                            ),
                        ),
                        (
                            "reference_text",
                            models.CharField(
                                blank=True, max_length=255, verbose_name="норма (текст)"
                            ),
                        ),
                        (
                            "flag",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("N", "норма"),
                                    ("H", "выше нормы"),
                                    ("L", "ниже нормы"),
                                    ("A", "отклонение"),
                                ],
                                max_length=1,
                                verbose_name="оценка",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("final", "окончательный"),
                                    ("preliminary", "предварительный"),
                                    ("corrected", "исправлен"),
                                ],
                                default="final",
                                max_length=16,
                                verbose_name="статус",
                            ),
                        ),
                        (
                            "entry",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="observations",
                                to="medrecord.entry",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "показатель анализа",
                        "verbose_name_plural": "показатели анализов",
                        "db_table": "health_observation",
                        "ordering": ["entry_id", "position", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="SupervisorPost",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="supervisor_posts",
                                to="clinics.organisation",
                                verbose_name="организация",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="supervisor_posts",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="сотрудник",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "руководитель поликлиники",
                        "verbose_name_plural": "руководители поликлиник",
                        "db_table": "health_supervisorpost",
                    },
                ),
                migrations.CreateModel(
                    name="Condition",
                    fields=[
                        (
                            "entry",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                primary_key=True,
                                related_name="condition",
                                serialize=False,
                                to="medrecord.entry",
                            ),
                        ),
                        (
                            "clinical_status",
                            models.CharField(
                                choices=[
                                    ("active", "активное"),
                                    ("recurrence", "рецидив"),
                                    ("remission", "ремиссия"),
                                    ("resolved", "разрешилось"),
                                ],
                                max_length=16,
                                verbose_name="течение",
                            ),
                        ),
                        (
                            "onset_on",
                            models.DateField(blank=True, null=True, verbose_name="начало"),
                        ),
                        (
                            "abated_on",
                            models.DateField(blank=True, null=True, verbose_name="окончание"),
                        ),
                        ("note", models.TextField(blank=True, verbose_name="примечание")),
                        (
                            "icd10",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="medrecord.icd10",
                                verbose_name="код МКБ-10",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "заболевание",
                        "verbose_name_plural": "заболевания",
                        "db_table": "health_condition",
                    },
                ),
                migrations.CreateModel(
                    name="DischargeSummary",
                    fields=[
                        (
                            "entry",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                primary_key=True,
                                related_name="discharge",
                                serialize=False,
                                to="medrecord.entry",
                            ),
                        ),
                        ("hospital", models.CharField(max_length=255, verbose_name="стационар")),
                        (
                            "department",
                            models.CharField(blank=True, max_length=255, verbose_name="отделение"),
                        ),
                        ("admitted_on", models.DateField(verbose_name="поступил")),
                        ("discharged_on", models.DateField(verbose_name="выписан")),
                        ("treatment", models.TextField(blank=True, verbose_name="лечение")),
                        (
                            "outcome",
                            models.CharField(blank=True, max_length=255, verbose_name="исход"),
                        ),
                        (
                            "recommendations",
                            models.TextField(blank=True, verbose_name="рекомендации"),
                        ),
                    ],
                    options={
                        "verbose_name": "выписка из стационара",
                        "verbose_name_plural": "выписки из стационара",
                        "db_table": "health_dischargesummary",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("discharged_on__gte", models.F("admitted_on"))),
                                name="discharge_after_admission",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Immunization",
                    fields=[
                        (
                            "entry",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                primary_key=True,
                                related_name="immunization",
                                serialize=False,
                                to="medrecord.entry",
                            ),
                        ),
                        ("vaccine", models.CharField(max_length=255, verbose_name="вакцина")),
                        (
                            "target_disease",
                            models.CharField(max_length=255, verbose_name="от чего"),
                        ),
                        (
                            "dose_number",
                            models.PositiveSmallIntegerField(default=1, verbose_name="номер дозы"),
                        ),
                        (
                            "lot_number",
                            models.CharField(blank=True, max_length=64, verbose_name="серия"),
                        ),
                        (
                            "site",
                            models.CharField(
                                blank=True, max_length=64, verbose_name="место введения"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "прививка",
                        "verbose_name_plural": "прививки",
                        "db_table": "health_immunization",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("dose_number__gte", 1)),
                                name="immunization_dose_positive",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="LabReport",
                    fields=[
                        (
                            "entry",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                primary_key=True,
                                related_name="lab_report",
                                serialize=False,
                                to="medrecord.entry",
                            ),
                        ),
                        (
                            "lab_system",
                            models.CharField(max_length=64, verbose_name="лабораторная система"),
                        ),
                        (
                            "lab_identifier",
                            models.CharField(
                                blank=True,
                                max_length=64,
                                null=True,
                                verbose_name="номер в лаборатории",
                            ),
                        ),
                        (
                            "laboratory",
                            models.CharField(max_length=255, verbose_name="лаборатория"),
                        ),
                        (
                            "category",
                            models.CharField(
                                choices=[
                                    ("haematology", "гематология"),
                                    ("biochemistry", "биохимия"),
                                    ("urinalysis", "анализ мочи"),
                                    ("immunology", "иммунология"),
                                    ("microbiology", "микробиология"),
                                    ("other", "другое"),
                                ],
                                max_length=16,
                                verbose_name="вид",
                            ),
                        ),
                        (
                            "specimen",
                            models.CharField(blank=True, max_length=64, verbose_name="материал"),
                        ),
                        ("conclusion", models.TextField(blank=True, verbose_name="заключение")),
                    ],
                    options={
                        "verbose_name": "результат анализа",
                        "verbose_name_plural": "результаты анализов",
                        "db_table": "health_labreport",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("lab_system", "lab_identifier"),
                                name="lab_report_identifier_unique",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SickLeave",
                    fields=[
                        (
                            "entry",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                primary_key=True,
                                related_name="sick_leave",
                                serialize=False,
                                to="medrecord.entry",
                            ),
                        ),
                        ("number", models.CharField(max_length=12, verbose_name="номер ЭЛН")),
                        ("starts_on", models.DateField(verbose_name="с")),
                        ("ends_on", models.DateField(verbose_name="по")),
                        (
                            "employer",
                            models.CharField(
                                blank=True, max_length=255, verbose_name="место работы"
                            ),
                        ),
                        (
                            "cared_for",
                            models.CharField(blank=True, max_length=255, verbose_name="уход за"),
                        ),
                    ],
                    options={
                        "verbose_name": "больничный лист",
                        "verbose_name_plural": "больничные листы",
                        "db_table": "health_sickleave",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("ends_on__gte", models.F("starts_on"))),
                                name="sick_leave_ends_after_start",
                            )
                        ],
                    },
                ),
                migrations.AddIndex(
                    model_name="entry",
                    index=models.Index(
                        models.F("patient"),
                        models.OrderBy(models.F("occurred_at"), descending=True),
                        models.OrderBy(models.F("id"), descending=True),
                        condition=models.Q(("superseded_at__isnull", True)),
                        name="entry_timeline",
                    ),
                ),
                migrations.AddIndex(
                    model_name="entry",
                    index=models.Index(
                        models.F("patient"),
                        models.F("section"),
                        models.OrderBy(models.F("occurred_at"), descending=True),
                        condition=models.Q(("superseded_at__isnull", True)),
                        name="entry_section",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="entry",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("amends__isnull", True)),
                        fields=("appointment",),
                        name="entry_one_encounter_per_appointment",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="entry",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("superseded_at__isnull", True),
                            ("finalised_at__isnull", False),
                            _connector="OR",
                        ),
                        name="entry_superseded_only_when_final",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="entry",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("amends__isnull", True),
                            models.Q(("amendment_reason", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="entry_amendment_has_reason",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="entry",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("finalised_at__isnull", True),
                            ("finalised_at__gte", models.F("created_at")),
                            _connector="OR",
                        ),
                        name="entry_finalised_after_created",
                    ),
                ),
                migrations.AddIndex(
                    model_name="diaryreading",
                    index=models.Index(
                        models.F("patient"),
                        models.F("kind"),
                        models.OrderBy(models.F("measured_at"), descending=True),
                        name="diary_by_kind",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="diaryreading",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind", "pressure"), ("value_low__isnull", False)),
                            models.Q(
                                models.Q(("kind", "pressure"), _negated=True),
                                ("value_low__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="diary_pressure_has_two_values",
                    ),
                ),
                migrations.AddIndex(
                    model_name="emergencyaccess",
                    index=models.Index(
                        models.OrderBy(models.F("opened_at"), descending=True),
                        condition=models.Q(("reviewed_at__isnull", True)),
                        name="emergency_access_to_review",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="emergencyaccess",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("expires_at__gt", models.F("opened_at"))),
                        name="emergency_access_expires_later",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="emergencyaccess",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("reviewed_at__isnull", True),
                            ("reviewed_at__gte", models.F("opened_at")),
                            _connector="OR",
                        ),
                        name="emergency_access_reviewed_after_opened",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="diagnosis",
                    constraint=models.UniqueConstraint(
                        fields=("entry", "icd10"), name="diagnosis_once_per_entry"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="diagnosis",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("kind", "main")),
                        fields=("entry",),
                        name="diagnosis_one_main",
                    ),
                ),
                migrations.AddIndex(
                    model_name="observation",
                    index=models.Index(fields=["code", "entry"], name="observation_by_analyte"),
                ),
                migrations.AddConstraint(
                    model_name="observation",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("value__isnull", False),
                            models.Q(("value_text", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="observation_has_value",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="observation",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("reference_low__isnull", True),
                            ("reference_high__isnull", True),
                            ("reference_high__gte", models.F("reference_low")),
                            _connector="OR",
                        ),
                        name="observation_range_ordered",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="supervisorpost",
                    constraint=models.UniqueConstraint(
                        fields=("user", "organisation"), name="supervisor_post_unique"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="condition",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("abated_on__isnull", True),
                            ("onset_on__isnull", True),
                            ("abated_on__gte", models.F("onset_on")),
                            _connector="OR",
                        ),
                        name="condition_abated_after_onset",
                    ),
                ),
            ],
        ),
    ]
