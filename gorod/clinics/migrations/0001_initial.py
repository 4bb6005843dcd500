"""Medical organisations, buildings, specialties, practitioners, registrar posts and attachment, moved
here from the health app.

The tables exist already: health's migrations created them (their names stay health_*), so
this migration only tells Django's state that the models live here now; health 0009 then
drops them from health's state. A new database gets the tables from health's migrations too.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0003_person_sex"),
        ("health", "0008_attachment_application"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Organisation",
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
                            "registry_code",
                            models.CharField(
                                help_text="Код организации в городском реестре медицинских организаций.",
                                max_length=32,
                                unique=True,
                                verbose_name="код в реестре",
                            ),
                        ),
                        ("name", models.CharField(max_length=255, verbose_name="название")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("adult_polyclinic", "взрослая поликлиника"),
                                    ("children_polyclinic", "детская поликлиника"),
                                    ("hospital", "больница"),
                                    ("dental", "стоматологическая поликлиника"),
                                    ("children_dental", "детская стоматологическая поликлиника"),
                                    ("womens_consultation", "женская консультация"),
                                    ("diagnostic_centre", "консультативно-диагностический центр"),
                                ],
                                max_length=32,
                                verbose_name="тип",
                            ),
                        ),
                        (
                            "district",
                            models.CharField(blank=True, max_length=64, verbose_name="округ"),
                        ),
                        (
                            "phone",
                            models.CharField(blank=True, max_length=64, verbose_name="телефон"),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="работает")),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="создана"),
                        ),
                    ],
                    options={
                        "verbose_name": "медицинская организация",
                        "verbose_name_plural": "медицинские организации",
                        "db_table": "health_organisation",
                        "ordering": ["name", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Attachment",
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
                        ("since", models.DateField(verbose_name="с")),
                        ("until", models.DateField(blank=True, null=True, verbose_name="по")),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="attachments",
                                to="accounts.person",
                                verbose_name="пациент",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="attachments",
                                to="clinics.organisation",
                                verbose_name="поликлиника",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "прикрепление",
                        "verbose_name_plural": "прикрепления",
                        "db_table": "health_attachment",
                        "ordering": ["person_id", "-since", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Location",
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
                            "registry_code",
                            models.CharField(
                                max_length=32, unique=True, verbose_name="код в реестре"
                            ),
                        ),
                        ("name", models.CharField(max_length=255, verbose_name="название")),
                        ("address", models.CharField(max_length=255, verbose_name="адрес")),
                        (
                            "latitude",
                            models.DecimalField(
                                blank=True,
                                decimal_places=6,
                                max_digits=9,
                                null=True,
                                verbose_name="широта",
                            ),
                        ),
                        (
                            "longitude",
                            models.DecimalField(
                                blank=True,
                                decimal_places=6,
                                max_digits=9,
                                null=True,
                                verbose_name="долгота",
                            ),
                        ),
                        (
                            "phone",
                            models.CharField(blank=True, max_length=64, verbose_name="телефон"),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="работает")),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="locations",
                                to="clinics.organisation",
                                verbose_name="организация",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "здание (филиал)",
                        "verbose_name_plural": "здания (филиалы)",
                        "db_table": "health_location",
                        "ordering": ["organisation_id", "name", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="AttachmentApplication",
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
                            "reason",
                            models.CharField(
                                choices=[
                                    ("first", "нет прикрепления ни к одной поликлинике"),
                                    ("moved", "смена места жительства или пребывания"),
                                    ("choice", "выбор другой поликлиники (не чаще раза в год)"),
                                ],
                                max_length=16,
                                verbose_name="основание",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "на рассмотрении"),
                                    ("confirmed", "прикрепление оформлено"),
                                    ("declined", "отказано"),
                                    ("withdrawn", "отозвано"),
                                ],
                                default="pending",
                                max_length=16,
                                verbose_name="статус",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="подано"),
                        ),
                        (
                            "decided_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="рассмотрено"),
                        ),
                        (
                            "decline_reason",
                            models.CharField(
                                blank=True, max_length=255, verbose_name="причина отказа"
                            ),
                        ),
                        (
                            "attachment",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="application",
                                to="clinics.attachment",
                                verbose_name="прикрепление",
                            ),
                        ),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="рассмотрел",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="attachment_applications",
                                to="accounts.person",
                                verbose_name="пациент",
                            ),
                        ),
                        (
                            "submitted_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="подал",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="attachment_applications",
                                to="clinics.organisation",
                                verbose_name="поликлиника",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "заявление о прикреплении",
                        "verbose_name_plural": "заявления о прикреплении",
                        "db_table": "health_attachmentapplication",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="Practitioner",
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
                        ("last_name", models.CharField(max_length=100, verbose_name="фамилия")),
                        ("first_name", models.CharField(max_length=100, verbose_name="имя")),
                        (
                            "middle_name",
                            models.CharField(blank=True, max_length=100, verbose_name="отчество"),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="работает")),
                        (
                            "user",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="practitioner",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="учётная запись",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "врач",
                        "verbose_name_plural": "врачи",
                        "db_table": "health_practitioner",
                        "ordering": ["last_name", "first_name", "middle_name", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="RegistrarPost",
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
                                related_name="registrar_posts",
                                to="clinics.organisation",
                                verbose_name="организация",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="registrar_posts",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="сотрудник",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "регистратор поликлиники",
                        "verbose_name_plural": "регистраторы поликлиник",
                        "db_table": "health_registrarpost",
                    },
                ),
                migrations.CreateModel(
                    name="Specialty",
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
                        ("code", models.SlugField(max_length=64, unique=True, verbose_name="код")),
                        ("name", models.CharField(max_length=128, verbose_name="название")),
                        (
                            "name_en",
                            models.CharField(max_length=128, verbose_name="название по-английски"),
                        ),
                        (
                            "slot_minutes",
                            models.PositiveSmallIntegerField(
                                help_text="Федеральная норма времени на один приём.",
                                verbose_name="норма приёма, минут",
                            ),
                        ),
                        (
                            "patients",
                            models.CharField(
                                choices=[
                                    ("all", "все"),
                                    ("adults", "взрослые"),
                                    ("children", "дети"),
                                ],
                                default="all",
                                max_length=16,
                                verbose_name="кого принимает",
                            ),
                        ),
                        (
                            "patient_sex",
                            models.CharField(
                                blank=True,
                                choices=[("female", "женский"), ("male", "мужской")],
                                help_text="Пусто — принимает пациентов любого пола.",
                                max_length=6,
                                verbose_name="пол пациентов",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "специальность",
                        "verbose_name_plural": "специальности",
                        "db_table": "health_specialty",
                        "ordering": ["name", "id"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("slot_minutes__gte", 5), ("slot_minutes__lte", 120)
                                ),
                                name="specialty_slot_minutes_range",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="PractitionerRole",
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
                            "room",
                            models.CharField(blank=True, max_length=16, verbose_name="кабинет"),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="работает")),
                        (
                            "location",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="roles",
                                to="clinics.location",
                                verbose_name="здание",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="roles",
                                to="clinics.organisation",
                                verbose_name="организация",
                            ),
                        ),
                        (
                            "practitioner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="roles",
                                to="clinics.practitioner",
                                verbose_name="врач",
                            ),
                        ),
                        (
                            "specialty",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="roles",
                                to="clinics.specialty",
                                verbose_name="специальность",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "должность врача",
                        "verbose_name_plural": "должности врачей",
                        "db_table": "health_practitionerrole",
                        "ordering": ["organisation_id", "specialty_id", "practitioner_id", "id"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="location",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("latitude__isnull", True), ("longitude__isnull", True)),
                            models.Q(
                                ("latitude__gte", -90),
                                ("latitude__lte", 90),
                                ("longitude__gte", -180),
                                ("longitude__lte", 180),
                            ),
                            _connector="OR",
                        ),
                        name="location_coordinates_valid",
                    ),
                ),
                migrations.AddIndex(
                    model_name="attachmentapplication",
                    index=models.Index(
                        fields=["organisation", "status", "created_at"],
                        name="attachment_application_desk",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="attachmentapplication",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("status", "pending")),
                        fields=("person",),
                        name="attachment_application_one_pending",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="attachmentapplication",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "declined"), _negated=True),
                            models.Q(("decline_reason", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="attachment_application_decline_reason",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="attachmentapplication",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "confirmed"), _negated=True),
                            ("attachment__isnull", False),
                            _connector="OR",
                        ),
                        name="attachment_application_confirmed_attachment",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="attachment",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("until__isnull", True)),
                        fields=("person",),
                        name="attachment_one_current",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="attachment",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("until__isnull", True),
                            ("until__gte", models.F("since")),
                            _connector="OR",
                        ),
                        name="attachment_period",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="registrarpost",
                    constraint=models.UniqueConstraint(
                        fields=("user", "organisation"), name="registrar_post_unique"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="practitionerrole",
                    constraint=models.UniqueConstraint(
                        fields=("practitioner", "location", "specialty"),
                        name="practitioner_role_unique",
                    ),
                ),
            ],
        ),
    ]
