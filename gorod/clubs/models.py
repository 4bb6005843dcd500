"""Clubs and sports sections: organisations and their venues, programmes, groups with a
weekly schedule, and children's applications with their waiting list.

What the database can hold, it holds. A group never has more places taken than it has:
`Group.taken` counts the applications that hold a place, is only ever raised by a
conditional UPDATE (`taken < capacity`), and a CHECK refuses anything past the capacity, so
no race and no second code path can seat a 21st child in a group of 20. One child has at
most one live application to a group (a partial unique index). Ages, prices and times are
checked where a row is written and again by CHECK constraints.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gorod.accounts.models import Person


class Direction(models.TextChoices):
    """The six directions (направленности) of additional education, as the federal order
    (Минпросвещения No. 629) names them; the 2013 register's eleven fold into these."""

    TECHNICAL = "technical", _("Техническая")
    SCIENCE = "science", _("Естественнонаучная")
    SPORTS = "sports", _("Физкультурно-спортивная")
    ARTS = "arts", _("Художественная")
    TOURISM = "tourism", _("Туристско-краеведческая")
    SOCIAL = "social", _("Социально-гуманитарная")


class Organisation(models.Model):
    """A centre, a palace, a sports school or a school that runs clubs."""

    name = models.CharField(_("полное наименование"), max_length=400, unique=True)
    short_name = models.CharField(_("краткое наименование"), max_length=200)
    kind = models.CharField(_("вид учреждения"), max_length=200, blank=True)
    address = models.CharField(_("адрес"), max_length=300, blank=True)
    phone = models.CharField(_("телефон"), max_length=200, blank=True)
    website = models.CharField(_("сайт"), max_length=200, blank=True)
    # The directions the city's register lists the organisation under (Direction values).
    register_directions = models.JSONField(_("направленности по реестру"), default=list, blank=True)

    class Meta:
        verbose_name = _("организация")
        verbose_name_plural = _("организации")
        ordering = ["short_name", "id"]

    def __str__(self) -> str:
        return self.short_name


class OrganisationStaff(models.Model):
    """A login that works the organisation's back office: groups, applications, the
    waiting list."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("организация"), on_delete=models.CASCADE, related_name="staff"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("учётная запись"),
        on_delete=models.CASCADE,
        related_name="club_posts",
    )
    active = models.BooleanField(_("работает"), default=True)

    class Meta:
        verbose_name = _("сотрудник организации")
        verbose_name_plural = _("сотрудники организаций")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="club_staff_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation}"


class Venue(models.Model):
    """Where groups meet: the organisation's own building or a school's gym."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("организация"), on_delete=models.CASCADE, related_name="venues"
    )
    name = models.CharField(_("название"), max_length=300)
    address = models.CharField(_("адрес"), max_length=300)
    # The municipal district (район or поселение) and its okrug, as the city's boundaries
    # name them: what a parent filters by.
    district = models.CharField(_("район"), max_length=100, blank=True, db_index=True)
    okrug = models.CharField(_("округ"), max_length=32, blank=True)
    lat = models.DecimalField(_("широта"), max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(_("долгота"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("место занятий")
        verbose_name_plural = _("места занятий")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name", "address"], name="club_venue_unique"
            ),
            models.CheckConstraint(
                condition=(Q(lat__isnull=True) & Q(lon__isnull=True))
                | (Q(lat__gte=-90) & Q(lat__lte=90) & Q(lon__gte=-180) & Q(lon__lte=180)),
                name="club_venue_coordinates",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    """What a child learns: the direction, the ages, the price and how enrollment runs."""

    class Enrollment(models.TextChoices):
        ALL_YEAR = "all_year", _("круглый год")
        SEASON = "season", _("в сезон набора")

    class Sex(models.TextChoices):
        # The values of accounts.Sex, so a child's sex compares with the programme's as is.
        ANY = "", _("мальчики и девочки")
        BOYS = "male", _("мальчики")
        GIRLS = "female", _("девочки")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("организация"),
        on_delete=models.CASCADE,
        related_name="programmes",
    )
    title = models.CharField(_("название"), max_length=300)
    direction = models.CharField(_("направленность"), max_length=16, choices=Direction.choices)
    activity = models.CharField(
        _("вид деятельности"),
        max_length=120,
        blank=True,
        help_text=_("Вид спорта или занятие: «Шахматы», «Плавание», «Хор»."),
    )
    description = models.TextField(_("описание"), blank=True)
    # Ages in full years on the programme's start date, both ends included.
    age_min = models.PositiveSmallIntegerField(_("возраст от"))
    age_max = models.PositiveSmallIntegerField(_("возраст до"))
    sex = models.CharField(_("для кого"), max_length=6, choices=Sex.choices, blank=True)
    is_free = models.BooleanField(_("бесплатно"), default=True)
    price_month = models.DecimalField(
        _("цена в месяц, ₽"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    enrollment = models.CharField(
        _("набор"), max_length=16, choices=Enrollment.choices, default=Enrollment.ALL_YEAR
    )
    # A seasonal programme takes applications from this moment (the August morning).
    season_opens_at = models.DateTimeField(_("набор открывается"), null=True, blank=True)
    requires_test = models.BooleanField(
        _("вступительное испытание"),
        default=False,
        help_text=_("Перед зачислением ребёнка приглашают на просмотр или испытание."),
    )
    starts_on = models.DateField(_("начало занятий"))
    # Where the programme runs; each group meets at one of these.
    venues = models.ManyToManyField(
        Venue, verbose_name=_("места занятий"), related_name="programmes", blank=True
    )
    # The words of the title, activity and description as dictionary forms (the catalog's
    # lemmatizer), written with the row: the search indexes match them, not the raw text.
    search_lemmas = models.TextField(_("леммы для поиска"), blank=True, editable=False)

    class Meta:
        verbose_name = _("программа")
        verbose_name_plural = _("программы")
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(age_min__gte=3) & Q(age_max__lte=18) & Q(age_min__lte=F("age_max")),
                name="club_programme_ages",
            ),
            models.CheckConstraint(
                condition=(Q(is_free=True) & Q(price_month__isnull=True))
                | (Q(is_free=False) & Q(price_month__gt=0)),
                name="club_programme_price",
            ),
            models.CheckConstraint(
                condition=Q(enrollment="all_year") | Q(season_opens_at__isnull=False),
                name="club_programme_season_opens",
            ),
            models.UniqueConstraint(
                fields=["organisation", "title", "age_min", "age_max", "sex"],
                name="club_programme_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title


# The places column's bound (a small integer on PostgreSQL): past it the database refuses
# the row, so every door refuses the number first.
GROUP_CAPACITY_MAX = 32767


class Group(models.Model):
    """A group of a programme: where, who teaches, how many places, when it meets."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("программа"), on_delete=models.CASCADE, related_name="groups"
    )
    venue = models.ForeignKey(
        Venue, verbose_name=_("место занятий"), on_delete=models.PROTECT, related_name="groups"
    )
    name = models.CharField(_("название группы"), max_length=120)
    teacher_name = models.CharField(_("педагог"), max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField(_("мест"))
    # Applications holding a place (submitted, under review, invited to a test, invited,
    # enrolled). Raised only by `UPDATE … SET taken = taken + 1 WHERE taken < capacity`.
    taken = models.PositiveSmallIntegerField(_("мест занято"), default=0, editable=False)
    active = models.BooleanField(_("набор идёт"), default=True)

    class Meta:
        verbose_name = _("группа")
        verbose_name_plural = _("группы")
        ordering = ["programme", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="club_group_capacity"),
            models.CheckConstraint(
                condition=Q(taken__gte=0) & Q(taken__lte=F("capacity")), name="club_group_taken"
            ),
            models.UniqueConstraint(fields=["programme", "venue", "name"], name="club_group_name"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} — {self.name}"

    @property
    def free_places(self) -> int:
        return self.capacity - self.taken


class GroupSession(models.Model):
    """One weekly meeting of a group: a weekday and a time of day (Moscow time)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("понедельник")
        TUESDAY = 1, _("вторник")
        WEDNESDAY = 2, _("среда")
        THURSDAY = 3, _("четверг")
        FRIDAY = 4, _("пятница")
        SATURDAY = 5, _("суббота")
        SUNDAY = 6, _("воскресенье")

    group = models.ForeignKey(
        Group, verbose_name=_("группа"), on_delete=models.CASCADE, related_name="sessions"
    )
    weekday = models.PositiveSmallIntegerField(_("день недели"), choices=Weekday.choices)
    starts_at = models.TimeField(_("начало"))
    ends_at = models.TimeField(_("окончание"))

    class Meta:
        verbose_name = _("занятие в расписании")
        verbose_name_plural = _("расписание группы")
        ordering = ["weekday", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="club_session_weekday"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="club_session_times"
            ),
            models.UniqueConstraint(
                fields=["group", "weekday", "starts_at"], name="club_session_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class Application(models.Model):
    """One child, one group: a representative's application and where it stands."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("подано")
        REVIEW = "review", _("на рассмотрении")
        TEST = "test", _("приглашён на испытание")
        INVITED = "invited", _("приглашён на зачисление")
        ENROLLED = "enrolled", _("зачислен")
        WAITLISTED = "waitlisted", _("в листе ожидания")
        REJECTED = "rejected", _("отказано")
        CANCELLED = "cancelled", _("отменено")

    child = models.ForeignKey(
        Person,
        verbose_name=_("ребёнок"),
        on_delete=models.PROTECT,
        related_name="club_applications",
    )
    representative = models.ForeignKey(
        Person,
        verbose_name=_("заявитель"),
        on_delete=models.PROTECT,
        related_name="club_applications_made",
    )
    group = models.ForeignKey(
        Group, verbose_name=_("группа"), on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices)
    # The waiting list's order: first come, first served. Set under the group's lock, so
    # the order of these moments is the order in which places were given.
    submitted_at = models.DateTimeField(_("подано"))
    status_changed_at = models.DateTimeField(_("статус изменён"))
    # Invited: the last day to confirm in person with documents; then the place moves on.
    confirm_by = models.DateField(_("подтвердить до"), null=True, blank=True)
    # The parent's answer to an invitation: they will come with the documents.
    accepted_at = models.DateTimeField(_("приглашение принято"), null=True, blank=True)
    # The use of the service the application counts as; the family rates it once enrolled.
    use_id = models.UUIDField(_("обращение к услуге"), null=True, blank=True, editable=False)
    # The organisation's words on its last decision (a refusal always has them).
    reason = models.CharField(_("причина"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("заявление в кружок")
        verbose_name_plural = _("заявления в кружки")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "submitted",
                        "review",
                        "test",
                        "invited",
                        "enrolled",
                        "waitlisted",
                        "rejected",
                        "cancelled",
                    ]
                ),
                name="club_application_status",
            ),
            models.CheckConstraint(
                condition=~Q(status="invited") | Q(confirm_by__isnull=False),
                name="club_application_invited_until",
            ),
            # One live application per child and group; a closed one may be followed by
            # a new one.
            models.UniqueConstraint(
                fields=["child", "group"],
                condition=~Q(status__in=["rejected", "cancelled"]),
                name="club_application_one_live",
            ),
            models.CheckConstraint(
                condition=~Q(child=F("representative")), name="club_application_not_self"
            ),
        ]
        indexes = [
            # The waiting list of a group, in order.
            models.Index(
                fields=["group", "submitted_at", "id"],
                condition=Q(status="waitlisted"),
                name="club_application_waiting",
            ),
            models.Index(fields=["child", "status"], name="club_application_child"),
            models.Index(
                fields=["confirm_by"], condition=Q(status="invited"), name="club_application_due"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The number people quote on the phone: the year and the row, e.g. 2026-0000123."""
        return f"{self.submitted_at:%Y}-{self.pk:07d}"


class ApplicationEvent(models.Model):
    """The history of an application: every status it passed, who moved it and why."""

    class Cause(models.TextChoices):
        SUBMITTED = "submitted", _("заявление подано")
        FAMILY = "family", _("решение семьи")
        ORGANISATION = "organisation", _("решение организации")
        PLACE_FREED = "place_freed", _("освободилось место")
        LAPSED = "lapsed", _("не подтверждено в срок")

    application = models.ForeignKey(
        Application, verbose_name=_("заявление"), on_delete=models.CASCADE, related_name="events"
    )
    status = models.CharField(_("статус"), max_length=16, choices=Application.Status.choices)
    at = models.DateTimeField(_("когда"))
    cause = models.CharField(_("основание"), max_length=16, choices=Cause.choices)
    # Empty when the portal moved it itself (a place freed, a deadline passed).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("причина"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("событие заявления")
        verbose_name_plural = _("история заявления")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application} → {self.status}"
