from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicsConfig(AppConfig):
    """Medical organisations, their buildings and doctors, and attachment to a polyclinic."""

    name = "gorod.clinics"
    verbose_name = _("медицинские организации")
