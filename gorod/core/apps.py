from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gorod.core"
    label = "core"
    verbose_name = _("Ядро")

    def ready(self):
        # Registers the operator-facing system checks (signing key and the like).
        from gorod.core import checks  # noqa: F401
