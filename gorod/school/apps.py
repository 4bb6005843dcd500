from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gorod.notifications.topics import topic_register


class SchoolConfig(AppConfig):
    name = "gorod.school"
    verbose_name = _("Электронный дневник")

    def ready(self) -> None:
        # Here, not at the top: notify reads the models, which load after the app configs.
        from gorod.school.notify import HOMEWORK, MARKS

        topic_register(MARKS, HOMEWORK)
