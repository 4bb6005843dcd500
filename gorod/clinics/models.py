"""Medical organisations and their buildings, specialties, practitioners and their roles at a
building, registrar posts, and citizens' attachment to a polyclinic (with the application).

The tables keep the names the health app gave them (`health_*`): the models moved, the
data did not (health migration 0009)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gorod.accounts.models import Person, Sex


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
        db_table = "health_organisation"
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
        db_table = "health_location"
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
        db_table = "health_specialty"
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
        db_table = "health_practitioner"
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
        db_table = "health_practitionerrole"
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
        db_table = "health_registrarpost"
        verbose_name = _("регистратор поликлиники")
        verbose_name_plural = _("регистраторы поликлиник")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="registrar_post_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


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
        db_table = "health_attachment"
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
        db_table = "health_attachmentapplication"
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
