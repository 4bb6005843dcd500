from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MedrecordConfig(AppConfig):
    """The electronic medical record: entries, labs, documents, certificates, the access log."""

    name = "gorod.medrecord"
    verbose_name = _("Медицинская карта")
