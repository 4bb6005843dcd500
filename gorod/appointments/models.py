"""Clinics, doctors, schedules, slots, appointments and referrals (EMIAS-like).

Held below the application, so that no race and no second code path can break them:
- a slot holds one patient: one appointment per slot that is not cancelled or entered in
  error (a partial unique index), and a slot changes status by conditional update only;
- one booked appointment per person per specialty (a partial unique index), which also
  settles fifty concurrent attempts by one person;
- a referral serves one live appointment (a partial unique index);
- one current attachment per person (a partial unique index);
- slots of one doctor's role never start twice at the same minute, and end after they start.
No two appointments of one person overlap in time: that rule spans rows of different
slots, so the booking service holds the patient's row lock while it checks (ADR 0006).

Statuses follow HL7 FHIR R4 value sets, so the FHIR endpoints serve them as they are.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gorod.accounts.models import Person
from gorod.clinics.models import Organisation, PractitionerRole, Specialty
from gorod.core.channels import CHANNELS

# The registry's desk books on a patient's behalf; the other channels are the portal's.
REGISTRY_CHANNEL = "registry"
CHANNEL_CHOICES = [(channel, channel) for channel in (*CHANNELS, REGISTRY_CHANNEL)]
# An appointment holds its slot (and its referral) in these states; only cancelling, or
# marking it entered in error, lets them go.
HOLDS_SLOT = ("booked", "arrived", "checked-in", "fulfilled", "noshow")


class Schedule(models.Model):
    """A working pattern of one role: weekdays, hours, a break, slot length, the portal's quota.

    Slots are generated from it ahead of time (`gorod health open-slots`); a change marks the
    generated slots that no longer fit as unavailable and tells their patients.
    """

    role = models.ForeignKey(
        PractitionerRole,
        verbose_name=_("должность"),
        on_delete=models.PROTECT,
        related_name="schedules",
    )
    valid_from = models.DateField(_("действует с"))
    valid_until = models.DateField(_("действует по"), null=True, blank=True)
    # ISO weekdays, Monday = 1: "1,3,5" for Monday, Wednesday and Friday.
    weekdays = models.CharField(
        _("дни недели"),
        max_length=13,
        help_text=_("Номера дней через запятую: 1 — понедельник, 7 — воскресенье."),
    )
    day_start = models.TimeField(_("начало приёма"))
    day_end = models.TimeField(_("конец приёма"))
    break_start = models.TimeField(_("начало перерыва"), null=True, blank=True)
    break_end = models.TimeField(_("конец перерыва"), null=True, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(_("длительность приёма, минут"))
    online_percent = models.PositiveSmallIntegerField(
        _("доля записи через портал, %"),
        default=100,
        help_text=_("Остальные талоны выдаёт только регистратура."),
    )
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        db_table = "health_schedule"
        verbose_name = _("расписание")
        verbose_name_plural = _("расписания")
        ordering = ["role_id", "valid_from", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(day_end__gt=F("day_start")), name="schedule_day"),
            models.CheckConstraint(
                condition=Q(break_start__isnull=True, break_end__isnull=True)
                | Q(
                    break_start__gt=F("day_start"),
                    break_end__gt=F("break_start"),
                    break_end__lt=F("day_end"),
                ),
                name="schedule_break_inside_day",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="schedule_validity",
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=120),
                name="schedule_slot_minutes_range",
            ),
            models.CheckConstraint(
                condition=Q(online_percent__lte=100), name="schedule_online_percent"
            ),
            models.CheckConstraint(
                condition=Q(weekdays__regex=r"^[1-7](,[1-7]){0,6}$"), name="schedule_weekdays"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.weekdays} {self.day_start:%H:%M}–{self.day_end:%H:%M}"

    @property
    def weekday_numbers(self) -> frozenset[int]:
        return frozenset(int(day) for day in self.weekdays.split(","))


class Absence(models.Model):
    """A doctor's absence (leave, sickness, training): the role's slots in it close."""

    role = models.ForeignKey(
        PractitionerRole,
        verbose_name=_("должность"),
        on_delete=models.PROTECT,
        related_name="absences",
    )
    starts_at = models.DateTimeField(_("с"))
    ends_at = models.DateTimeField(_("по"))
    reason = models.CharField(_("причина"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("внёс"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("внесено"), auto_now_add=True)

    class Meta:
        db_table = "health_absence"
        verbose_name = _("отсутствие врача")
        verbose_name_plural = _("отсутствия врачей")
        ordering = ["-starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="absence_period"),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.starts_at:%d.%m.%Y %H:%M}–{self.ends_at:%d.%m.%Y %H:%M}"


class Slot(models.Model):
    """One bookable time of one doctor. Status values are FHIR's SlotStatus.

    The role's organisation and specialty are copied here so that "free slots of this
    specialty at my clinic" is one index range scan.
    """

    class Status(models.TextChoices):
        FREE = "free", _("свободен")
        BUSY = "busy", _("занят")
        BUSY_UNAVAILABLE = "busy-unavailable", _("недоступен")
        BUSY_TENTATIVE = "busy-tentative", _("предварительно занят")
        ENTERED_IN_ERROR = "entered-in-error", _("внесён по ошибке")

    schedule = models.ForeignKey(
        Schedule, verbose_name=_("расписание"), on_delete=models.PROTECT, related_name="slots"
    )
    role = models.ForeignKey(
        PractitionerRole,
        verbose_name=_("должность"),
        on_delete=models.PROTECT,
        related_name="slots",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("организация"), on_delete=models.PROTECT, related_name="+"
    )
    specialty = models.ForeignKey(
        Specialty, verbose_name=_("специальность"), on_delete=models.PROTECT, related_name="+"
    )
    start = models.DateTimeField(_("начало"))
    end = models.DateTimeField(_("конец"))
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.FREE
    )
    online = models.BooleanField(
        _("доступен через портал"),
        default=True,
        help_text=_("Талоны вне квоты портала выдаёт только регистратура."),
    )
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    class Meta:
        db_table = "health_slot"
        verbose_name = _("талон")
        verbose_name_plural = _("талоны")
        ordering = ["start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["role", "start"], name="slot_role_start_unique"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="slot_end_after_start"),
        ]
        indexes = [
            # The citizen's list: free slots of a specialty at a clinic, soonest first.
            models.Index(
                fields=["organisation", "specialty", "status", "start"],
                name="slot_free_by_specialty",
            ),
            models.Index(fields=["role", "status", "start"], name="slot_by_role"),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.start:%d.%m.%Y %H:%M}"


class Referral(models.Model):
    """A referral (направление) to a specialty that cannot be booked directly.

    It is used by the appointment booked with it; a cancelled appointment gives it back.
    """

    person = models.ForeignKey(
        Person, verbose_name=_("пациент"), on_delete=models.PROTECT, related_name="referrals"
    )
    specialty = models.ForeignKey(
        Specialty, verbose_name=_("к специалисту"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("номер"), max_length=32, unique=True)
    issued_by = models.ForeignKey(
        PractitionerRole,
        verbose_name=_("выдал"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_issued",
    )
    issued_on = models.DateField(_("выдано"))
    valid_until = models.DateField(_("действительно по"))
    diagnosis = models.CharField(_("диагноз (МКБ-10)"), max_length=16, blank=True)
    note = models.CharField(_("комментарий"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    class Meta:
        db_table = "health_referral"
        verbose_name = _("направление")
        verbose_name_plural = _("направления")
        ordering = ["-issued_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("issued_on")), name="referral_validity"
            ),
        ]

    def __str__(self) -> str:
        return f"№ {self.number}: {self.specialty}"


class Appointment(models.Model):
    """A booked visit. Status values are FHIR's AppointmentStatus.

    The slot's time, organisation and specialty are copied here: a person's overlap and
    one-per-specialty rules, "Мои записи" and the reminders read only this table.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("предложена")
        PENDING = "pending", _("ожидает подтверждения")
        BOOKED = "booked", _("записан")
        ARRIVED = "arrived", _("пришёл")
        FULFILLED = "fulfilled", _("приём состоялся")
        CANCELLED = "cancelled", _("отменена")
        NOSHOW = "noshow", _("неявка")
        ENTERED_IN_ERROR = "entered-in-error", _("внесена по ошибке")
        CHECKED_IN = "checked-in", _("отмечен")
        WAITLIST = "waitlist", _("лист ожидания")

    class Reason(models.TextChoices):
        PATIENT = "patient", _("отменена пациентом")
        RESCHEDULED = "rescheduled", _("перенесена")
        DOCTOR_ABSENT = "doctor_absent", _("врач отсутствует")
        SCHEDULE_CHANGED = "schedule_changed", _("изменилось расписание")
        CLINIC = "clinic", _("отменена поликлиникой")

    person = models.ForeignKey(
        Person, verbose_name=_("пациент"), on_delete=models.PROTECT, related_name="appointments"
    )
    slot = models.ForeignKey(
        Slot, verbose_name=_("талон"), on_delete=models.PROTECT, related_name="appointments"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("организация"), on_delete=models.PROTECT, related_name="+"
    )
    specialty = models.ForeignKey(
        Specialty, verbose_name=_("специальность"), on_delete=models.PROTECT, related_name="+"
    )
    start = models.DateTimeField(_("начало"))
    end = models.DateTimeField(_("конец"))
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.BOOKED
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("записал"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("канал"), max_length=16, choices=CHANNEL_CHOICES)
    referral = models.ForeignKey(
        Referral,
        verbose_name=_("направление"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    rescheduled_from = models.OneToOneField(
        "self",
        verbose_name=_("перенесена с"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rescheduled_to",
    )
    cancellation_reason = models.CharField(
        _("причина отмены"), max_length=32, choices=Reason.choices, blank=True
    )
    cancelled_at = models.DateTimeField(_("отменена"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("отменил"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    arrived_at = models.DateTimeField(_("пришёл"), null=True, blank=True)
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменена"), auto_now=True)

    class Meta:
        db_table = "health_appointment"
        verbose_name = _("запись к врачу")
        verbose_name_plural = _("записи к врачу")
        ordering = ["start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(status__in=HOLDS_SLOT),
                name="appointment_one_per_slot",
            ),
            models.UniqueConstraint(
                fields=["person", "specialty"],
                condition=Q(status="booked"),
                name="appointment_one_booked_per_specialty",
            ),
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(status__in=HOLDS_SLOT),
                name="appointment_referral_used_once",
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="appointment_end_after_start"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="cancelled", cancelled_at__isnull=False) & ~Q(cancellation_reason="")
                )
                | (~Q(status="cancelled") & Q(cancelled_at__isnull=True, cancellation_reason="")),
                name="appointment_cancellation_recorded",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "status", "start"], name="appointment_by_person"),
            # The reminder and no-show tasks scan booked appointments by time.
            models.Index(fields=["status", "start"], name="appointment_by_status"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.specialty}, {self.start:%d.%m.%Y %H:%M}"
