"""Usage events and their daily rollups.

Events are append-only and pseudonymous: `person` is a keyed hash of the citizen's account
(rules.person_key), never a name or an id that joins to personal data. Dashboards and
reports read the rollups only; the raw table is for the rollup job and for retention.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gorod.analytics.rules import ACTIONS, IMPORT_KINDS, ROLLUP_SUBJECTS
from gorod.core.channels import CHANNELS


class Channel(models.TextChoices):
    WEB = "web", _("сайт")
    MOBILE = "mobile", _("мобильное приложение")
    API = "api", _("API")
    KIOSK = "kiosk", _("информационный киоск")


class UsageEvent(models.Model):
    """One use of one service (docs/analytics.md defines what counts as a use)."""

    # Generated when the use happens (live) or derived from the row's content (import), so
    # that a rating can name its use and a re-imported row collides instead of doubling.
    id = models.UUIDField(primary_key=True)
    occurred_at = models.DateTimeField(_("когда"))
    service = models.ForeignKey(
        "catalog.Service", verbose_name=_("услуга"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("канал"), max_length=8, choices=Channel.choices)
    action = models.CharField(_("действие"), max_length=16)
    # 16 bytes of HMAC-SHA256 over the account id; NULL for an anonymous use.
    person = models.BinaryField(_("псевдоним пользователя"), max_length=16, null=True)
    batch = models.ForeignKey(
        "ImportRun",
        verbose_name=_("загрузка"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("обращение к услуге")
        verbose_name_plural = _("обращения к услугам")
        indexes = [models.Index(fields=["occurred_at"], name="usage_event_time")]
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=CHANNELS), name="usage_channel_known"),
            models.CheckConstraint(condition=Q(action__in=ACTIONS), name="usage_action_known"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} #{self.service_id} {self.channel}"


class UsageDaily(models.Model):
    """Uses and unique users of one service through one channel on one Moscow day."""

    day = models.DateField(_("день"))
    service = models.ForeignKey(
        "catalog.Service", verbose_name=_("услуга"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("канал"), max_length=8, choices=Channel.choices)
    uses = models.PositiveIntegerField(_("обращений"))
    users = models.PositiveIntegerField(_("уникальных пользователей"))
    # HyperLogLog sketch of the day's pseudonyms: unions give unique users over a period.
    users_sketch = models.BinaryField(_("эскиз пользователей"))

    class Meta:
        verbose_name = _("обращения за день по услуге")
        verbose_name_plural = _("обращения за день по услугам")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "service", "channel"], name="usage_daily_one_row"
            ),
            models.CheckConstraint(
                condition=Q(users__lte=models.F("uses")), name="usage_daily_users_le_uses"
            ),
        ]
        indexes = [models.Index(fields=["service", "day"], name="usage_daily_by_service")]

    def __str__(self) -> str:
        return f"{self.day} #{self.service_id} {self.channel}: {self.uses}"


class UsageDay(models.Model):
    """The whole portal on one Moscow day: what period totals are summed from."""

    day = models.DateField(_("день"), primary_key=True)
    uses = models.PositiveBigIntegerField(_("обращений"))
    users = models.PositiveIntegerField(_("уникальных пользователей"))
    users_sketch = models.BinaryField(_("эскиз пользователей"))
    rolled_at = models.DateTimeField(_("пересчитан"))

    class Meta:
        verbose_name = _("обращения за день")
        verbose_name_plural = _("обращения по дням")
        constraints = [
            models.CheckConstraint(
                condition=Q(users__lte=models.F("uses")), name="usage_day_users_le_uses"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.uses}"


class RollupPending(models.Model):
    """A Moscow day whose rollup of one subject (usage, ratings) must be recomputed
    (late events, imports, edits)."""

    day = models.DateField(_("день"))
    subject = models.CharField(_("что пересчитать"), max_length=16)
    marked_at = models.DateTimeField(_("отмечен"))

    class Meta:
        verbose_name = _("день к пересчёту")
        verbose_name_plural = _("дни к пересчёту")
        constraints = [
            models.UniqueConstraint(fields=["day", "subject"], name="rollup_pending_once"),
            models.CheckConstraint(
                condition=Q(subject__in=ROLLUP_SUBJECTS), name="rollup_pending_subject_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.day}"


class ImportRun(models.Model):
    """One run of a historical import: what file, how far it got, what it found."""

    class Status(models.TextChoices):
        RUNNING = "running", _("идёт или прервана")
        COMPLETE = "complete", _("завершена")

    kind = models.CharField(_("что загружали"), max_length=16)
    file_name = models.CharField(_("файл"), max_length=500)
    file_sha256 = models.CharField(_("SHA-256 файла"), max_length=64)
    status = models.CharField(_("состояние"), max_length=16, choices=Status.choices)
    started_at = models.DateTimeField(_("начата"))
    finished_at = models.DateTimeField(_("завершена"), null=True, blank=True)
    lines_read = models.PositiveBigIntegerField(_("прочитано строк"), default=0)
    imported = models.PositiveBigIntegerField(_("загружено"), default=0)
    duplicates = models.PositiveBigIntegerField(_("уже были загружены"), default=0)
    rejected = models.PositiveBigIntegerField(_("отклонено"), default=0)

    class Meta:
        verbose_name = _("загрузка истории")
        verbose_name_plural = _("загрузки истории")
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=IMPORT_KINDS), name="import_kind_known"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"
