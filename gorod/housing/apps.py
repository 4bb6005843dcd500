from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HousingConfig(AppConfig):
    name = "gorod.housing"
    verbose_name = _("Показания счётчиков")
