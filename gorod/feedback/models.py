"""Ratings of services, their exact per-service summary, and the daily rollup reports read.

The database holds the rules that must survive races and second code paths: one rating
per use, stars 1–5, a comment of at most 1,000 characters, portal ratings tied to a user
and a use, imported ones to a content key, idea statuses only on ideas.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from gorod.feedback.rules import (
    ANSWER_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    IDEA_STATUSES,
    SOURCES,
    STARS,
    TOPICS,
)


class Rating(models.Model):
    class Source(models.TextChoices):
        PORTAL = "portal", _("на портале")
        IMPORT = "import", _("загружена из истории")

    class Topic(models.TextChoices):
        BUG = "bug", _("ошибка")
        IDEA = "idea", _("идея")
        PRAISE = "praise", _("благодарность")
        QUESTION = "question", _("вопрос")
        OTHER = "other", _("другое")

    class IdeaStatus(models.TextChoices):
        NEW = "new", _("новая")
        PLANNED = "planned", _("запланирована")
        DONE = "done", _("сделана")

    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("услуга"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Imported ratings have no account; a portal rating keeps its author (PROTECT: deleting
    # an account must first decide what happens to what it wrote).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("автор"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The use this rating is about (analytics.UsageEvent.id); unique: one rating per use.
    use_id = models.UUIDField(_("обращение"), null=True, blank=True, unique=True)
    # uuid of an imported row's content: re-importing a file collides instead of doubling.
    import_key = models.UUIDField(_("ключ загрузки"), null=True, blank=True, unique=True)
    source = models.CharField(_("откуда"), max_length=8, choices=Source.choices)
    stars = models.PositiveSmallIntegerField(_("оценка"))
    comment = models.TextField(_("комментарий"), blank=True)
    # The instant the rating counts for (its Moscow day puts it into the daily rollup).
    created_at = models.DateTimeField(_("поставлена"))
    updated_at = models.DateTimeField(_("изменена"))
    topic = models.CharField(_("тема"), max_length=16, choices=Topic.choices, blank=True)
    idea_status = models.CharField(
        _("состояние идеи"), max_length=16, choices=IdeaStatus.choices, blank=True
    )
    answer = models.TextField(_("ответ ведомства"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто ответил"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("когда ответили"), null=True, blank=True)

    class Meta:
        verbose_name = _("оценка услуги")
        verbose_name_plural = _("оценки услуг")
        indexes = [
            models.Index(fields=["created_at"], name="rating_by_time"),
            models.Index(fields=["service", "-created_at"], name="rating_by_service"),
            models.Index(fields=["user", "service", "-created_at"], name="rating_by_author"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(stars__in=STARS), name="rating_stars_1_to_5"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("comment"), COMMENT_MAX_LENGTH),
                name="rating_comment_max_length",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("answer"), ANSWER_MAX_LENGTH),
                name="rating_answer_max_length",
            ),
            models.CheckConstraint(condition=Q(source__in=SOURCES), name="rating_source_known"),
            models.CheckConstraint(
                condition=(
                    Q(
                        source="portal",
                        user__isnull=False,
                        use_id__isnull=False,
                        import_key__isnull=True,
                    )
                    | Q(
                        source="import",
                        user__isnull=True,
                        use_id__isnull=True,
                        import_key__isnull=False,
                    )
                ),
                name="rating_source_identity",
            ),
            models.CheckConstraint(
                condition=Q(topic="") | Q(topic__in=TOPICS), name="rating_topic_known"
            ),
            models.CheckConstraint(
                condition=(
                    Q(topic="idea", idea_status__in=IDEA_STATUSES)
                    | (~Q(topic="idea") & Q(idea_status=""))
                ),
                name="rating_idea_status_only_for_ideas",
            ),
            models.CheckConstraint(
                condition=Q(updated_at__gte=F("created_at")), name="rating_updated_after_created"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stars}★ #{self.pk}"


class RatingSummary(models.Model):
    """Exact counts of one service's ratings, what its public page shows in one read.

    Services move the counters with F() increments in the same transaction as the rating
    they change, so the sum is never stale and never read-modify-written.
    """

    service = models.OneToOneField(
        "catalog.Service",
        verbose_name=_("услуга"),
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    count = models.PositiveIntegerField(_("оценок"), default=0)
    c1 = models.PositiveIntegerField(_("одна звезда"), default=0)
    c2 = models.PositiveIntegerField(_("две звезды"), default=0)
    c3 = models.PositiveIntegerField(_("три звезды"), default=0)
    c4 = models.PositiveIntegerField(_("четыре звезды"), default=0)
    c5 = models.PositiveIntegerField(_("пять звёзд"), default=0)

    class Meta:
        verbose_name = _("итог оценок услуги")
        verbose_name_plural = _("итоги оценок услуг")
        constraints = [
            models.CheckConstraint(
                condition=Q(count=F("c1") + F("c2") + F("c3") + F("c4") + F("c5")),
                name="rating_summary_count_is_sum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}: {self.count}"

    @property
    def counts(self) -> dict[int, int]:
        return {stars: getattr(self, f"c{stars}") for stars in STARS}


class RatingDaily(models.Model):
    """Ratings of one service with one number of stars on one Moscow day (reports read this)."""

    day = models.DateField(_("день"))
    service = models.ForeignKey(
        "catalog.Service", verbose_name=_("услуга"), on_delete=models.PROTECT, related_name="+"
    )
    stars = models.PositiveSmallIntegerField(_("оценка"))
    count = models.PositiveIntegerField(_("оценок"))

    class Meta:
        verbose_name = _("оценки за день")
        verbose_name_plural = _("оценки по дням")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "service", "stars"], name="rating_daily_one_row"
            ),
            models.CheckConstraint(condition=Q(stars__in=STARS), name="rating_daily_stars"),
            models.CheckConstraint(condition=Q(count__gt=0), name="rating_daily_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.service_id} {self.stars}★: {self.count}"


class ServiceOwnership(models.Model):
    """A staff member answers for the ratings of one service or of a whole department."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("сотрудник"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("услуга"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("ведомство"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("назначен"), auto_now_add=True)

    class Meta:
        verbose_name = _("владелец услуги")
        verbose_name_plural = _("владельцы услуг")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(service__isnull=False, department__isnull=True)
                    | Q(service__isnull=True, department__isnull=False)
                ),
                name="ownership_service_xor_department",
            ),
            models.UniqueConstraint(
                fields=["user", "service"],
                condition=Q(service__isnull=False),
                name="ownership_one_per_service",
            ),
            models.UniqueConstraint(
                fields=["user", "department"],
                condition=Q(department__isnull=False),
                name="ownership_one_per_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.service or self.department}"
