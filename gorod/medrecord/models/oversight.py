"""Oversight of the record: a doctor's emergency opening of a stranger's record, and the
clinic's supervisors who review each one.

An emergency opening ("break the glass") is a row, not a flag a client sends: the doctor
finds the patient by OMS policy and birth date and states a reason (the same service on
the staff page and in the API), and gets a grant bound to that doctor and that patient for
an hour. Every look under it carries the grant's id in the access log. The supervisors of
the clinics the doctor worked at when they opened it (a posting, like the registrar's, plus
the role's permission) are told, and mark it reviewed.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gorod.accounts.models import Person
from gorod.clinics.models import Organisation, Practitioner
from gorod.medrecord.models.record import AccessLogEntry

# The permission that, with a posting to a clinic, makes its holder that clinic's supervisor.
REVIEW_PERMISSION = "medrecord.review_emergencyaccess"


class SupervisorPost(models.Model):
    """A clinic's supervisor (head of department, deputy chief physician): reviews the
    emergency looks of the clinic's doctors."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("сотрудник"),
        on_delete=models.CASCADE,
        related_name="supervisor_posts",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("организация"),
        on_delete=models.CASCADE,
        related_name="supervisor_posts",
    )

    class Meta:
        db_table = "health_supervisorpost"
        verbose_name = _("руководитель поликлиники")
        verbose_name_plural = _("руководители поликлиник")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="supervisor_post_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


class EmergencyAccess(models.Model):
    """One emergency opening of a patient's record by a doctor, for a written reason."""

    class Channel(models.TextChoices):
        WEB = "web", _("портал")
        API = "api", _("API")

    practitioner = models.ForeignKey(
        Practitioner,
        verbose_name=_("врач"),
        on_delete=models.PROTECT,
        related_name="emergency_accesses",
    )
    patient = models.ForeignKey(
        Person,
        verbose_name=_("пациент"),
        on_delete=models.PROTECT,
        related_name="emergency_accesses",
    )
    # The clinics the doctor worked at when opening it: their supervisors review it.
    clinics = models.ManyToManyField(
        Organisation, verbose_name=_("поликлиники врача"), related_name="emergency_accesses"
    )
    reason = models.CharField(_("причина"), max_length=500)
    channel = models.CharField(_("откуда открыт"), max_length=8, choices=Channel.choices)
    opened_at = models.DateTimeField(_("открыт"), default=timezone.now)
    expires_at = models.DateTimeField(_("действует до"))
    reviewed_at = models.DateTimeField(_("разобран"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("разобрал"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_note = models.CharField(_("заключение разбора"), max_length=500, blank=True)

    class Meta:
        db_table = "health_emergencyaccess"
        verbose_name = _("экстренный доступ к карте")
        verbose_name_plural = _("экстренные доступы к картам")
        ordering = ["-opened_at", "-id"]
        permissions = [("review_emergencyaccess", _("Разбирать экстренные доступы к картам"))]
        indexes = [
            models.Index(
                F("opened_at").desc(),
                name="emergency_access_to_review",
                condition=Q(reviewed_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("opened_at")), name="emergency_access_expires_later"
            ),
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True) | Q(reviewed_at__gte=F("opened_at")),
                name="emergency_access_reviewed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} → {self.patient} ({self.opened_at:%Y-%m-%d %H:%M})"


class SecurityLookManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(shown_to_patient=False)


class SecurityLook(AccessLogEntry):
    """The record's security log: denied looks by strangers and anonymous callers, which
    the patient's log does not show (the same append-only rows, the staff's view)."""

    objects = SecurityLookManager()

    class Meta:
        proxy = True
        verbose_name = _("попытка открыть чужую карту")
        verbose_name_plural = _("журнал безопасности медицинской карты")
        ordering = ["-at", "-id"]
