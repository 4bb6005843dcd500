"""Schedules, absences, slots, referrals and appointments, moved here from the health app.

The tables exist already: health's migrations created them (their names stay health_*), so
this migration only tells Django's state that the models live here now; health 0009 then
drops them from health's state. A new database gets the tables from health's migrations too.
"""

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0003_person_sex"),
        ("clinics", "0001_initial"),
        ("health", "0008_attachment_application"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Appointment",
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
                        ("start", models.DateTimeField(verbose_name="начало")),
                        ("end", models.DateTimeField(verbose_name="конец")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("proposed", "предложена"),
                                    ("pending", "ожидает подтверждения"),
                                    ("booked", "записан"),
                                    ("arrived", "пришёл"),
                                    ("fulfilled", "приём состоялся"),
                                    ("cancelled", "отменена"),
                                    ("noshow", "неявка"),
                                    ("entered-in-error", "внесена по ошибке"),
                                    ("checked-in", "отмечен"),
                                    ("waitlist", "лист ожидания"),
                                ],
                                default="booked",
                                max_length=20,
                                verbose_name="статус",
                            ),
                        ),
                        (
                            "channel",
                            models.CharField(
                                choices=[
                                    ("web", "web"),
                                    ("mobile", "mobile"),
                                    ("api", "api"),
                                    ("kiosk", "kiosk"),
                                    ("registry", "registry"),
                                ],
                                max_length=16,
                                verbose_name="канал",
                            ),
                        ),
                        (
                            "cancellation_reason",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("patient", "отменена пациентом"),
                                    ("rescheduled", "перенесена"),
                                    ("doctor_absent", "врач отсутствует"),
                                    ("schedule_changed", "изменилось расписание"),
                                    ("clinic", "отменена поликлиникой"),
                                ],
                                max_length=32,
                                verbose_name="причина отмены",
                            ),
                        ),
                        (
                            "cancelled_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="отменена"),
                        ),
                        (
                            "arrived_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="пришёл"),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="создана"),
                        ),
                        (
                            "updated_at",
                            models.DateTimeField(auto_now=True, verbose_name="изменена"),
                        ),
                    ],
                    options={
                        "verbose_name": "запись к врачу",
                        "verbose_name_plural": "записи к врачу",
                        "db_table": "health_appointment",
                        "ordering": ["start", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Referral",
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
                            "number",
                            models.CharField(max_length=32, unique=True, verbose_name="номер"),
                        ),
                        ("issued_on", models.DateField(verbose_name="выдано")),
                        ("valid_until", models.DateField(verbose_name="действительно по")),
                        (
                            "diagnosis",
                            models.CharField(
                                blank=True, max_length=16, verbose_name="диагноз (МКБ-10)"
                            ),
                        ),
                        (
                            "note",
                            models.CharField(
                                blank=True, max_length=255, verbose_name="комментарий"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="создано"),
                        ),
                    ],
                    options={
                        "verbose_name": "направление",
                        "verbose_name_plural": "направления",
                        "db_table": "health_referral",
                        "ordering": ["-issued_on", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Schedule",
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
                        ("valid_from", models.DateField(verbose_name="действует с")),
                        (
                            "valid_until",
                            models.DateField(blank=True, null=True, verbose_name="действует по"),
                        ),
                        (
                            "weekdays",
                            models.CharField(
                                help_text="Номера дней через запятую: 1 — понедельник, 7 — воскресенье.",
                                max_length=13,
                                verbose_name="дни недели",
                            ),
                        ),
                        ("day_start", models.TimeField(verbose_name="начало приёма")),
                        ("day_end", models.TimeField(verbose_name="конец приёма")),
                        (
                            "break_start",
                            models.TimeField(blank=True, null=True, verbose_name="начало перерыва"),
                        ),
                        (
                            "break_end",
                            models.TimeField(blank=True, null=True, verbose_name="конец перерыва"),
                        ),
                        (
                            "slot_minutes",
                            models.PositiveSmallIntegerField(
                                verbose_name="длительность приёма, минут"
                            ),
                        ),
                        (
                            "online_percent",
                            models.PositiveSmallIntegerField(
                                default=100,
                                help_text="Остальные талоны выдаёт только регистратура.",
                                verbose_name="доля записи через портал, %",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="создано"),
                        ),
                        (
                            "updated_at",
                            models.DateTimeField(auto_now=True, verbose_name="изменено"),
                        ),
                    ],
                    options={
                        "verbose_name": "расписание",
                        "verbose_name_plural": "расписания",
                        "db_table": "health_schedule",
                        "ordering": ["role_id", "valid_from", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Slot",
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
                        ("start", models.DateTimeField(verbose_name="начало")),
                        ("end", models.DateTimeField(verbose_name="конец")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("free", "свободен"),
                                    ("busy", "занят"),
                                    ("busy-unavailable", "недоступен"),
                                    ("busy-tentative", "предварительно занят"),
                                    ("entered-in-error", "внесён по ошибке"),
                                ],
                                default="free",
                                max_length=20,
                                verbose_name="статус",
                            ),
                        ),
                        (
                            "online",
                            models.BooleanField(
                                default=True,
                                help_text="Талоны вне квоты портала выдаёт только регистратура.",
                                verbose_name="доступен через портал",
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="изменён")),
                    ],
                    options={
                        "verbose_name": "талон",
                        "verbose_name_plural": "талоны",
                        "db_table": "health_slot",
                        "ordering": ["start", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Absence",
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
                        ("starts_at", models.DateTimeField(verbose_name="с")),
                        ("ends_at", models.DateTimeField(verbose_name="по")),
                        ("reason", models.CharField(max_length=255, verbose_name="причина")),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="внесено"),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="внёс",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "отсутствие врача",
                        "verbose_name_plural": "отсутствия врачей",
                        "db_table": "health_absence",
                        "ordering": ["-starts_at", "id"],
                    },
                ),
                migrations.AddField(
                    model_name="absence",
                    name="role",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="absences",
                        to="clinics.practitionerrole",
                        verbose_name="должность",
                    ),
                ),
                migrations.AddField(
                    model_name="appointment",
                    name="booked_by",
                    field=models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="записал",
                    ),
                ),
                migrations.AddField(
                    model_name="appointment",
                    name="cancelled_by",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="отменил",
                    ),
                ),
                migrations.AddField(
                    model_name="appointment",
                    name="organisation",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clinics.organisation",
                        verbose_name="организация",
                    ),
                ),
                migrations.AddField(
                    model_name="appointment",
                    name="person",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appointments",
                        to="accounts.person",
                        verbose_name="пациент",
                    ),
                ),
                migrations.AddField(
                    model_name="appointment",
                    name="rescheduled_from",
                    field=models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="rescheduled_to",
                        to="appointments.appointment",
                        verbose_name="перенесена с",
                    ),
                ),
                migrations.AddField(
                    model_name="appointment",
                    name="specialty",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clinics.specialty",
                        verbose_name="специальность",
                    ),
                ),
                migrations.AddField(
                    model_name="referral",
                    name="issued_by",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="referrals_issued",
                        to="clinics.practitionerrole",
                        verbose_name="выдал",
                    ),
                ),
                migrations.AddField(
                    model_name="referral",
                    name="person",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="referrals",
                        to="accounts.person",
                        verbose_name="пациент",
                    ),
                ),
                migrations.AddField(
                    model_name="referral",
                    name="specialty",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clinics.specialty",
                        verbose_name="к специалисту",
                    ),
                ),
                migrations.AddField(
                    model_name="appointment",
                    name="referral",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appointments",
                        to="appointments.referral",
                        verbose_name="направление",
                    ),
                ),
                migrations.AddField(
                    model_name="schedule",
                    name="role",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="schedules",
                        to="clinics.practitionerrole",
                        verbose_name="должность",
                    ),
                ),
                migrations.AddField(
                    model_name="slot",
                    name="organisation",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clinics.organisation",
                        verbose_name="организация",
                    ),
                ),
                migrations.AddField(
                    model_name="slot",
                    name="role",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="slots",
                        to="clinics.practitionerrole",
                        verbose_name="должность",
                    ),
                ),
                migrations.AddField(
                    model_name="slot",
                    name="schedule",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="slots",
                        to="appointments.schedule",
                        verbose_name="расписание",
                    ),
                ),
                migrations.AddField(
                    model_name="slot",
                    name="specialty",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clinics.specialty",
                        verbose_name="специальность",
                    ),
                ),
                migrations.AddField(
                    model_name="appointment",
                    name="slot",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appointments",
                        to="appointments.slot",
                        verbose_name="талон",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="absence",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                        name="absence_period",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="referral",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("valid_until__gte", models.F("issued_on"))),
                        name="referral_validity",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="schedule",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("day_end__gt", models.F("day_start"))),
                        name="schedule_day",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="schedule",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("break_end__isnull", True), ("break_start__isnull", True)),
                            models.Q(
                                ("break_end__gt", models.F("break_start")),
                                ("break_end__lt", models.F("day_end")),
                                ("break_start__gt", models.F("day_start")),
                            ),
                            _connector="OR",
                        ),
                        name="schedule_break_inside_day",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="schedule",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("valid_until__isnull", True),
                            ("valid_until__gte", models.F("valid_from")),
                            _connector="OR",
                        ),
                        name="schedule_validity",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="schedule",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("slot_minutes__gte", 5), ("slot_minutes__lte", 120)),
                        name="schedule_slot_minutes_range",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="schedule",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("online_percent__lte", 100)),
                        name="schedule_online_percent",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="schedule",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("weekdays__regex", "^[1-7](,[1-7]){0,6}$")),
                        name="schedule_weekdays",
                    ),
                ),
                migrations.AddIndex(
                    model_name="slot",
                    index=models.Index(
                        fields=["organisation", "specialty", "status", "start"],
                        name="slot_free_by_specialty",
                    ),
                ),
                migrations.AddIndex(
                    model_name="slot",
                    index=models.Index(fields=["role", "status", "start"], name="slot_by_role"),
                ),
                migrations.AddConstraint(
                    model_name="slot",
                    constraint=models.UniqueConstraint(
                        fields=("role", "start"), name="slot_role_start_unique"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="slot",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("end__gt", models.F("start"))),
                        name="slot_end_after_start",
                    ),
                ),
                migrations.AddIndex(
                    model_name="appointment",
                    index=models.Index(
                        fields=["person", "status", "start"], name="appointment_by_person"
                    ),
                ),
                migrations.AddIndex(
                    model_name="appointment",
                    index=models.Index(fields=["status", "start"], name="appointment_by_status"),
                ),
                migrations.AddConstraint(
                    model_name="appointment",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(
                            (
                                "status__in",
                                ("booked", "arrived", "checked-in", "fulfilled", "noshow"),
                            )
                        ),
                        fields=("slot",),
                        name="appointment_one_per_slot",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="appointment",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("status", "booked")),
                        fields=("person", "specialty"),
                        name="appointment_one_booked_per_specialty",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="appointment",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(
                            (
                                "status__in",
                                ("booked", "arrived", "checked-in", "fulfilled", "noshow"),
                            )
                        ),
                        fields=("referral",),
                        name="appointment_referral_used_once",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="appointment",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("end__gt", models.F("start"))),
                        name="appointment_end_after_start",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="appointment",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("cancelled_at__isnull", False),
                                ("status", "cancelled"),
                                models.Q(("cancellation_reason", ""), _negated=True),
                            ),
                            models.Q(
                                models.Q(("status", "cancelled"), _negated=True),
                                ("cancellation_reason", ""),
                                ("cancelled_at__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="appointment_cancellation_recorded",
                    ),
                ),
            ],
        ),
    ]
