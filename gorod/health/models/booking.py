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
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gorod.accounts.models import Person, Sex
from gorod.analytics.rules import CHANNELS

# The registry's desk books on a patient's behalf; the other channels are the portal's.
REGISTRY_CHANNEL = "registry"
CHANNEL_CHOICES = [(channel, channel) for channel in (*CHANNELS, REGISTRY_CHANNEL)]
# An appointment holds its slot (and its referral) in these states; only cancelling, or
# marking it entered in error, lets them go.
HOLDS_SLOT = ("booked", "arrived", "checked-in", "fulfilled", "noshow")


class Organisation(models.Model):
    """A medical organisation from the city's registry: a polyclinic with its branches."""

    class Kind(models.TextChoices):
        ADULT_POLYCLINIC = "adult_polyclinic", _("взрослая поликлиника")
        CHILDREN_POLYCLINIC = "children_polyclinic", _("детская поликлиника")
        HOSPITAL = "hospital", _("больница")
        DENTAL = "dental", _("стоматологическая поликлиника")
        CHILDREN_DENTAL = "children_dental", _("детская стоматологическая поликлиника")
        WOMENS_CONSULTATION = "womens_consultation", _("женская консультация")
        DIAGNOSTIC_CENTRE = "diagnostic_centre", _("консультативно-диагностический центр")

    registry_code = models.CharField(
        _("код в реестре"),
        max_length=32,
        unique=True,
        help_text=_("Код организации в городском реестре медицинских организаций."),
    )
    name = models.CharField(_("название"), max_length=255)
    kind = models.CharField(_("тип"), max_length=32, choices=Kind.choices)
    # A Moscow okrug ("ЦАО"), or a region and district for hospitals outside the city.
    district = models.CharField(_("округ"), max_length=64, blank=True)
    phone = models.CharField(_("телефон"), max_length=64, blank=True)
    active = models.BooleanField(_("работает"), default=True)
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)

    class Meta:
        verbose_name = _("медицинская организация")
        verbose_name_plural = _("медицинские организации")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """A building of an organisation: its main address or one of its branches (филиалы)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("организация"),
        on_delete=models.PROTECT,
        related_name="locations",
    )
    registry_code = models.CharField(_("код в реестре"), max_length=32, unique=True)
    name = models.CharField(_("название"), max_length=255)
    address = models.CharField(_("адрес"), max_length=255)
    latitude = models.DecimalField(
        _("широта"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("долгота"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    phone = models.CharField(_("телефон"), max_length=64, blank=True)
    active = models.BooleanField(_("работает"), default=True)

    class Meta:
        verbose_name = _("здание (филиал)")
        verbose_name_plural = _("здания (филиалы)")
        ordering = ["organisation_id", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="location_coordinates_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Specialty(models.Model):
    """A medical specialty with its federal time norm for one visit.

    Whether booking needs a referral is a setting (`GOROD_HEALTH_DIRECT_SPECIALTIES`), not
    a column: the city decides it, and it changes without a migration.
    """

    class Patients(models.TextChoices):
        ALL = "all", _("все")
        ADULTS = "adults", _("взрослые")
        CHILDREN = "children", _("дети")

    code = models.SlugField(_("код"), max_length=64, unique=True)
    name = models.CharField(_("название"), max_length=128)
    name_en = models.CharField(_("название по-английски"), max_length=128)
    slot_minutes = models.PositiveSmallIntegerField(
        _("норма приёма, минут"), help_text=_("Федеральная норма времени на один приём.")
    )
    patients = models.CharField(
        _("кого принимает"), max_length=16, choices=Patients.choices, default=Patients.ALL
    )
    # Empty: either sex; an obstetrician-gynaecologist sees women and girls only.
    patient_sex = models.CharField(
        _("пол пациентов"),
        max_length=6,
        choices=Sex.choices,
        blank=True,
        help_text=_("Пусто — принимает пациентов любого пола."),
    )

    class Meta:
        verbose_name = _("специальность")
        verbose_name_plural = _("специальности")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=120),
                name="specialty_slot_minutes_range",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name


class Practitioner(models.Model):
    """A doctor. The login, when the doctor has one, opens the doctor's day view."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("учётная запись"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practitioner",
    )
    last_name = models.CharField(_("фамилия"), max_length=100)
    first_name = models.CharField(_("имя"), max_length=100)
    middle_name = models.CharField(_("отчество"), max_length=100, blank=True)
    active = models.BooleanField(_("работает"), default=True)

    class Meta:
        verbose_name = _("врач")
        verbose_name_plural = _("врачи")
        ordering = ["last_name", "first_name", "middle_name", "id"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(
            part for part in (self.last_name, self.first_name, self.middle_name) if part
        )

    @property
    def initials_name(self) -> str:
        """ "Иванова А. П." as a clinic's door plate writes it."""
        initials = "".join(f"{part[0]}." for part in (self.first_name, self.middle_name) if part)
        return f"{self.last_name} {initials}".strip()


class PractitionerRole(models.Model):
    """Who works where as what: a doctor of one specialty at one building of a clinic."""

    practitioner = models.ForeignKey(
        Practitioner, verbose_name=_("врач"), on_delete=models.PROTECT, related_name="roles"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("организация"), on_delete=models.PROTECT, related_name="roles"
    )
    location = models.ForeignKey(
        Location, verbose_name=_("здание"), on_delete=models.PROTECT, related_name="roles"
    )
    specialty = models.ForeignKey(
        Specialty, verbose_name=_("специальность"), on_delete=models.PROTECT, related_name="roles"
    )
    room = models.CharField(_("кабинет"), max_length=16, blank=True)
    active = models.BooleanField(_("работает"), default=True)

    class Meta:
        verbose_name = _("должность врача")
        verbose_name_plural = _("должности врачей")
        ordering = ["organisation_id", "specialty_id", "practitioner_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner", "location", "specialty"],
                name="practitioner_role_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner.initials_name}, {self.specialty}"


class RegistrarPost(models.Model):
    """A registrar's posting to a clinic's desk: the clinics whose patients they book."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("сотрудник"),
        on_delete=models.CASCADE,
        related_name="registrar_posts",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("организация"),
        on_delete=models.CASCADE,
        related_name="registrar_posts",
    )

    class Meta:
        verbose_name = _("регистратор поликлиники")
        verbose_name_plural = _("регистраторы поликлиник")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="registrar_post_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


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


class Attachment(models.Model):
    """A person's attachment (прикрепление) to a polyclinic; the current one has no end."""

    person = models.ForeignKey(
        Person, verbose_name=_("пациент"), on_delete=models.PROTECT, related_name="attachments"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("поликлиника"),
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    since = models.DateField(_("с"))
    until = models.DateField(_("по"), null=True, blank=True)

    class Meta:
        verbose_name = _("прикрепление")
        verbose_name_plural = _("прикрепления")
        ordering = ["person_id", "-since", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(until__isnull=True),
                name="attachment_one_current",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
                name="attachment_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.organisation}"


class AttachmentApplication(models.Model):
    """A citizen's application to attach to a polyclinic, which the clinic's desk decides.

    One pending application per person (a partial unique index); its status moves only
    along rules.ATTACHMENT_APPLICATION_TRANSITIONS, by conditional update, so two
    registrars deciding at once cannot both confirm it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("на рассмотрении")
        CONFIRMED = "confirmed", _("прикрепление оформлено")
        DECLINED = "declined", _("отказано")
        WITHDRAWN = "withdrawn", _("отозвано")

    class Reason(models.TextChoices):
        FIRST = "first", _("нет прикрепления ни к одной поликлинике")
        MOVED = "moved", _("смена места жительства или пребывания")
        CHOICE = "choice", _("выбор другой поликлиники (не чаще раза в год)")

    person = models.ForeignKey(
        Person,
        verbose_name=_("пациент"),
        on_delete=models.PROTECT,
        related_name="attachment_applications",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("поликлиника"),
        on_delete=models.PROTECT,
        related_name="attachment_applications",
    )
    reason = models.CharField(_("основание"), max_length=16, choices=Reason.choices)
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("подал"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("подано"), auto_now_add=True)
    decided_at = models.DateTimeField(_("рассмотрено"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("рассмотрел"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decline_reason = models.CharField(_("причина отказа"), max_length=255, blank=True)
    attachment = models.OneToOneField(
        Attachment,
        verbose_name=_("прикрепление"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="application",
    )

    class Meta:
        verbose_name = _("заявление о прикреплении")
        verbose_name_plural = _("заявления о прикреплении")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="pending"),
                name="attachment_application_one_pending",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="attachment_application_decline_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(attachment__isnull=False),
                name="attachment_application_confirmed_attachment",
            ),
        ]
        indexes = [
            # The desk's list: a clinic's pending applications, oldest first.
            models.Index(
                fields=["organisation", "status", "created_at"],
                name="attachment_application_desk",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.organisation} ({self.get_status_display()})"


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
