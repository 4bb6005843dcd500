from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    """Doctors' schedules and slots, booking, referrals and the registry's desk."""

    name = "gorod.appointments"
    verbose_name = _("Запись к врачу")
