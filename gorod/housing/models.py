"""Premises, meters and their readings (ЖКХ), with the invariants the database holds.

Held below the application, so that no race and no second code path can break them:
- one accepted reading per meter per billing period (a partial unique index);
- accepted values never decrease along a meter's series, and never fall below the meter's
  initial reading (triggers on SQLite and PostgreSQL, migration 0002: the rule spans rows,
  which a CHECK constraint cannot see);
- one submission per idempotency key of an account (a unique index), so a retried request
  finds the first one instead of writing twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gorod.accounts.models import Person
from gorod.core.channels import CHANNELS
from gorod.housing import rules

# Values are stored with up to 7 integer and 3 fraction digits; each meter narrows this to
# what its own drums show (typically 5 + 3 for water).
CHANNEL_CHOICES = [(channel, channel) for channel in CHANNELS]
VALUE_MAX_DIGITS = 10
VALUE_DECIMAL_PLACES = 3


def value_field(verbose_name, **options) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=VALUE_MAX_DIGITS,
        decimal_places=VALUE_DECIMAL_PLACES,
        **options,
    )


class Premises(models.Model):
    """An apartment as the single payment document (ЕПД) knows it."""

    payer_code = models.CharField(
        _("код плательщика"),
        max_length=10,
        unique=True,
        help_text=_("Десять цифр из единого платёжного документа (ЕПД)."),
    )
    apartment = models.CharField(_("квартира"), max_length=10)
    address = models.CharField(_("адрес дома"), max_length=255)
    residents = models.PositiveSmallIntegerField(
        _("зарегистрировано жильцов"),
        default=1,
        help_text=_("По ним считается норматив потребления."),
    )
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    class Meta:
        verbose_name = _("помещение")
        verbose_name_plural = _("помещения")
        ordering = ["address", "apartment", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(payer_code__regex=r"^[0-9]{10}$"), name="premises_payer_code_digits"
            ),
            models.CheckConstraint(condition=~Q(apartment=""), name="premises_apartment_given"),
        ]

    def __str__(self) -> str:
        return gettext("%(address)s, кв. %(apartment)s") % {
            "address": self.address,
            "apartment": self.apartment,
        }


class PremisesLink(models.Model):
    """A person's right to send readings for a premises, and how it was established."""

    class Role(models.TextChoices):
        OWNER = "owner", _("собственник")
        TENANT = "tenant", _("наниматель")
        REGISTERED = "registered", _("зарегистрирован")

    class Verification(models.TextChoices):
        PAYMENT_DOCUMENT = "payment_document", _("по коду плательщика из ЕПД")
        OWNER = "owner", _("по ЕПД, подтверждено собственником")
        REGISTRY = "registry", _("по реестру управляющей организации")
        OPERATOR = "operator", _("оператором по документам")

    person = models.ForeignKey(
        Person, verbose_name=_("житель"), on_delete=models.CASCADE, related_name="premises_links"
    )
    premises = models.ForeignKey(
        Premises, verbose_name=_("помещение"), on_delete=models.CASCADE, related_name="links"
    )
    role = models.CharField(_("кем приходится"), max_length=16, choices=Role.choices)
    verified_by = models.CharField(
        _("как подтверждено"), max_length=24, choices=Verification.choices
    )
    created_at = models.DateTimeField(_("привязано"), auto_now_add=True)

    class Meta:
        verbose_name = _("привязка помещения")
        verbose_name_plural = _("привязки помещений")
        constraints = [
            models.UniqueConstraint(fields=["person", "premises"], name="premises_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.premises}"


# Where a meter hangs is free text from the managing company's file (one may write «стояк 2,
# ниша»): the rooms named most often are shown in the reader's language, anything else as
# written.
ROOM_NAMES = {
    "кухня": _("кухня"),
    "ванная": _("ванная"),
    "ванная комната": _("ванная"),
    "санузел": _("санузел"),
    "туалет": _("туалет"),
    "коридор": _("коридор"),
    "прихожая": _("прихожая"),
}


class LinkRequest(models.Model):
    """A request to link a premises, made with the payer code and apartment from the ЕПД.

    The code is printed on paper that passes through many hands, so it alone links nobody:
    an owner already linked to the premises confirms the request, or, for a premises nobody
    owns on the portal yet, an operator of the managing company does (rules.LINK_TRANSITIONS).
    """

    class Status(models.TextChoices):
        PENDING = rules.LINK_PENDING, _("ждёт подтверждения")
        CONFIRMED = rules.LINK_CONFIRMED, _("подтверждена")
        DECLINED = rules.LINK_DECLINED, _("отклонена")
        EXPIRED = rules.LINK_EXPIRED, _("истёк срок")

    person = models.ForeignKey(
        Person, verbose_name=_("житель"), on_delete=models.CASCADE, related_name="+"
    )
    premises = models.ForeignKey(
        Premises,
        verbose_name=_("помещение"),
        on_delete=models.CASCADE,
        related_name="link_requests",
    )
    role = models.CharField(_("кем приходится"), max_length=16, choices=PremisesLink.Role.choices)
    status = models.CharField(
        _("состояние"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("подана"))
    expires_at = models.DateTimeField(_("действует до"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто рассмотрел"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("рассмотрена"), null=True, blank=True)

    class Meta:
        verbose_name = _("заявка на привязку помещения")
        verbose_name_plural = _("заявки на привязку помещений")
        indexes = [models.Index(fields=["status", "premises"], name="link_request_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "premises"],
                condition=Q(status=rules.LINK_PENDING),
                name="link_request_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(status=rules.LINK_PENDING, decided_at__isnull=True)
                | (~Q(status=rules.LINK_PENDING) & Q(decided_at__isnull=False)),
                name="link_request_decided_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="link_request_expires_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.premises} ({self.status})"


class Meter(models.Model):
    class Kind(models.TextChoices):
        COLD_WATER = "cold", _("холодная вода")
        HOT_WATER = "hot", _("горячая вода")
        HEAT = "heat", _("отопление")

    class Unit(models.TextChoices):
        CUBIC_METRE = "m3", _("м³")
        GIGACALORIE = "gcal", _("Гкал")

    # Each kind is measured in one unit (the constraint below holds it).
    UNIT_OF_KIND = {
        Kind.COLD_WATER: Unit.CUBIC_METRE,
        Kind.HOT_WATER: Unit.CUBIC_METRE,
        Kind.HEAT: Unit.GIGACALORIE,
    }

    class Status(models.TextChoices):
        ACTIVE = "active", _("работает")
        REPLACED = "replaced", _("заменён")
        FAILED = "failed", _("неисправен")

    premises = models.ForeignKey(
        Premises, verbose_name=_("помещение"), on_delete=models.PROTECT, related_name="meters"
    )
    kind = models.CharField(_("ресурс"), max_length=8, choices=Kind.choices)
    unit = models.CharField(_("единица"), max_length=8, choices=Unit.choices)
    serial = models.CharField(_("заводской номер"), max_length=32)
    location = models.CharField(
        _("где установлен"), max_length=64, blank=True, help_text=_("Например, «ванная».")
    )
    installed_on = models.DateField(_("дата установки"))
    commissioned_on = models.DateField(
        _("дата ввода в эксплуатацию"),
        null=True,
        blank=True,
        help_text=_("Пока пусто, показания не принимаются."),
    )
    initial_value = value_field(_("начальное показание"))
    next_verification_on = models.DateField(_("дата следующей поверки"))
    integer_digits = models.PositiveSmallIntegerField(_("цифр до запятой"), default=5)
    fraction_digits = models.PositiveSmallIntegerField(_("цифр после запятой"), default=3)
    status = models.CharField(
        _("состояние"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("заменил счётчик"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    retired_on = models.DateField(_("снят"), null=True, blank=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("счётчик")
        verbose_name_plural = _("счётчики")
        # By column, not through the premises: ordering through a foreign key joins the
        # premises into every query of meters, and this runs on each submission.
        ordering = ["premises_id", "kind", "location", "id"]
        indexes = [models.Index(fields=["next_verification_on"], name="meter_verification_due")]
        constraints = [
            models.UniqueConstraint(fields=["kind", "serial"], name="meter_serial_unique"),
            models.CheckConstraint(
                condition=(Q(kind__in=["cold", "hot"], unit="m3") | Q(kind="heat", unit="gcal")),
                name="meter_unit_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(integer_digits__gte=1, integer_digits__lte=7),
                name="meter_integer_digits_range",
            ),
            models.CheckConstraint(
                condition=Q(fraction_digits__lte=VALUE_DECIMAL_PLACES),
                name="meter_fraction_digits_range",
            ),
            models.CheckConstraint(
                condition=Q(initial_value__gte=0), name="meter_initial_value_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(commissioned_on__isnull=True)
                | Q(commissioned_on__gte=F("installed_on")),
                name="meter_commissioned_after_installed",
            ),
            models.CheckConstraint(
                condition=Q(status="active", retired_on__isnull=True)
                | (~Q(status="active") & Q(retired_on__isnull=False)),
                name="meter_retired_iff_not_active",
            ),
        ]

    def __str__(self) -> str:
        """ "Холодная вода, ванная, № 123": how a citizen tells several meters apart."""
        label = self.get_kind_display().capitalize()
        if self.location:
            label = f"{label}, {self.display_location}"
        return gettext("%(meter)s, № %(serial)s") % {"meter": label, "serial": self.serial}

    @property
    def display_location(self) -> str:
        return str(ROOM_NAMES.get(self.location.strip().lower(), self.location))

    @property
    def facts(self) -> rules.MeterFacts:
        """What the acceptance rules need to know of this meter."""
        return rules.MeterFacts(self.status, self.commissioned_on, self.next_verification_on)


class Submission(models.Model):
    """One sending of readings for a premises: the unit of idempotency and of audit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто передал"),
        on_delete=models.PROTECT,
        related_name="meter_submissions",
    )
    premises = models.ForeignKey(
        Premises, verbose_name=_("помещение"), on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(_("ключ идемпотентности"), max_length=64)
    # SHA-256 of what was sent: the same key with other readings is a client's mistake.
    fingerprint = models.CharField(_("отпечаток запроса"), max_length=64)
    channel = models.CharField(_("канал"), max_length=8, choices=CHANNEL_CHOICES)
    submitted_at = models.DateTimeField(_("передано"))

    class Meta:
        verbose_name = _("передача показаний")
        verbose_name_plural = _("передачи показаний")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"], name="submission_idempotency_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.premises} {self.submitted_at:%Y-%m-%d %H:%M}"


class Reading(models.Model):
    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("принято")
        SUPERSEDED = "superseded", _("заменено новым")
        REJECTED = "rejected", _("отклонено оператором")

    class Source(models.TextChoices):
        CITIZEN = "citizen", _("житель")
        OPERATOR = "operator", _("оператор")
        CORRECTION = "correction", _("заявка на исправление")

    meter = models.ForeignKey(
        Meter, verbose_name=_("счётчик"), on_delete=models.PROTECT, related_name="readings"
    )
    period = models.DateField(
        _("расчётный период"), help_text=_("Первое число месяца, за который передано.")
    )
    value = value_field(_("показание"))
    # What the value was compared with: the previous accepted reading or the initial one.
    previous_value = value_field(_("предыдущее показание"))
    status = models.CharField(
        _("состояние"), max_length=12, choices=Status.choices, default=Status.ACCEPTED
    )
    source = models.CharField(
        _("источник"), max_length=12, choices=Source.choices, default=Source.CITIZEN
    )
    submission = models.ForeignKey(
        Submission,
        verbose_name=_("передача"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="readings",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто передал"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("передано"))
    channel = models.CharField(_("канал"), max_length=8, choices=CHANNEL_CHOICES)
    warnings = models.JSONField(_("предупреждения"), default=list, blank=True)
    warnings_confirmed = models.BooleanField(_("жилец подтвердил предупреждения"), default=False)
    reviewed_at = models.DateTimeField(_("проверено оператором"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("заменено"), null=True, blank=True)
    rejection_reason = models.CharField(_("причина отклонения"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("показание")
        verbose_name_plural = _("показания")
        # No default ordering: the month-end path reads readings many times a second, and an
        # ORDER BY through the meter would join it in each time. Reads order explicitly.
        indexes = [
            models.Index(fields=["period", "status"], name="reading_period_status"),
            models.Index(fields=["meter", "period"], name="reading_meter_period"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["meter", "period"],
                condition=Q(status="accepted"),
                name="reading_one_accepted_per_period",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=F("previous_value")), name="reading_not_below_previous"
            ),
            models.CheckConstraint(
                condition=Q(previous_value__gte=0), name="reading_previous_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(status="superseded", superseded_at__isnull=False)
                | (~Q(status="superseded") & Q(superseded_at__isnull=True)),
                name="reading_superseded_at_iff_superseded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meter} {self.period:%Y-%m}: {self.value}"

    @property
    def consumption(self):
        return self.value - self.previous_value

    @property
    def needs_review(self) -> bool:
        return bool(self.warnings) and self.reviewed_at is None


class ReadingReferral(models.Model):
    """A reading refused as physically impossible, passed to the operator to look into.

    The submission itself is refused and rolls back; this row is written after it, so the
    operator sees a drum misread or a burst pipe the citizen could not send.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("ждёт оператора")
        CLOSED = "closed", _("разобрано")

    meter = models.ForeignKey(
        Meter, verbose_name=_("счётчик"), on_delete=models.CASCADE, related_name="referrals"
    )
    period = models.DateField(_("расчётный период"))
    value = value_field(_("переданное показание"))
    previous_value = value_field(_("предыдущее показание"))
    limit = value_field(_("предел расхода"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто передал"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("передано"))
    status = models.CharField(
        _("состояние"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто разобрал"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("разобрано"), null=True, blank=True)

    class Meta:
        verbose_name = _("показание для оператора")
        verbose_name_plural = _("показания для оператора")
        constraints = [
            # A citizen who sends the same impossible value again refreshes the one referral.
            models.UniqueConstraint(
                fields=["meter", "period"],
                condition=Q(status="open"),
                name="referral_one_open_per_period",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="referral_closed_iff_closed_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meter} {self.period:%Y-%m}: {self.value}"

    @property
    def consumption(self):
        return self.value - self.previous_value


class CorrectionRequest(models.Model):
    """A citizen's request to fix a reading of a closed period, settled by an operator."""

    class Status(models.TextChoices):
        OPEN = "open", _("на рассмотрении")
        ACCEPTED = "accepted", _("принята")
        REJECTED = "rejected", _("отклонена")

    reading = models.ForeignKey(
        Reading,
        verbose_name=_("показание"),
        on_delete=models.PROTECT,
        related_name="correction_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто просит"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_value = value_field(_("верное показание"))
    reason = models.CharField(_("что случилось"), max_length=1000)
    status = models.CharField(
        _("состояние"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("подана"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто рассмотрел"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("рассмотрена"), null=True, blank=True)
    decision_reason = models.CharField(_("ответ оператора"), max_length=1000, blank=True)
    # The period whose bill carries the recalculation: past bills are never reissued.
    settled_period = models.DateField(_("учтено в периоде"), null=True, blank=True)
    corrected_reading = models.OneToOneField(
        Reading,
        verbose_name=_("исправленное показание"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("заявка на исправление показаний")
        verbose_name_plural = _("заявки на исправление показаний")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reading"],
                condition=Q(status="open"),
                name="correction_one_open_per_reading",
            ),
            models.CheckConstraint(
                condition=Q(status="open", decided_at__isnull=True)
                | (~Q(status="open") & Q(decided_at__isnull=False)),
                name="correction_decided_iff_closed",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted")
                | Q(settled_period__isnull=False, corrected_reading__isnull=False),
                name="correction_accepted_is_settled",
            ),
            models.CheckConstraint(
                condition=Q(requested_value__gte=0), name="correction_value_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reading}: {self.requested_value}"
