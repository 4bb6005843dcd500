from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "gorod.feedback"
    verbose_name = _("Оценки и отзывы")
