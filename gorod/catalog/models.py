from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """One of the ten fixed areas of city life (DOMAIN.md); created by a migration."""

    slug = models.SlugField(_("код"), max_length=32, unique=True)
    title = models.CharField(_("название"), max_length=100)
    title_en = models.CharField(_("название по-английски"), max_length=100)
    description = models.CharField(_("описание"), max_length=300, blank=True)
    description_en = models.CharField(_("описание по-английски"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)
    updated_at = models.DateTimeField(_("изменена"), auto_now=True)

    class Meta:
        verbose_name = _("категория")
        verbose_name_plural = _("категории")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        return self.title_en if get_language() == "en" and self.title_en else self.title

    @property
    def display_description(self) -> str:
        if get_language() == "en" and self.description_en:
            return self.description_en
        return self.description


class Department(models.Model):
    """The city body responsible for a service, as the catalog names it (ДЗМ, ДОНМ, …)."""

    code = models.CharField(_("код или краткое название"), max_length=100, unique=True)
    name = models.CharField(_("полное название"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("ведомство")
        verbose_name_plural = _("ведомства")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Service(models.Model):
    class Kind(models.TextChoices):
        FLAGSHIP = "flagship", _("основная услуга портала")
        FORM = "form", _("электронная услуга (заявление)")
        INFO = "info", _("справочная информация")
        EXTERNAL = "external", _("на сайте партнёра")

    class Audience(models.TextChoices):
        CITIZEN = "citizen", _("жителям")
        BUSINESS = "business", _("бизнесу")

    slug = models.SlugField(_("код"), max_length=100, unique=True)
    title = models.CharField(_("название"), max_length=200)
    title_en = models.CharField(_("название по-английски"), max_length=200, blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("категория"), on_delete=models.PROTECT, related_name="services"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("ведомство"),
        on_delete=models.PROTECT,
        related_name="services",
    )
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices)
    audience = models.CharField(
        _("для кого"), max_length=16, choices=Audience.choices, default=Audience.CITIZEN
    )
    keywords = models.JSONField(
        _("ключевые слова"),
        default=list,
        blank=True,
        help_text=_("Как люди называют услугу своими словами; помогают поиску."),
    )
    description = models.TextField(_("описание"))
    description_en = models.TextField(_("описание по-английски"), blank=True)
    is_online = models.BooleanField(_("можно получить онлайн"), default=True)
    external_url = models.URLField(_("адрес на сайте партнёра"), blank=True)
    featured_position = models.PositiveSmallIntegerField(
        _("место в популярных"),
        null=True,
        blank=True,
        help_text=_("Порядок на главной в блоке «Популярные услуги»; пусто — не показывать."),
    )
    is_published = models.BooleanField(_("опубликована"), default=True)
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменена"), auto_now=True)

    class Meta:
        verbose_name = _("услуга")
        verbose_name_plural = _("услуги")
        ordering = ["title", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="external") | Q(external_url=""),
                name="service_external_url_only_for_external",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["flagship", "form", "info", "external"]),
                name="service_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(audience__in=["citizen", "business"]),
                name="service_audience_known",
            ),
        ]
        indexes = [models.Index(fields=["category", "title"], name="service_by_category")]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        return self.title_en if get_language() == "en" and self.title_en else self.title

    @property
    def display_description(self) -> str:
        if get_language() == "en" and self.description_en:
            return self.description_en
        return self.description
