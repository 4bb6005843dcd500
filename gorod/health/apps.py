from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    """Only the migrations that created the health tables, and the one that handed them over
    to clinics, appointments and medrecord: existing databases have this history."""

    name = "gorod.health"
    verbose_name = _("Здравоохранение")
