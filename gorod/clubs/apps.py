from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClubsConfig(AppConfig):
    name = "gorod.clubs"
    verbose_name = _("Кружки и секции")
