"""Applications to departments, the service definitions they follow, and the offices.

The database holds what it can: one definition per service and version, an application's
status from the known vocabulary, a submitted application always has its submission time,
one application per start key (a double-clicked "start" makes one draft), one person on a
department's staff once.
"""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gorod.accounts.models import Person
from gorod.applications.rules import DRAFT, STATUS_LABELS
from gorod.catalog.models import Department, Service


class Office(models.Model):
    """A public services centre «Мои документы» (МФЦ), imported from the city's open data."""

    code = models.CharField(_("код"), max_length=16, unique=True)
    name = models.CharField(_("название"), max_length=200)
    address = models.CharField(_("адрес"), max_length=300)
    phone = models.CharField(_("телефон"), max_length=100, blank=True)
    windows = models.PositiveSmallIntegerField(_("окон приёма"), null=True, blank=True)

    class Meta:
        verbose_name = _("центр госуслуг")
        verbose_name_plural = _("центры госуслуг")
        ordering = ["name", "code"]

    def __str__(self) -> str:
        return self.name


class Definition(models.Model):
    """One version of a service's definition (schema.py), as imported; never changed after.

    An application keeps the version it was started under, so a new version changes
    nothing already submitted.
    """

    service = models.ForeignKey(
        Service, verbose_name=_("услуга"), on_delete=models.PROTECT, related_name="definitions"
    )
    version = models.PositiveIntegerField(_("версия"))
    kind = models.CharField(_("вид"), max_length=16)
    document = models.JSONField(_("определение"))
    sha256 = models.CharField(_("отпечаток"), max_length=64)
    source_file = models.CharField(_("файл"), max_length=300, blank=True)
    imported_at = models.DateTimeField(_("загружено"), auto_now_add=True)

    class Meta:
        verbose_name = _("определение услуги")
        verbose_name_plural = _("определения услуг")
        ordering = ["service__title", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "version"], name="definition_one_per_version"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["form", "info", "external"]), name="definition_kind_known"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="definition_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.service.slug} v{self.version}"


class DepartmentPost(models.Model):
    """A staff member working a department's queue; the head may also reassign and decide
    applications assigned to others."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("сотрудник"),
        on_delete=models.CASCADE,
        related_name="department_posts",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("ведомство"), on_delete=models.CASCADE, related_name="posts"
    )
    is_head = models.BooleanField(_("руководитель"), default=False)
    created_at = models.DateTimeField(_("назначен"), auto_now_add=True)

    class Meta:
        verbose_name = _("сотрудник ведомства")
        verbose_name_plural = _("сотрудники ведомств")
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="department_post_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.department}"


class Application(models.Model):
    """A citizen's application to a department under one version of a service definition."""

    public_id = models.UUIDField(
        _("идентификатор"), default=uuid.uuid4, unique=True, editable=False
    )
    definition = models.ForeignKey(
        Definition, verbose_name=_("определение"), on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("услуга"), on_delete=models.PROTECT, related_name="applications"
    )
    # Fixed when the application starts: the department answers for it to the end.
    department = models.ForeignKey(
        Department,
        verbose_name=_("ведомство"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    applicant = models.ForeignKey(
        Person, verbose_name=_("заявитель"), on_delete=models.PROTECT, related_name="applications"
    )
    # Whom it is for: the applicant, or a child or ward they represent.
    subject = models.ForeignKey(
        Person,
        verbose_name=_("в отношении кого"),
        on_delete=models.PROTECT,
        related_name="applications_about",
    )
    status = models.CharField(
        _("статус"), max_length=20, choices=list(STATUS_LABELS.items()), default=DRAFT
    )
    answers = models.JSONField(_("ответы"), default=dict, blank=True)
    # A key the citizen's browser or client sends with "start": a second start with the same
    # key is the same draft (a double click, a retried request).
    start_key = models.UUIDField(_("ключ начала"), null=True, blank=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)
    submitted_at = models.DateTimeField(_("отправлено"), null=True, blank=True)
    registered_at = models.DateTimeField(_("зарегистрировано"), null=True, blank=True)
    decided_at = models.DateTimeField(_("решение принято"), null=True, blank=True)
    closed_at = models.DateTimeField(_("закрыто"), null=True, blank=True)
    # The regulation's term for the decision (working days from the day after registration,
    # moved on by the days spent waiting for the citizen), and the current step's own term.
    due_on = models.DateField(_("срок решения"), null=True, blank=True)
    step_due_on = models.DateField(_("срок шага"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("исполнитель"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_applications",
    )
    # The department's last word to the citizen: the decision, the refusal's reason and how to
    # appeal, what is requested.
    decision_text = models.TextField(_("решение"), blank=True)
    # The use recorded at submission, which the citizen's rating names (feedback).
    use_id = models.UUIDField(_("обращение к услуге"), null=True, blank=True)

    class Meta:
        verbose_name = _("заявление")
        verbose_name_plural = _("заявления")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=list(STATUS_LABELS)), name="application_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status="draft", submitted_at__isnull=True)
                | (~Q(status="draft") & Q(submitted_at__isnull=False)),
                name="application_submitted_has_time",
            ),
            models.UniqueConstraint(
                fields=["applicant", "start_key"],
                condition=Q(start_key__isnull=False),
                name="application_one_per_start_key",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status", "due_on"], name="application_queue"),
            models.Index(fields=["applicant", "-created_at"], name="application_of_applicant"),
            models.Index(fields=["service", "status"], name="application_by_service"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.service_id})"

    @property
    def number(self) -> str:
        """The number people quote on the phone: the year and the row, e.g. 2026-000123."""
        year = (self.submitted_at or self.created_at).year if self.created_at else ""
        return f"{year}-{self.pk:06d}" if self.pk else ""


class Event(models.Model):
    """One line of an application's history, which the citizen reads as its timeline."""

    class Kind(models.TextChoices):
        STATUS = "status", _("смена статуса")
        ASSIGNED = "assigned", _("назначен исполнитель")
        NOTE = "note", _("служебная заметка")

    application = models.ForeignKey(
        Application, verbose_name=_("заявление"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("когда"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices)
    from_status = models.CharField(_("из статуса"), max_length=20, blank=True)
    to_status = models.CharField(_("в статус"), max_length=20, blank=True)
    # What the citizen reads beside the change (a request, a reason, their answer); a staff
    # note (kind NOTE) is never shown to the citizen.
    text = models.TextField(_("текст"), blank=True)

    class Meta:
        verbose_name = _("событие заявления")
        verbose_name_plural = _("события заявлений")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["application", "at"], name="event_of_application")]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.kind} {self.to_status}"


def _private_storage():
    return storages["private"]


def _file_path(instance: "File", filename: str) -> str:
    # Not the citizen's file name: a name nobody can guess or use to climb out of the folder.
    return f"applications/{instance.application.public_id}/{instance.public_id}"


class File(models.Model):
    """A document attached to an application: by the citizen to a form field or an answer,
    or by the department as the result."""

    class Purpose(models.TextChoices):
        FIELD = "field", _("к полю заявления")
        ANSWER = "answer", _("к ответу на запрос")
        RESULT = "result", _("результат услуги")

    public_id = models.UUIDField(
        _("идентификатор"), default=uuid.uuid4, unique=True, editable=False
    )
    application = models.ForeignKey(
        Application, verbose_name=_("заявление"), on_delete=models.CASCADE, related_name="files"
    )
    purpose = models.CharField(_("назначение"), max_length=8, choices=Purpose.choices)
    field_key = models.CharField(_("поле"), max_length=40, blank=True)
    name = models.CharField(_("имя файла"), max_length=200)
    content_type = models.CharField(_("тип"), max_length=50)
    size = models.PositiveIntegerField(_("размер, байт"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    blob = models.FileField(_("содержимое"), storage=_private_storage, upload_to=_file_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("загрузил"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("загружен"), auto_now_add=True)

    class Meta:
        verbose_name = _("файл заявления")
        verbose_name_plural = _("файлы заявлений")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="file_not_empty"),
            models.CheckConstraint(
                condition=Q(purpose__in=["field", "answer", "result"]), name="file_purpose_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name
